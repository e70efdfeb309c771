import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { CaptureSummary } from '../../../../server/common/types.js';
import { formatBytes } from '../../ui/format.js';
import { MethodBadge, RelTime, VerdictBadge } from '../../ui/common.js';
import { answerWords, attemptWords, PROVIDER_TITLE } from './row.js';

/** Every row is this tall (keep in step with `--row-h` in styles/base.css). */
export const ROW_HEIGHT = 44;
/** Rows rendered beyond each edge of the viewport. */
const OVERSCAN = 12;
/** Ask for the next older page when the viewport is this many rows from the end. */
const PREFETCH_ROWS = 40;

/** The visible window of a virtual list: rows `[start, end)`. */
export function visibleRange(scrollTop: number, viewport: number, count: number, rowHeight = ROW_HEIGHT, overscan = OVERSCAN): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewport)) / rowHeight);
  return { start: Math.max(0, first - overscan), end: Math.min(count, last + overscan) };
}

function Row(props: { c: CaptureSummary; selected: boolean; onSelect: (id: string, open: boolean) => void }) {
  const { c } = props;
  const target = (c.path || '/') + (c.query !== '' ? `?${c.query}` : '');
  const answer = answerWords(c);
  const attempt = attemptWords(c.event);
  return (
    <div
      class="row"
      role="option"
      aria-selected={props.selected}
      data-testid="capture-row"
      data-capture-id={c.id}
      onClick={() => props.onSelect(c.id, true)}
    >
      <div class="row-line">
        <MethodBadge method={c.method} />
        <span class="row-path mono" title={target}>
          {target}
        </span>
        {c.event.type !== null && (
          <span class="row-type mono" data-testid="row-type" title={`event type: ${c.event.type}`}>
            {c.event.type}
          </span>
        )}
        <VerdictBadge verdict={c.verdict} />
      </div>
      <div class="row-line row-meta">
        <span class="status row-answer" data-class={answer.tone} data-testid="row-answer" title={answer.title}>
          {answer.text}
        </span>
        <span class="row-attempt" data-testid="row-attempt" data-retry={c.event.attempt > 1} title={attempt.title}>
          {attempt.text}
        </span>
        {c.provider && (
          <span class="row-provider" data-testid="row-provider" data-provider={c.provider.id} title={PROVIDER_TITLE}>
            {c.provider.name}
          </span>
        )}
        <span class="row-size">
          {formatBytes(c.bodySize)}
          {c.truncated ? ' ✂' : ''}
        </span>
        <span class="row-ct" title={c.contentType ?? 'no Content-Type'}>
          {c.contentType ?? '—'}
        </span>
        <span class="row-time">
          <RelTime iso={c.receivedAt} />
        </span>
      </div>
    </div>
  );
}

export interface CaptureListProps {
  /** The rows to show (already filtered), newest first. */
  items: CaptureSummary[];
  selectedId: string | null;
  /** True while older pages remain on the server. */
  hasMore: boolean;
  loadingMore: boolean;
  onSelect: (id: string, open: boolean) => void;
  onNeedMore: () => void;
}

/**
 * A virtualized list: fixed-height rows, only the visible window plus
 * overscan in the DOM, so 100,000 captures scroll like 100. When new
 * captures arrive above a scrolled list, the rows in view stay in place.
 */
export function CaptureList(props: CaptureListProps) {
  const { items } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const anchor = useRef<{ id: string; index: number } | null>(null);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setViewport(el.clientHeight);
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Keep the first visible row where it was when rows are added above it.
  useLayoutEffect(() => {
    const el = ref.current;
    const a = anchor.current;
    if (el && a && el.scrollTop > 0) {
      const hint = items[a.index];
      const index = hint && hint.id === a.id ? a.index : items.findIndex((c) => c.id === a.id);
      if (index !== -1 && index !== a.index) {
        el.scrollTop += (index - a.index) * ROW_HEIGHT;
        setScrollTop(el.scrollTop);
      }
    }
    const top = Math.floor((el?.scrollTop ?? 0) / ROW_HEIGHT);
    anchor.current = items[top] ? { id: items[top]!.id, index: top } : null;
  }, [items]);

  // Bring the selected row into view (keyboard navigation).
  useEffect(() => {
    const el = ref.current;
    if (!el || props.selectedId === null) return;
    const i = items.findIndex((c) => c.id === props.selectedId);
    if (i === -1) return;
    const top = i * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
  }, [props.selectedId]);

  const { start, end } = visibleRange(scrollTop, viewport, items.length);

  // Infinite scroll: near the end (or a list shorter than the window), fetch older pages.
  useEffect(() => {
    if (props.hasMore && !props.loadingMore && end >= items.length - PREFETCH_ROWS) props.onNeedMore();
  }, [end, items.length, props.hasMore, props.loadingMore]);

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    const top = Math.floor(el.scrollTop / ROW_HEIGHT);
    anchor.current = items[top] ? { id: items[top]!.id, index: top } : null;
  };

  const rows = [];
  for (let i = start; i < end; i++) {
    const c = items[i]!;
    rows.push(<Row key={c.id} c={c} selected={c.id === props.selectedId} onSelect={props.onSelect} />);
  }

  return (
    <div class="vlist" ref={ref} onScroll={onScroll} role="listbox" aria-label="Captures" data-testid="capture-list" data-count={items.length}>
      <div class="vlist-spacer" style={{ height: `${items.length * ROW_HEIGHT}px` }}>
        <div class="vlist-rows" style={{ transform: `translateY(${start * ROW_HEIGHT}px)` }}>
          {rows}
        </div>
      </div>
      {props.loadingMore && <div class="vlist-loading small muted">Loading older captures…</div>}
    </div>
  );
}
