/**
 * Durations in words, shared by the server's timeline messages and the
 * inspector's labels (which imports this file), so both say the same thing.
 */

/**
 * A duration in words: `450 ms`, `1.5 s`, `30 s`, `5 min`,
 * `5 min 30 s`, `2 h`, `1 h 30 min`. Negative values get a leading `-`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${Number((ms / 1000).toFixed(1))} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    return s === 0 ? `${m} min` : `${m} min ${s} s`;
  }
  const minutes = Math.round(ms / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/**
 * The time between two attempts in words: the duration, or for a negative
 * one (the later attempt is stamped earlier: the clock was set back between
 * them) `clock changed (−24 h)`, never a negative delay.
 */
export function formatGapWords(ms: number): string {
  return ms < 0 ? `clock changed (−${formatDuration(-ms)})` : formatDuration(ms);
}
