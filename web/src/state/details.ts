/** Capture details (headers, body, verdicts), fetched once each and kept for the last 100 opened. */
import { computed, signal } from '@preact/signals';
import { errorMessage, isAuthError } from '../api/http.js';
import type { Core, DetailState } from './core.js';

const DETAIL_CACHE = 100;

/** The details slice over `core`. */
export function createDetails(core: Core) {
  const { api, authRequired, selectedCaptureId } = core;
  const details = signal<ReadonlyMap<string, DetailState>>(new Map());
  const selectedDetail = computed(() => (selectedCaptureId.value ? (details.value.get(selectedCaptureId.value) ?? null) : null));

  const setDetail = (id: string, d: DetailState | null) => {
    const m = new Map(details.value);
    m.delete(id);
    if (d) m.set(id, d);
    while (m.size > DETAIL_CACHE) m.delete(m.keys().next().value!);
    details.value = m;
  };

  /** Fetches a capture again and swaps it in without a "Loading…" in between; a failure keeps what is shown. */
  async function reloadDetail(id: string) {
    try {
      const capture = await api.getCapture(id);
      setDetail(id, { state: 'ok', capture });
    } catch (err) {
      if (err instanceof Error && 'status' in err && (err as { status: number }).status === 404) setDetail(id, { state: 'error', message: errorMessage(err), gone: true });
    }
  }

  async function loadDetail(id: string) {
    const have = details.value.get(id);
    if (have?.state === 'ok' || have?.state === 'loading') return;
    setDetail(id, { state: 'loading' });
    try {
      setDetail(id, { state: 'ok', capture: await api.getCapture(id) });
    } catch (err) {
      if (isAuthError(err)) authRequired.value = true;
      const gone = err instanceof Error && 'status' in err && (err as { status: number }).status === 404;
      setDetail(id, { state: 'error', message: errorMessage(err), gone });
    }
  }

  return { details, selectedDetail, setDetail, reloadDetail, loadDetail };
}

/** The details slice. */
export type Details = ReturnType<typeof createDetails>;
