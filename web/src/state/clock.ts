import { signal } from '@preact/signals';

/** The time relative timestamps are shown against; ticks every second once started. */
export const now = signal(Date.now());

let timer: ReturnType<typeof setInterval> | undefined;

export function startClock(): void {
  if (timer === undefined) timer = setInterval(() => (now.value = Date.now()), 1000);
}
