import { signsUrl, type CheckReport } from '../../../../server/common/check.js';
import type { WebhookTemplate } from '../../../../server/common/types.js';
import { verdictText, withTemplate, type CheckForm, type CheckModel } from '../../state/check.js';
import { CheckResultRow } from './CheckResultRow.js';
import { SchemeSelect, SecretPick } from './pickers.js';

/** What the panel is given by the Send tab. */
export interface CheckPanelProps {
  check: CheckModel;
  /** The bin the Send tab is on: its secrets are offered by name. */
  binId: string;
  templates: WebhookTemplate[];
  /** Names of the secrets the bin and `--secret` hold. */
  secretNames: string[];
  /** The user's own schemes (the bin's, then `--schemes`). */
  ownSchemes: readonly { id: string; header: string; signed: string }[];
}

function Report(props: { report: CheckReport }) {
  const r = props.report;
  return (
    <div class="check-report" data-testid="check-report" data-passed={String(r.passed)}>
      <p class="muted small">
        <span class="mono">{r.to}</span> as {r.scheme}
        {r.signedUrl !== undefined && (
          <>
            , signed for <span class="mono">{r.signedUrl}</span>
          </>
        )}{' '}
        ({r.template}), judged against a {r.timeoutMs} ms timeout; {r.durationMs} ms in all.
      </p>
      <ol class="check-results">
        {r.results.map((x) => (
          <CheckResultRow key={x.check} r={x} />
        ))}
      </ol>
    </div>
  );
}

/** The form's choices: scheme, secret (by name or value), template, timeout. */
function Fields(props: CheckPanelProps & { f: CheckForm; set: (patch: Partial<CheckForm>) => void }) {
  const { f, set } = props;
  return (
    <div class="composer-grid">
      <label class="field">
        <span class="field-label">Scheme</span>
        <SchemeSelect value={f.scheme} onChange={(scheme) => set({ scheme })} ownSchemes={props.ownSchemes} none="pick one…" testid="check-scheme" />
      </label>
      <div class="field">
        <span class="field-label">Secret</span>
        <SecretPick value={f.secret} onChange={(secret) => set({ secret })} names={props.secretNames} testid="check-secret" />
      </div>
      <label class="field">
        <span class="field-label">Template</span>
        <select class="input" data-testid="check-template" value={f.template} onChange={(e) => (props.check.form.value = withTemplate(f, e.currentTarget.value, props.templates))}>
          <option value="">the scheme’s own</option>
          {props.templates.map((t) => (
            <option key={t.id} value={t.id}>
              {t.provider}: {t.event}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span class="field-label">Timeout (ms)</span>
        <input
          class="input mono"
          inputMode="numeric"
          data-testid="check-timeout"
          placeholder="the provider’s"
          value={f.timeoutMs}
          onInput={(e) => set({ timeoutMs: e.currentTarget.value })}
        />
      </label>
    </div>
  );
}

/** The URL the provider is configured with: only for a scheme that signs the URL (Twilio's behind a tunnel signs the tunnel's, not the endpoint's). */
function PublicUrlField(props: { f: CheckForm; set: (patch: Partial<CheckForm>) => void }) {
  return (
    <label class="field">
      <span class="field-label">Public URL</span>
      <input
        class="input mono"
        type="url"
        data-testid="check-public-url"
        placeholder="https://abc.ngrok.app/webhook"
        value={props.f.publicUrl}
        onInput={(e) => props.set({ publicUrl: e.currentTarget.value })}
      />
      <span class="field-help muted small">
        {props.f.scheme} signs the URL it calls: give the one set at the provider (your tunnel’s).
      </span>
    </label>
  );
}

/**
 * "Check endpoint": hookbin plays the provider against the user's own
 * endpoint (`POST /api/check`) and reports check by check whether it refuses
 * what a correct receiver refuses. Everything the endpoint answered is shown
 * as text.
 */
export function CheckPanel(props: CheckPanelProps) {
  const c = props.check;
  const f = c.form.value;
  const s = c.state.value;
  const set = (patch: Partial<CheckForm>) => (c.form.value = { ...f, ...patch });
  return (
    <div class="check-panel" data-testid="check-panel" aria-busy={s.running}>
      <form
        class="composer"
        autocomplete="off"
        onSubmit={(e) => {
          e.preventDefault();
          void c.run(props.binId);
        }}
      >
        <p class="muted small">
          hookbin plays the provider against your endpoint: a valid delivery, then one signed with another secret, one unsigned, a tampered body, a stale
          timestamp, a replay; a correct endpoint accepts the first and refuses the forgeries.
        </p>
        <input
          class="input mono"
          type="url"
          aria-label="Endpoint URL"
          data-testid="check-url"
          placeholder="http://localhost:3000/webhook"
          value={f.to}
          onInput={(e) => set({ to: e.currentTarget.value })}
        />
        {signsUrl(f.scheme, props.ownSchemes) && <PublicUrlField f={f} set={set} />}
        <Fields {...props} f={f} set={set} />
        <div class="composer-actions">
          <button type="submit" class="btn primary" data-testid="check-run" disabled={s.running}>
            {s.running ? 'Running checks…' : 'Run checks'}
          </button>
        </div>
      </form>
      <p class="check-verdict" role="status" data-testid="check-verdict" data-passed={s.report ? String(s.report.passed) : undefined}>
        {s.running ? 'Running the checks against the endpoint…' : s.report ? verdictText(s.report.results) : ''}
      </p>
      {s.error && (
        <p class="error small" role="alert" data-testid="check-error">
          {s.error}
        </p>
      )}
      {s.report && <Report report={s.report} />}
    </div>
  );
}
