import { useComputed } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { Api } from './api/http.js';
import { sampleCurl } from './features/captures/curl.js';
import type { ConnStatus, Model } from './state/model.js';
import { methodOptions } from './state/model.js';
import { VERDICT_FILTERS, verdictLabel, type VerdictFilter } from './features/secrets/secrets.js';
import { AnswerStatus } from './features/answers/AnswerBar.js';
import { BinsPane } from './features/bins/BinsPane.js';
import { BinWide, ViewTabs } from './features/bins/BinView.js';
import { NoBin } from './features/bins/MissingBin.js';
import { CaptureDetail, DetailPlaceholder } from './features/captures/CaptureDetail.js';
import { CaptureList } from './features/captures/CaptureList.js';
import { DiffView } from './features/captures/DiffView.js';
import { ConfirmButton, CopyButton } from './ui/common.js';
import type { SenderModel } from './state/sender.js';
import type { CheckModel } from './state/check.js';
import type { TransferModel } from './state/transfer.js';
import { TransferButtons, TransferNoticeLine } from './features/bins/TransferButtons.js';
import { CaptureSendFor } from './features/send/CaptureSend.js';
import { currentToken } from './api/token.js';
import { now } from './state/clock.js';
import { formatOffset, localOffsetMinutes, zoneName } from './ui/format.js';

const STATUS_TEXT: Record<ConnStatus | 'signed-out', string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  'signed-out': 'No token',
};

const STATUS_TITLE: Record<ConnStatus | 'signed-out', string> = {
  connecting: 'Opening the live feed',
  live: 'New captures appear as they arrive',
  reconnecting: 'The live feed is down; hookbin retries on its own and catches up when it is back',
  'signed-out': 'The live feed waits for the token: open the inspector URL hookbin printed',
};

function ConnectionStatus(props: { status: ConnStatus | 'signed-out' }) {
  const title = STATUS_TITLE[props.status];
  return (
    <span class="conn" data-testid="connection-status" data-status={props.status} title={title} role="status">
      <span class="conn-dot" aria-hidden="true" />
      {STATUS_TEXT[props.status]}
    </span>
  );
}

/** The zone every time on the page is shown in (the exact ones say it again, and their hover gives the full ISO time). */
function ZoneNote() {
  const offset = formatOffset(localOffsetMinutes(new Date(now.value).toISOString()));
  const zone = zoneName();
  return (
    <span class="zone muted small" data-testid="time-zone" title={`Times on this page are in this browser’s time zone: ${zone ? `${zone}, ` : ''}${offset} now`}>
      {offset}
    </span>
  );
}

/** Why the inspector is signed out: no token yet, a link whose token hookbin refused, or a stored token it no longer takes. */
export type SignedOutReason = 'no-token' | 'link-refused' | 'token-refused';

/** The first sentence of the sign-in screen, for each reason. */
export const SIGNED_OUT_TEXT: Record<SignedOutReason, string> = {
  'no-token': 'This browser has no hookbin token yet, so the API refuses it (401).',
  'link-refused':
    'hookbin refused the token in the link you opened (401): it is not this hookbin’s token (a link from an earlier run, or from somewhere else). This browser has no token that works.',
  'token-refused': 'hookbin refused the token this browser kept (401): it was probably started with another token since.',
};

function AuthRequired(props: { reason: SignedOutReason }) {
  return (
    <div class="auth" data-testid="auth-required" data-reason={props.reason} role="alert">
      <h2>Open the inspector from hookbin’s link</h2>
      <p data-testid="auth-reason">{SIGNED_OUT_TEXT[props.reason]}</p>
      <p>
        Open the <strong>Inspector</strong> URL that hookbin printed when it started; it carries <code class="mono">?token=…</code> and signs this browser
        in. The token is also in the data directory (<code class="mono">~/.hookbin/token</code> by default).
      </p>
    </div>
  );
}

const LINK_REFUSED_TEXT = 'The token in the link you opened was refused by hookbin; this browser keeps the token it had.';

/** Shown while signed in when the address carried a token hookbin refused: the link did not change the token. */
function LinkRefusedNote(props: { onDismiss: () => void }) {
  return (
    <div class="toast warn" role="alert" data-testid="link-token-refused">
      <span title={LINK_REFUSED_TEXT}>{LINK_REFUSED_TEXT}</span>
      <button type="button" class="btn small" aria-label="Dismiss" onClick={props.onDismiss}>
        ×
      </button>
    </div>
  );
}

function EmptyBin(props: { url: string }) {
  const curl = sampleCurl(props.url);
  return (
    <div class="empty" data-testid="empty-bin-hint">
      <h3>Waiting for the first request</h3>
      <p class="muted">Send anything to this bin’s URL; it shows up here the moment it arrives.</p>
      <div class="copyline">
        <code class="mono" data-testid="empty-bin-url">
          {props.url}
        </code>
        <CopyButton class="small" label="Copy" text={() => props.url} />
      </div>
      <p class="muted small">Try it from a terminal:</p>
      <div class="copyline">
        <code class="mono" data-testid="empty-bin-curl">
          {curl}
        </code>
        <CopyButton class="small" label="Copy" text={() => curl} />
      </div>
    </div>
  );
}

function ListPane(props: { model: Model; transfer?: TransferModel }) {
  const m = props.model;
  const bin = m.selectedBin.value;
  const list = m.list.value;
  const items = m.filtered.value;
  const f = m.filter.value;
  const filtering = f.method !== '';
  const verdict = list.verdict;
  const hint = m.searchHint.value;
  return (
    <>
      <header class="pane-head">
        <button type="button" class="btn back" data-testid="back-to-bins" onClick={() => (m.pane.value = 'bins')}>
          ‹ Bins
        </button>
        <div class="pane-title">
          <h2 title={bin?.name}>{bin ? bin.name : 'No bin'}</h2>
          {bin && (
            <span class="muted small" data-testid="capture-count">
              {bin.captureCount.toLocaleString()} {bin.captureCount === 1 ? 'capture' : 'captures'}
              {bin.prunedCount > 0 && (
                <span data-testid="pruned-count" title="older captures removed by retention">
                  {' '}
                  · {bin.prunedCount.toLocaleString()} pruned
                </span>
              )}
            </span>
          )}
        </div>
        {bin && props.transfer && <TransferButtons binId={bin.id} captureCount={bin.captureCount} transfer={props.transfer} />}
        {bin && (
          <ConfirmButton
            class="small danger-quiet"
            label="Clear"
            confirm="Delete every capture?"
            testid="clear-bin"
            disabled={bin.captureCount === 0 && list.items.length === 0}
            onConfirm={() => void m.clearBin(bin.id)}
          />
        )}
      </header>
      {bin && props.transfer && <TransferNoticeLine binId={bin.id} transfer={props.transfer} />}
      {/* In the other views this pane is hidden and the wide pane carries the tabs (one set in the page). */}
      {bin && m.view.value === 'captures' && <ViewTabs view={m.view.value} onView={m.setView} secrets={bin.secrets.length} />}
      {bin && m.view.value === 'captures' && (
        <div class="answer-line" data-testid="answer-line">
          <AnswerStatus compact respond={bin.respond} onClick={() => m.setView('answers')} />
        </div>
      )}
      {bin && (
        <div class="toolbar">
          <input
            class="input filter"
            type="search"
            data-testid="filter-input"
            placeholder="Search bodies, headers, path"
            aria-label="Search captures: body text, headers, path and query"
            title="Words are found anywhere in a capture's body (decoded when compressed), headers, path or query; each needs 3 characters; quote a phrase"
            value={f.text}
            onInput={(e) => m.typeSearch(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') m.searchNow('');
              if (e.key === 'Enter') m.searchNow(e.currentTarget.value);
              if (e.key === 'ArrowDown' || e.key === 'Enter') e.currentTarget.blur();
            }}
          />
          <span class="toolbar-selects">
            <select
              class="input method-filter"
              data-testid="method-filter"
              aria-label="Method"
              value={f.method}
              onChange={(e) => (m.filter.value = { ...m.filter.value, method: e.currentTarget.value })}
            >
              <option value="">All methods</option>
              {methodOptions(list.items).map((x) => (
                <option key={x} value={x}>
                  {x}
                </option>
              ))}
            </select>
            <select
              class="input verdict-filter"
              data-testid="verdict-filter"
              aria-label="Signature verdict"
              title="Only captures with this signature verdict (filtered by hookbin, so older pages hold matches too)"
              value={verdict ?? ''}
              onChange={(e) => void m.setVerdictFilter((e.currentTarget.value || null) as VerdictFilter | null)}
            >
              <option value="">All verdicts</option>
              {VERDICT_FILTERS.map((v) => (
                <option key={v} value={v}>
                  {verdictLabel(v)}
                </option>
              ))}
            </select>
          </span>
        </div>
      )}
      {hint !== null && (
        <div class="filter-note small muted" data-testid="search-hint" role="status">
          {hint}
        </div>
      )}
      {list.search !== '' && list.pending > 0 && (
        <div class="filter-note small muted" data-testid="search-pending" role="status">
          hookbin is still indexing {list.pending.toLocaleString()} older {list.pending === 1 ? 'capture' : 'captures'} of this bin: they are not searched yet.
        </div>
      )}
      {filtering && list.items.length > 0 && (
        <div class="filter-note small muted" data-testid="filter-count">
          {items.length.toLocaleString()} of {list.items.length.toLocaleString()} loaded
          {list.next !== null ? ' (older pages load as you scroll)' : ''}
        </div>
      )}
      {!bin ? (
        <NoBin model={m} />
      ) : !list.loaded ? (
        <DetailPlaceholder text="Loading captures…" />
      ) : list.items.length === 0 && list.next === null && list.search !== '' ? (
        <DetailPlaceholder text={`No capture holds “${list.search}” in its body, headers, path or query${verdict !== null ? ` and is ${verdictLabel(verdict)}` : ''}.`} />
      ) : list.items.length === 0 && list.next === null && verdict !== null ? (
        <DetailPlaceholder text={`No capture is ${verdictLabel(verdict)}.`} />
      ) : list.items.length === 0 && list.next === null ? (
        <EmptyBin url={bin.url} />
      ) : items.length === 0 && list.next === null ? (
        <DetailPlaceholder text="No capture matches the filter." />
      ) : (
        <CaptureList
          items={items}
          selectedId={m.selectedCaptureId.value}
          hasMore={list.next !== null}
          loadingMore={m.loadingOlder.value}
          onSelect={(id, open) => m.selectCapture(id, { open })}
          onNeedMore={() => void m.loadOlder()}
        />
      )}
    </>
  );
}

function BinsColumn(props: { model: Model }) {
  const m = props.model;
  return (
    <BinsPane
      bins={m.bins.value}
      selectedId={m.selectedBinId.value}
      onSelect={(id) => void m.selectBin(id)}
      onCreate={(input) => m.createBin(input)}
      onRename={(id, name) => m.renameBin(id, name)}
      onDelete={(id) => void m.deleteBin(id)}
    />
  );
}

function DetailPane(props: { model: Model; api: Api; sender?: SenderModel }) {
  const m = props.model;
  const id = m.selectedCaptureId.value;
  const d = m.selectedDetail.value;
  // Only the URL matters here: count changes of the bin must not re-render a big detail.
  const binUrl = useComputed(() => m.selectedBin.value?.url ?? null).value;
  const otherId = m.comparedWith.value;
  const other = otherId === null ? null : (m.details.value.get(otherId) ?? { state: 'loading' as const });
  return (
    <>
      <header class="pane-head narrow-only">
        <button type="button" class="btn back" data-testid="back-to-list" onClick={() => (m.pane.value = 'list')}>
          ‹ Captures
        </button>
      </header>
      <div class="detail-scroll" data-testid="detail-panel">
        {id === null || d === null ? (
          <DetailPlaceholder text="Select a capture to see it whole. ↑/↓ or j/k move, Enter opens." />
        ) : d.state === 'loading' ? (
          <DetailPlaceholder text="Loading…" />
        ) : d.state === 'error' ? (
          <DetailPlaceholder error text={d.gone ? 'This capture is gone (deleted or pruned).' : `Could not load the capture: ${d.message}`} />
        ) : other?.state === 'ok' ? (
          // The earlier capture on the left, so a retry reads as what changed since attempt 1.
          <DiffView key={d.capture.id + other.capture.id} {...(d.capture.receivedAt <= other.capture.receivedAt ? { a: d.capture, b: other.capture } : { a: other.capture, b: d.capture })} api={props.api} onClose={() => endCompare(m)} />
        ) : other !== null ? (
          <DetailPlaceholder error={other.state === 'error'} text={other.state === 'error' ? `Could not load the capture: ${other.message}` : 'Loading…'} />
        ) : (
          <CaptureDetail
            key={d.capture.id}
            capture={d.capture}
            binUrl={binUrl ?? `${location.origin}/b/${d.capture.binId}`}
            onDelete={() => void m.deleteCapture(d.capture.id)}
            api={props.api}
            onSecrets={() => m.setView('secrets')}
            sender={props.sender && <CaptureSendFor model={m} sender={props.sender} capture={d.capture} />}
            onEvents={() => m.setView('events')}
            onCompare={m.compareWith}
            compareChoices={() => m.list.value.items}
            onDiffFirst={() => void m.compareWithFirst(d.capture)}
          />
        )}
      </div>
    </>
  );
}

/** Closes the comparison and gives the focus back to the button that opened one, not to the page's body. */
function endCompare(m: Model) {
  m.compareWith(null);
  requestAnimationFrame(() => document.querySelector<HTMLElement>('[data-testid=diff-first], [data-testid=compare-with]')?.focus());
}

/** True when a key press belongs to a form field rather than to the list. */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** The whole inspector: bins | captures | detail (one at a time on a narrow window). */
export function App(props: { model: Model; api: Api; sender?: SenderModel; transfer?: TransferModel; check?: CheckModel }) {
  const m = props.model;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      // The keys move through the captures; the other views have none.
      if (m.view.value !== 'captures') return;
      const inDetail = e.target instanceof Element && e.target.closest('.pane-detail') !== null;
      const onButton = e.target instanceof Element && e.target.closest('button, a, [role=tab]') !== null;
      if (e.key === 'j' || (e.key === 'ArrowDown' && !inDetail)) {
        e.preventDefault();
        m.step(1);
      } else if (e.key === 'k' || (e.key === 'ArrowUp' && !inDetail)) {
        e.preventDefault();
        m.step(-1);
      } else if (e.key === 'Enter' && !onButton && m.selectedCaptureId.value !== null) {
        e.preventDefault();
        m.selectCapture(m.selectedCaptureId.value, { open: true });
      } else if (e.key === 'Escape' && m.comparedWith.value !== null) {
        endCompare(m);
      } else if (e.key === 'Escape' && m.pane.value === 'detail') {
        m.pane.value = 'list';
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [m]);

  if (m.authRequired.value) {
    return (
      <div class="app">
        <TopBar model={m} />
        <AuthRequired reason={m.linkRefused.value ? 'link-refused' : currentToken() === null ? 'no-token' : 'token-refused'} />
      </div>
    );
  }

  return (
    <div class="app">
      <TopBar model={m} />
      <main class="layout" data-pane={m.pane.value} data-view={m.view.value} data-wide={m.view.value !== 'captures' ? 'true' : undefined}>
        <aside class="pane pane-bins" data-testid="bins-pane" aria-label="Bins">
          <BinsColumn model={m} />
        </aside>
        <section class="pane pane-list" data-testid="list-pane" aria-label="Captures">
          <ListPane model={m} transfer={props.transfer} />
        </section>
        <section class="pane pane-detail" data-testid="detail-pane" aria-label="Capture">
          <DetailPane model={m} api={props.api} sender={props.sender} />
        </section>
        {m.view.value !== 'captures' && (
          <section class="pane pane-wide" data-testid="wide-pane" aria-label="Bin">
            <BinWide model={m} sender={props.sender} check={props.check} />
          </section>
        )}
      </main>
    </div>
  );
}

function TopBar(props: { model: Model }) {
  const m = props.model;
  const err = m.error.value;
  return (
    <header class="topbar">
      <span class="brand">hookbin</span>
      {err && (
        <div class="toast" role="alert" data-testid="error-toast">
          <span>{err}</span>
          <button type="button" class="btn small" aria-label="Dismiss" onClick={() => (m.error.value = null)}>
            ×
          </button>
        </div>
      )}
      {m.linkRefused.value && !m.authRequired.value && <LinkRefusedNote onDismiss={() => (m.linkRefused.value = false)} />}
      <ZoneNote />
      {/* Without the token the feed is stopped: "Connecting…" forever would be a lie. */}
      <ConnectionStatus status={m.authRequired.value ? 'signed-out' : m.status.value} />
    </header>
  );
}
