import type { OutboxAttempt, OutboxDelivery, OutboxSummary, TargetReply } from '../../../../server/common/types.js';
import { formatBytes, formatTimestamp, statusClass } from '../../ui/format.js';
import { deliveryStateText, nextAttemptText, type DeliveryDetail, type OutboxState } from '../../state/sender.js';
import { now } from '../../state/clock.js';
import { ConfirmButton, MethodBadge, PairsTable, RelTime } from '../../ui/common.js';

/** When a pending delivery's next attempt is due; only this reads the clock, so only this re-renders each second. */
function NextAttempt(props: { d: OutboxSummary }) {
  const next = nextAttemptText(props.d, now.value);
  return next ? <span class="muted small">next {next}</span> : null;
}

/** A target's status (or why there was none), in words beside the number. */
export function ReplyStatus(props: { status: number | null; error: string | null; testid?: string }) {
  const text = props.status !== null ? String(props.status) : (props.error ?? 'no reply');
  return (
    <span class="status" data-class={statusClass(props.status)} data-testid={props.testid} title={props.status === null ? 'no reply: ' + text : `the target answered ${props.status}`}>
      {text}
    </span>
  );
}

/** A reply from a target: its headers and body, as text only. */
export function ReplyView(props: { reply: TargetReply; testid?: string }) {
  const r = props.reply;
  return (
    <div class="reply" data-testid={props.testid}>
      <PairsTable pairs={r.headers} empty="No headers." />
      {r.body !== '' ? (
        <pre class="text-view mono" data-testid={props.testid ? `${props.testid}-body` : undefined}>
          {r.body}
        </pre>
      ) : (
        <p class="muted small">Empty body.</p>
      )}
      {r.truncated && <p class="warn small">Only the first {formatBytes(r.body.length)} of {formatBytes(r.size)} were kept.</p>}
      {r.bodyBase64 !== undefined && <p class="muted small">Not UTF-8: shown with replacement characters.</p>}
    </div>
  );
}

function AttemptRow(props: { a: OutboxAttempt; body: string | null; bodySize: number }) {
  const a = props.a;
  return (
    <li class="attempt" data-testid="attempt" data-n={a.n} data-status={a.status ?? ''} data-error={a.error ?? ''}>
      <details>
        <summary class="attempt-line">
          <span class="attempt-n">#{a.n}</span>
          <span class="mono small" title={a.at}>
            {formatTimestamp(a.at)}
          </span>
          <ReplyStatus status={a.status} error={a.error} testid="attempt-status" />
          <span class="muted small">{a.durationMs} ms</span>
          {a.errorMessage && <span class="muted small attempt-err">{a.errorMessage}</span>}
        </summary>
        <div class="attempt-body">
          <h4 class="sub-head">Sent</h4>
          <p class="mono small request-sent">
            {a.request.method} {a.request.url}
          </p>
          <PairsTable pairs={a.request.headers} testid="attempt-request-headers" />
          {props.body !== null ? (
            props.body !== '' && <pre class="text-view mono">{props.body}</pre>
          ) : (
            <p class="muted small">{formatBytes(props.bodySize)} of binary body.</p>
          )}
          <h4 class="sub-head">Reply</h4>
          {a.response ? <ReplyView reply={a.response} testid="attempt-reply" /> : <p class="muted small">No reply: {a.error ?? 'none'}.</p>}
        </div>
      </details>
    </li>
  );
}

function DeliveryBody(props: { d: OutboxDelivery }) {
  const d = props.d;
  const r = d.retry;
  return (
    <div class="delivery-body" data-testid="delivery-detail">
      <p class="muted small">
        {r.preset ? `Retries: ${r.preset}` : r.schedule.length > 1 ? 'Retries: own schedule' : 'One attempt'}
        {r.timeScale !== 1 ? ` at ${r.timeScale}×` : ''} · timeout {r.timeoutMs} ms
        {d.sign.length > 0 ? ` · signed ${d.sign.map((s) => `${s.scheme} (${s.secretName ?? s.secret})`).join(', ')}` : ' · unsigned'}
      </p>
      {d.attempts.length === 0 ? (
        <p class="muted small">No attempt yet.</p>
      ) : (
        <ol class="attempts" data-testid="attempts">
          {d.attempts.map((a) => (
            <AttemptRow key={a.n} a={a} body={d.body} bodySize={d.bodySize} />
          ))}
        </ol>
      )}
    </div>
  );
}

export interface OutboxProps {
  state: OutboxState;
  details: ReadonlyMap<string, DeliveryDetail>;
  open: ReadonlySet<string>;
  /** The delivery the composer sent last (marked). */
  lastSent: string | null;
  onToggle: (id: string) => void;
  onCancel: (id: string) => void;
  onMore: () => void;
}

function DeliveryRow(props: OutboxProps & { d: OutboxSummary }) {
  const d = props.d;
  const isOpen = props.open.has(d.id);
  const detail = props.details.get(d.id);
  return (
    <li class="delivery" data-testid="delivery" data-id={d.id} data-state={d.state} data-last={props.lastSent === d.id ? 'true' : undefined}>
      <div class="delivery-head">
        <button type="button" class="delivery-toggle" aria-expanded={isOpen} data-testid="delivery-toggle" onClick={() => props.onToggle(d.id)}>
          <span class="chev" aria-hidden="true">
            {isOpen ? '▾' : '▸'}
          </span>
          <MethodBadge method={d.method} />
          <span class="mono delivery-url" title={d.url}>
            {d.url}
          </span>
        </button>
        <span class="delivery-state" data-state={d.state} data-testid="delivery-state">
          {deliveryStateText(d)}
        </span>
        <NextAttempt d={d} />
        {d.insecure && (
          <span class="muted small" data-testid="delivery-insecure" title="Sent with insecure: the target's TLS certificate is not verified">
            certificate not verified
          </span>
        )}
        <span class="muted small">
          {d.kind === 'resend' && d.sourceCaptureId !== null ? 'resend' : 'sent'}{' '}
          <RelTime iso={d.createdAt} />
        </span>
        {d.state === 'pending' && <ConfirmButton class="small danger-quiet" label="Cancel" confirm="Stop retrying?" testid="delivery-cancel" onConfirm={() => props.onCancel(d.id)} />}
      </div>
      {isOpen &&
        (detail === undefined || detail.state === 'loading' ? (
          <p class="muted small">Loading…</p>
        ) : detail.state === 'error' ? (
          <p class="error small">Could not load it: {detail.message}</p>
        ) : (
          <DeliveryBody d={detail.delivery} />
        ))}
    </li>
  );
}

/** The outbox: every delivery, newest first, live; open one for its attempts, the requests sent and the replies. */
export function Outbox(props: OutboxProps) {
  const s = props.state;
  if (!s.loaded) return <p class="muted small">Loading the outbox…</p>;
  return (
    <div class="outbox" data-testid="outbox">
      {s.error && <p class="error small">{s.error}</p>}
      {s.items.length === 0 ? (
        <p class="muted small" data-testid="outbox-empty">
          Nothing sent yet.
        </p>
      ) : (
        <ul class="deliveries">
          {s.items.map((d) => (
            <DeliveryRow key={d.id} {...props} d={d} />
          ))}
        </ul>
      )}
      {s.next !== null && (
        <button type="button" class="btn small" onClick={props.onMore}>
          Older deliveries
        </button>
      )}
    </div>
  );
}
