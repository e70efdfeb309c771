import type { RetryPreset, WebhookTemplate } from '../../../../server/common/types.js';
import { SchemeSelect, SecretPick } from './pickers.js';
import { CUSTOM_SCHEDULE, parseSchedule, retriesText, scheduleText, TIME_SCALES, type Draft, type HeaderRow } from '../../state/sender.js';

const METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'];

export interface ComposerProps {
  draft: Draft;
  onChange: (d: Draft) => void;
  templates: WebhookTemplate[];
  presets: RetryPreset[];
  /** Picks a template (rendered fresh by hookbin); '' for none. */
  onTemplate: (id: string) => void;
  onSend: () => void;
  /** Drops an "Edit and resend" draft, back to a new request. */
  onNew: () => void;
  sending: boolean;
  error: string | null;
  /** Names of the secrets the bin and `--secret` hold, offered for the secret field. */
  secretNames: string[];
  /** The user's own schemes the bin can sign with (its own, then `--schemes`). */
  ownSchemes: readonly { id: string; header: string }[];
  /** The bin's own URL: "Send to this bin" sends the draft there. */
  binUrl: string;
  onSendToBin: () => void;
}

function HeaderRows(props: { rows: HeaderRow[]; onChange: (rows: HeaderRow[]) => void }) {
  const set = (i: number, row: HeaderRow) => props.onChange(props.rows.map((r, j) => (j === i ? row : r)));
  return (
    <div class="header-rows" data-testid="composer-headers">
      {props.rows.map((r, i) => (
        <div class="header-row" key={i} data-testid="composer-header">
          <input
            class="input mono"
            aria-label={`Header ${i + 1} name`}
            data-testid="composer-header-name"
            placeholder="Name"
            value={r.name}
            onInput={(e) => set(i, { ...r, name: e.currentTarget.value })}
          />
          <input
            class="input mono grow"
            aria-label={`Header ${i + 1} value`}
            data-testid="composer-header-value"
            placeholder="value"
            value={r.value}
            onInput={(e) => set(i, { ...r, value: e.currentTarget.value })}
          />
          <button type="button" class="btn small danger-quiet" aria-label={`Remove header ${r.name || i + 1}`} onClick={() => props.onChange(props.rows.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" class="btn small" data-testid="composer-add-header" onClick={() => props.onChange([...props.rows, { name: '', value: '' }])}>
        + Header
      </button>
    </div>
  );
}

/**
 * The composer: where to send, what, signed how, retried how. Everything
 * it holds is the draft in the sender model; hookbin signs and sends.
 */
export function Composer(props: ComposerProps) {
  const d = props.draft;
  const set = (patch: Partial<Draft>) => props.onChange({ ...d, ...patch });
  const preset = props.presets.find((p) => p.id === d.preset) ?? null;
  return (
    <form
      class="composer"
      data-testid="composer"
      data-mode={d.captureId === null ? 'send' : 'resend'}
      autocomplete="off"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSend();
      }}
    >
      {d.captureId !== null && (
        <p class="composer-note small" data-testid="composer-resend-note">
          Editing capture <span class="mono">{d.captureId}</span>: sent as a resend of it, re-signed when a scheme is set.{' '}
          <button type="button" class="linklike" data-testid="composer-new" onClick={props.onNew}>
            Start a new request instead
          </button>
        </p>
      )}
      <div class="composer-line">
        <select class="input method-select" aria-label="Method" data-testid="composer-method" value={d.method} onChange={(e) => set({ method: e.currentTarget.value })}>
          {(METHODS.includes(d.method) ? METHODS : [d.method, ...METHODS]).map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
        <input
          class="input mono grow"
          type="url"
          aria-label="Target URL"
          data-testid="composer-url"
          placeholder="http://localhost:3000/webhook"
          value={d.url}
          onInput={(e) => set({ url: e.currentTarget.value })}
        />
      </div>
      {d.url.trim() === props.binUrl && (
        <p class="muted small" data-testid="composer-to-bin">
          This bin’s own URL: the request arrives in its captures, judged against its secrets and answered by its rules.
        </p>
      )}
      {d.url.trim().startsWith('https:') && (
        <label class="check small" title="For an app on https://localhost with a self-signed certificate">
          <input type="checkbox" data-testid="composer-insecure" checked={d.insecure} onChange={(e) => set({ insecure: e.currentTarget.checked })} />
          don’t verify the target’s certificate
        </label>
      )}

      <label class="field">
        <span class="field-label">Template</span>
        <select class="input" data-testid="composer-template" value={d.template ?? ''} onChange={(e) => props.onTemplate(e.currentTarget.value)}>
          <option value="">{d.captureId !== null ? 'the captured request' : 'none: write your own'}</option>
          {props.templates.map((t) => (
            <option key={t.id} value={t.id}>
              {t.provider}: {t.event}
            </option>
          ))}
        </select>
        <span class="field-help muted small">Fresh ids and timestamps each time you pick one.</span>
      </label>

      <div class="field">
        <span class="field-label">Headers</span>
        <HeaderRows rows={d.headers} onChange={(headers) => set({ headers })} />
      </div>

      <label class="field">
        <span class="field-label">Body</span>
        <textarea class="input mono composer-body" data-testid="composer-body" rows={10} spellcheck={false} value={d.body} onInput={(e) => set({ body: e.currentTarget.value })} />
      </label>

      <div class="composer-grid">
        <label class="field">
          <span class="field-label">Sign with</span>
          <SchemeSelect value={d.scheme} onChange={(scheme) => set({ scheme })} ownSchemes={props.ownSchemes} none="unsigned" testid="composer-scheme" />
        </label>
        <div class="field">
          <span class="field-label">Secret</span>
          <SecretPick value={d.secret} onChange={(secret) => set({ secret })} names={props.secretNames} disabled={d.scheme === ''} testid="composer-secret" />
        </div>
        <label class="field">
          <span class="field-label">Retries</span>
          <select class="input" data-testid="composer-preset" value={d.preset} onChange={(e) => set({ preset: e.currentTarget.value })}>
            <option value="">none: one attempt</option>
            {props.presets.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
            <option value={CUSTOM_SCHEDULE}>your own waits…</option>
          </select>
        </label>
        {d.preset === CUSTOM_SCHEDULE && (
          <label class="field">
            <span class="field-label">Waits before each attempt (ms)</span>
            <input
              class="input mono"
              data-testid="composer-waits"
              placeholder="0,1000,5000"
              spellcheck={false}
              value={d.schedule}
              onInput={(e) => set({ schedule: e.currentTarget.value })}
            />
          </label>
        )}
        <label class="field">
          <span class="field-label">Time scale</span>
          <select
            class="input"
            data-testid="composer-scale"
            disabled={d.preset === ''}
            value={String(d.timeScale)}
            onChange={(e) => set({ timeScale: Number(e.currentTarget.value) })}
          >
            {TIME_SCALES.map((s) => (
              <option key={s} value={String(s)}>
                {s}× {s === 1 ? '(real time)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span class="field-label">Timeout (ms)</span>
          <input
            class="input mono"
            inputMode="numeric"
            data-testid="composer-timeout"
            placeholder={preset?.timeoutMs ? String(preset.timeoutMs) : '10000'}
            value={d.timeoutMs}
            onInput={(e) => set({ timeoutMs: e.currentTarget.value })}
          />
        </label>
      </div>
      {preset && (
        <p class="muted small" data-testid="composer-schedule">
          {scheduleText(preset, d.timeScale)}. Retries on {preset.retriesOn}.
        </p>
      )}
      {d.preset === CUSTOM_SCHEDULE && <CustomScheduleText text={d.schedule} scale={d.timeScale} />}
      {d.scheme !== '' && (
        <p class="muted small">
          The secret is a value, or the name of one of this bin’s secrets (or a <code class="mono">--secret</code>); hookbin signs every attempt.
        </p>
      )}
      {props.error && (
        <p class="error small" role="alert" data-testid="composer-error">
          {props.error}
        </p>
      )}
      <div class="composer-actions">
        <button type="submit" class="btn primary" data-testid="composer-send" disabled={props.sending}>
          {props.sending ? 'Sending…' : d.captureId !== null ? 'Resend edited' : 'Send'}
        </button>
        <button
          type="button"
          class="btn"
          data-testid="composer-send-to-bin"
          disabled={props.sending}
          title={`Send it to ${props.binUrl}: it shows up in this bin's captures`}
          onClick={props.onSendToBin}
        >
          Send to this bin
        </button>
      </div>
    </form>
  );
}

/** A typed schedule in words, or what is wrong with it; the next attempt goes after a non-2xx answer or a failed connection. */
function CustomScheduleText(props: { text: string; scale: number }) {
  const s = parseSchedule(props.text);
  if (!s.ok) return <p class="muted small" data-testid="composer-schedule">{s.error}</p>;
  const first = s.schedule[0]!;
  return (
    <p class="muted small" data-testid="composer-schedule">
      {retriesText(s.schedule.slice(1), props.scale)}
      {first > 0 ? `; the first attempt after ${first} ms${props.scale === 1 ? '' : ` ÷ ${props.scale}`}` : ''}. Retries on a non-2xx answer or a failed
      connection.
    </p>
  );
}
