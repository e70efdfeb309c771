import type { ComponentChildren } from 'preact';
import { useMemo, useRef, useState } from 'preact/hooks';
import { bodyFileName } from '../../../../server/common/body-inline.js';
import type { Capture, CaptureSummary } from '../../../../server/common/types.js';
import type { Api } from '../../api/http.js';
import { errorMessage } from '../../api/http.js';
import { isPartialBody } from './body.js';
import { buildCurl, captureUrl } from './curl.js';
import { PROVIDER_TITLE } from './row.js';
import { downloadBody } from '../../api/download.js';
import { base64ToBytes, contentEncodings, formatBytes, formatTimestampZoned, parseQuery, timeTitle } from '../../ui/format.js';
import { BodyView } from './BodyView.js';
import { ComparePicker } from './ComparePicker.js';
import { ConfirmButton, CopyButton, MethodBadge, PairsTable, RelTime, Section, StatusBadge } from '../../ui/common.js';
import { SignaturePanel } from '../secrets/SignaturePanel.js';

export interface CaptureDetailProps {
  capture: Capture;
  /** The bin's ingress URL, for Copy as cURL. */
  binUrl: string;
  onDelete: () => void;
  /** Reads the stored body and its decoded view (the JSON carries only the first part of a large body), and Download body. */
  api: Pick<Api, 'getBody'>;
  /** Opens the bin's secrets editor. */
  onSecrets: () => void;
  /** Shown under the request's header: the forward reply, resend (the sender's panel). */
  sender?: ComponentChildren;
  /** Opens the bin's events view. */
  onEvents: () => void;
  /** Compares this capture with another ("Compare with…" offers `compareChoices()`, the list's loaded captures, read when it opens). */
  onCompare?: (otherId: string) => void;
  compareChoices?: () => readonly CaptureSummary[];
  /** Compares a retry (attempt 2 or later) with its event's first attempt. */
  onDiffFirst?: () => void;
}

/**
 * Copy as cURL, Show cURL, Download body and Delete, with what they need to
 * say: a download that failed, and for a body the capture carries only in
 * part (`partial`), that the command reads it from the file Download body saves.
 */
function CaptureActions(props: { capture: Capture; binUrl: string; partial: boolean; api: Pick<Api, 'getBody'>; onDelete: () => void; children?: ComponentChildren }) {
  const c = props.capture;
  const [showCurl, setShowCurl] = useState(false);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const bodyFile = bodyFileName(c.id);
  const curl = () =>
    buildCurl({
      method: c.method,
      url: captureUrl(props.binUrl, c.path, c.query),
      headers: c.headers,
      bodyBase64: c.bodyBase64,
      bodyFile: props.partial ? bodyFile : undefined,
    });
  const download = () => {
    setDownloadError(null);
    downloadBody(props.api, c.id, bodyFile).catch((err: unknown) => setDownloadError(`Download failed: ${errorMessage(err)}`));
  };
  return (
    <>
      <div class="actions">
        <CopyButton label="Copy as cURL" testid="copy-curl" text={curl} title="A curl command that sends this request again, byte for byte" />
        <button type="button" class="btn" data-testid="show-curl" aria-pressed={showCurl} onClick={() => setShowCurl(!showCurl)}>
          {showCurl ? 'Hide cURL' : 'Show cURL'}
        </button>
        <button type="button" class="btn" data-testid="download-body" title="Save the exact body bytes as a file" onClick={download}>
          Download body
        </button>
        {props.children}
        <ConfirmButton label="Delete" confirm="Delete this capture?" testid="delete-capture" class="danger-quiet" onConfirm={props.onDelete} />
      </div>
      {downloadError !== null && (
        <p class="warn small" role="alert" data-testid="download-error">
          {downloadError}
        </p>
      )}
      {props.partial && (
        <p class="muted small" data-testid="curl-body-file">
          The body ({formatBytes(c.storedSize)}) is too large to paste: Copy as cURL reads it from {bodyFile}, which Download body saves.
        </p>
      )}
      {showCurl && (
        <pre class="curl mono" data-testid="curl-text">
          {curl()}
        </pre>
      )}
    </>
  );
}

/** The request line, when and from where it arrived, and its event (attempt n of event key). */
function RequestHead(props: { capture: Capture; onEvents: () => void }) {
  const c = props.capture;
  const target = `/b/${c.binId}${c.path}${c.query !== '' ? `?${c.query}` : ''}`;
  return (
    <>
      <div class="request-line mono" data-testid="request-line">
        <MethodBadge method={c.method} />
        <span class="target" title={target}>
          {target}
        </span>
        {c.httpVersion && <span class="muted">HTTP/{c.httpVersion}</span>}
      </div>
      <div class="meta small">
        <span title={timeTitle(c.receivedAt)}>{formatTimestampZoned(c.receivedAt)}</span>
        <span class="muted">
          (<RelTime iso={c.receivedAt} />)
        </span>
        {c.remoteAddress && <span class="muted">from {c.remoteAddress}</span>}
        <span class="muted mono" title="capture id">
          {c.id}
        </span>
      </div>
      <div class="meta small" data-testid="capture-event">
        <span class="event-attempt" data-testid="capture-attempt" title="1 for the first delivery of this event in the bin, 2 for its first retry, …">
          attempt {c.event.attempt}
        </span>
        <span class="muted">of event</span>
        <button type="button" class="linklike mono event-key" data-testid="capture-event-key" title="Show this event’s attempts on its timeline" onClick={props.onEvents}>
          {c.event.key}
        </button>
        {c.event.type !== null && <span class="mono muted">{c.event.type}</span>}
        {c.provider && (
          <span class="muted" data-testid="capture-provider" data-provider={c.provider.id} title={PROVIDER_TITLE}>
            sent by {c.provider.name}
          </span>
        )}
      </div>
    </>
  );
}

/** What hookbin answered: status (or the fault), why, its headers and body. */
function ResponseSection(props: { capture: Capture }) {
  const c = props.capture;
  return (
    <Section
      title={
        <>
          Response <StatusBadge status={c.response.status} />
        </>
      }
      testid="response-section"
    >
      <p class="muted small" data-testid="response-reason">
        {c.response.fault === 'reset'
          ? 'No reply: hookbin reset the connection'
          : c.response.fault === 'hang'
            ? 'No reply: hookbin held the connection until the client gave up'
            : `Answered ${c.response.status}`}
        {c.response.delayMs > 0 ? ` after ${c.response.delayMs} ms` : ''} · because: {c.response.reason}
      </p>
      <PairsTable pairs={c.response.headers} testid="response-headers" empty="No extra headers." />
      {c.response.body !== '' ? (
        <pre class="text-view mono" data-testid="response-body">
          {c.response.body}
        </pre>
      ) : (
        <p class="muted small">Empty body.</p>
      )}
    </Section>
  );
}

/** One capture, complete: request line, headers as received, query, body, what hookbin answered. */
export function CaptureDetail(props: CaptureDetailProps) {
  const c = props.capture;
  const bytes = useMemo(() => base64ToBytes(c.bodyBase64), [c.bodyBase64]);
  const query = useMemo(() => parseQuery(c.query), [c.query]);
  const encodings = contentEncodings(c.headers);
  // Only the first part of a large body is at hand: the views read the rest, the cURL reads the downloaded file.
  const partial = isPartialBody(c);
  const { api, onCompare } = props;
  const [picking, setPicking] = useState(false);
  const compareButton = useRef<HTMLButtonElement>(null);
  return (
    <article class="detail" data-testid="capture-detail" data-capture-id={c.id}>
      <header class="detail-head">
        <RequestHead capture={c} onEvents={props.onEvents} />
        <CaptureActions capture={c} binUrl={props.binUrl} partial={partial} api={api} onDelete={props.onDelete}>
          {/* Comparing: a retry with its first attempt, or with any other loaded capture picked from a list. */}
          {props.onDiffFirst && c.event.attempt > 1 && (
            <button type="button" class="btn" data-testid="diff-first" onClick={props.onDiffFirst}>
              Diff with attempt 1
            </button>
          )}
          {onCompare && (
            <button ref={compareButton} type="button" class="btn" data-testid="compare-with" aria-expanded={picking} onClick={() => setPicking(!picking)}>
              Compare with…
            </button>
          )}
        </CaptureActions>
        {picking && onCompare && (
          <ComparePicker
            self={c.id}
            choices={props.compareChoices?.() ?? []}
            onCompare={onCompare}
            onClose={() => {
              setPicking(false);
              compareButton.current?.focus();
            }}
          />
        )}
        {c.truncated && (
          <p class="warn small" data-testid="truncated-note">
            The body was over the size limit: hookbin kept its first {formatBytes(c.storedSize)} of {formatBytes(c.bodySize)} and answered 413. The views, the
            download and the cURL carry the kept bytes only.
          </p>
        )}
      </header>
      {props.sender}

      <Section title={c.signatures.length > 1 ? `Signatures (${c.signatures.length})` : 'Signature'} testid="signatures-section">
        <SignaturePanel signatures={c.signatures} onSecrets={props.onSecrets} />
      </Section>

      <Section title={`Headers (${c.headers.length})`} testid="headers-section">
        <PairsTable pairs={c.headers} testid="headers-table" empty="No headers." />
      </Section>

      <Section title={`Query (${query.length})`} testid="query-section">
        {c.query === '' ? (
          <p class="muted small">No query string.</p>
        ) : (
          <>
            <PairsTable pairs={query} testid="query-table" empty="No parameters." />
            <p class="raw-query mono small" data-testid="query-raw" title="the raw query string">
              ?{c.query}
            </p>
          </>
        )}
      </Section>

      <Section
        title="Body"
        testid="body-section"
        actions={
          <span class="muted small" data-testid="body-size">
            {formatBytes(c.bodySize)}
            {c.truncated ? ` (${formatBytes(c.storedSize)} kept)` : ''}
            {c.contentType ? ` · ${c.contentType}` : ''}
            {encodings.length > 0 ? ` · ${encodings.join(', ')}` : ''}
          </span>
        }
      >
        <BodyView
          bytes={bytes}
          text={c.body}
          size={partial ? c.storedSize : undefined}
          readBody={(range, signal) => api.getBody(c.id, false, { range, signal }).then((b) => b.bytes)}
          contentType={c.contentType}
          encodings={encodings}
          id={c.id}
          loadDecoded={(id, range, signal) => api.getBody(id, true, { range, signal })}
        />
      </Section>

      <ResponseSection capture={c} />
    </article>
  );
}

/** What the detail pane shows before a capture is picked, while loading, or on failure. */
export function DetailPlaceholder(props: { text: string; error?: boolean }) {
  return (
    <div class={`placeholder ${props.error ? 'error' : 'muted'}`} data-testid="detail-placeholder">
      {props.text}
    </div>
  );
}
