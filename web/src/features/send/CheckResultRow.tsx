import type { CheckOutcome, CheckReply, CheckResult, CheckSent } from '../../../../server/common/check.js';

/** The badge's word for each outcome: the colour is never the only sign. */
export const OUTCOME_LABEL: Record<CheckOutcome, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP', info: 'INFO' };

/** A request as the endpoint received it, as text: the request line, one header a line, a blank line, the body. */
export function requestText(s: CheckSent): string {
  return [`${s.method} ${s.url}`, ...s.headers.map(([n, v]) => `${n}: ${v}`), '', s.body].join('\n');
}

/** What came back, in words: "401 in 12 ms", "200 in 3004 ms, then …" (the answer stopped short), or "no answer after 3000 ms: …". */
export function replyText(r: CheckReply): string {
  const err = r.error ? (r.status !== null ? `, then ${r.error}` : `: ${r.error}`) : '';
  return `${r.status !== null ? `${r.status} in` : 'no answer after'} ${r.ms} ms${err}`;
}

/**
 * One check of a report: its outcome, name, what happened and why it
 * matters; one that sent something opens (a native disclosure, so the
 * keyboard works) on the request and what came back, all as text.
 */
export function CheckResultRow(props: { r: CheckResult }) {
  const r = props.r;
  const line = (
    <>
      <span class="check-badge" data-outcome={r.outcome}>
        {OUTCOME_LABEL[r.outcome]}
      </span>
      <code class="mono check-id">{r.check}</code>
      <span class="check-summary" data-testid="check-summary">
        {r.summary}
      </span>
      <span class="check-why muted small" data-testid="check-why">
        {r.why}
      </span>
    </>
  );
  return (
    <li class="check-row" data-testid="check-result" data-check={r.check} data-outcome={r.outcome}>
      {r.sent ? (
        <details>
          <summary class="check-line">{line}</summary>
          <div class="attempt-body">
            <h4 class="sub-head">Sent</h4>
            <pre class="text-view mono" data-testid="check-sent">
              {requestText(r.sent)}
            </pre>
            {r.reply && (
              <>
                <h4 class="sub-head">Came back</h4>
                <p class="small" data-testid="check-reply-status">
                  {replyText(r.reply)}
                </p>
                {r.reply.bodyExcerpt !== '' && (
                  <pre class="text-view mono" data-testid="check-reply-body">
                    {r.reply.bodyExcerpt}
                  </pre>
                )}
              </>
            )}
          </div>
        </details>
      ) : (
        <div class="check-line">{line}</div>
      )}
    </li>
  );
}
