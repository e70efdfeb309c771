import { useEffect, useState } from 'preact/hooks';
import type { Capture, OutboxSummary } from '../../../../server/common/types.js';
import { isPartialBody } from '../captures/body.js';
import type { Model } from '../../state/model.js';
import { deliveryStateText, resendTarget, type SenderModel } from '../../state/sender.js';
import { RelTime, Section } from '../../ui/common.js';
import { ReplyStatus, ReplyView } from './Outbox.js';

export interface CaptureSendProps {
  capture: Capture;
  /** The bin's forward target (or null): where a resend goes without a URL. */
  forwardTo: string | null;
  /** The URL this bin's captures were last resent to ('' for none): the field's default. */
  remembered: string;
  /** This capture's resends, newest first, or undefined while loading. */
  resends: OutboxSummary[] | undefined;
  /** Exact resend; resolves to an error sentence, or null. */
  onResend: (url: string | undefined) => Promise<string | null>;
  /** Opens the composer prefilled from the capture. */
  onEdit: (url: string) => void;
  /** Shows one resend in the outbox. */
  onOpen: (deliveryId: string) => void;
}

/**
 * Beside a capture: what the app answered when it was forwarded, "Resend"
 * (exact, one click) and "Edit and resend", and the resends made of it.
 */
export function CaptureSend(props: CaptureSendProps) {
  const c = props.capture;
  const f = c.forward;
  const [url, setUrl] = useState(props.remembered);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Another capture, or a resend from elsewhere changed the default: the field shows it afresh.
  useEffect(() => {
    setUrl(props.remembered);
    setError(null);
  }, [c.id, props.remembered]);
  const target = url.trim() || props.forwardTo || '';
  const resend = async () => {
    setBusy(true);
    setError(await props.onResend(url.trim() || undefined));
    setBusy(false);
  };
  return (
    <>
      {f && (
        <Section
          title={
            <>
              Forwarded <ReplyStatus status={f.status} error={f.error} testid="forward-reply-status" />
            </>
          }
          testid="forward-section"
        >
          <p class="muted small" data-testid="forward-line">
            to <span class="mono">{f.url}</span> · {f.durationMs} ms · <RelTime iso={f.at} />
            {f.relayed ? ' · relayed to the sender' : ''}
            {f.errorMessage ? ` · ${f.errorMessage}` : ''}
          </p>
          {f.response && <ReplyView reply={f.response} testid="forward-reply" />}
        </Section>
      )}
      <Section title="Resend" testid="resend-section">
        <div class="composer-line">
          <input
            class="input mono grow"
            type="url"
            aria-label="Resend to"
            data-testid="resend-url"
            placeholder={props.forwardTo ? `${props.forwardTo} (the bin’s forward target)` : 'http://localhost:3000/webhook'}
            value={url}
            onInput={(e) => setUrl(e.currentTarget.value)}
          />
          <button
            type="button"
            class="btn primary"
            data-testid="resend"
            disabled={busy || target === '' || c.truncated}
            title={c.truncated ? 'Only part of this body was kept: use Edit and resend' : 'Send these exact bytes and headers again'}
            onClick={() => void resend()}
          >
            Resend
          </button>
          <button
            type="button"
            class="btn"
            data-testid="edit-resend"
            // The composer edits the body as text: only a body the capture carries whole can go there.
            disabled={isPartialBody(c)}
            title={isPartialBody(c) ? 'This body is too large to edit here: use Resend (the exact bytes)' : undefined}
            onClick={() => props.onEdit(target)}
          >
            Edit and resend
          </button>
        </div>
        {target === '' && <p class="muted small">Type a URL, or set the bin’s forward target in its Send tab.</p>}
        {error && (
          <p class="error small" data-testid="resend-error">
            {error}
          </p>
        )}
        {props.resends && props.resends.length > 0 && (
          <ul class="resends" data-testid="resends">
            {props.resends.map((d) => (
              <li key={d.id} data-testid="resend-row" data-state={d.state}>
                <button type="button" class="linklike" onClick={() => props.onOpen(d.id)}>
                  <ReplyStatus status={d.lastStatus} error={d.lastError ?? (d.state === 'pending' ? 'pending' : null)} />
                </button>{' '}
                <span class="mono small">{d.url}</span> <span class="small">{deliveryStateText(d)}</span> <span class="muted small"><RelTime iso={d.createdAt} /></span>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}

/** CaptureSend wired to the models: loads the capture's resends once it opens. */
export function CaptureSendFor(props: { model: Model; sender: SenderModel; capture: Capture }) {
  const { model: m, sender: s, capture: c } = props;
  useEffect(() => {
    void s.loadResends(c.id);
  }, [c.id]);
  const bin = m.bins.value.find((b) => b.id === c.binId);
  const forwardTo = bin?.forwardTo ?? m.info.value?.forward?.url ?? null;
  return (
    <CaptureSend
      capture={c}
      forwardTo={forwardTo === null ? null : forwardTarget(forwardTo, c)}
      resends={s.resends.value.get(c.id)}
      remembered={resendTarget(s.targets.value, c.binId)}
      onResend={(url) => s.resendCapture(c.id, url, c.binId)}
      onEdit={(url) => {
        s.editCapture(c, url);
        m.setView('send');
      }}
      onOpen={(id) => {
        s.toggle(id, true);
        m.setView('send');
      }}
    />
  );
}

/** Where hookbin resends a capture by default (as the server builds it): the forward target with the captured sub-path and query. */
export function forwardTarget(forwardTo: string, c: { path: string; query: string }): string {
  try {
    const u = new URL(forwardTo);
    let base = u.pathname;
    if (c.path !== '' && base.endsWith('/')) base = base.slice(0, -1);
    const query = [u.search.slice(1), c.query].filter((q) => q !== '').join('&');
    const auth = u.username === '' ? '' : `${u.username}${u.password === '' ? '' : `:${u.password}`}@`;
    return `${u.protocol}//${auth}${u.host}${base}${c.path}${query === '' ? '' : `?${query}`}`;
  } catch {
    return forwardTo;
  }
}
