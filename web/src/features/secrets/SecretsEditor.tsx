import { useState } from 'preact/hooks';
import type { MaskedSecret } from '../../../../server/common/types.js';
import type { CustomSchemeDef } from '../../../../server/common/custom-scheme.js';
import { addSecret, removeSecret, SCHEMES, setSecretScheme, type SecretPatchEntry } from './secrets.js';
import { ConfirmButton } from '../../ui/common.js';

function SchemeSelect(props: { value: string | null; onChange: (s: string | null) => void; testid: string; disabled?: boolean; label: string; own: readonly CustomSchemeDef[] }) {
  return (
    <select
      class="input scheme-select"
      data-testid={props.testid}
      aria-label={props.label}
      value={props.value ?? ''}
      disabled={props.disabled}
      onChange={(e) => props.onChange(e.currentTarget.value || null)}
    >
      <option value="">any scheme</option>
      {SCHEMES.map((s) => (
        <option key={s.id} value={s.id}>
          {s.id} ({s.header})
        </option>
      ))}
      {props.own.map((s) => (
        <option key={`own-${s.id}`} value={s.id}>
          {s.id} ({s.header}, yours)
        </option>
      ))}
    </select>
  );
}

/**
 * The add form. The value lives in this form's state only while it is
 * typed: cleared once saved, never put in the model, never shown again
 * (a password field, no autocomplete).
 */
function AddSecretForm(props: { secrets: MaskedSecret[]; own: readonly CustomSchemeDef[]; onSave: (list: SecretPatchEntry[]) => Promise<string | null> }) {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [scheme, setScheme] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const replacing = props.secrets.some((s) => s.name === name.trim());

  const submit = async (e: Event) => {
    e.preventDefault();
    let list: SecretPatchEntry[];
    try {
      list = addSecret(props.secrets, { name, value, scheme });
    } catch (err) {
      return setError((err as Error).message);
    }
    setBusy(true);
    const err = await props.onSave(list);
    setBusy(false);
    setError(err);
    if (err === null) {
      setName('');
      setValue('');
      setScheme(null);
    }
  };

  return (
    <form class="secret-form" data-testid="secret-form" onSubmit={submit} autocomplete="off">
      <input
        class="input mono"
        data-testid="secret-name"
        aria-label="Secret name"
        placeholder="name, e.g. stripe-test"
        maxLength={64}
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <input
        class="input mono grow"
        type="password"
        data-testid="secret-value"
        aria-label="Secret value"
        placeholder="value, e.g. whsec_…"
        autocomplete="new-password"
        spellcheck={false}
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
      />
      <SchemeSelect value={scheme} onChange={setScheme} testid="secret-scheme" label="Only for scheme" own={props.own} />
      <button type="submit" class="btn primary" data-testid="secret-add" disabled={busy}>
        {replacing ? 'Replace secret' : 'Add secret'}
      </button>
      {error && (
        <p class="error small secret-error" data-testid="secret-error">
          {error}
        </p>
      )}
    </form>
  );
}

export interface SecretsEditorProps {
  binId: string;
  secrets: MaskedSecret[];
  /** The `--secret` ones, masked, or null when they could not be read. */
  globalSecrets: MaskedSecret[] | null;
  onSave: (list: SecretPatchEntry[]) => Promise<string | null>;
  /** The user's own signature schemes a secret may name: the bin's, then `--schemes`. */
  schemes: readonly CustomSchemeDef[];
}

/**
 * A bin's signing secrets, masked as the server shows them: add (or replace
 * by name), remove, limit to a scheme without typing the value again; and
 * the global `--secret` ones, read-only.
 */
export function SecretsEditor(props: SecretsEditorProps) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const save = async (name: string, list: SecretPatchEntry[]) => {
    setBusy(name);
    setError(await props.onSave(list));
    setBusy(null);
  };

  return (
    <div class="secrets" data-testid="secrets-editor">
      <p class="muted small">
        Every capture’s signature is checked against this bin’s secrets first, then the global ones. Changing them re-checks the captures already stored. Values are
        kept on the server and shown masked.
      </p>
      {props.secrets.length === 0 ? (
        <p class="muted small" data-testid="secrets-empty">
          No secrets for this bin yet.
        </p>
      ) : (
        <table class="secret-table" data-testid="secret-list">
          <thead>
            <tr>
              <th>Name</th>
              <th>Value</th>
              <th>Scheme</th>
              <th>
                <span class="offscreen">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.secrets.map((s) => (
              <tr key={s.name} data-testid="secret-row" data-name={s.name}>
                <td class="mono" data-testid="secret-row-name">
                  {s.name}
                </td>
                <td class="mono muted" data-testid="secret-row-value" title="masked: hookbin never shows a secret whole">
                  {s.value}
                </td>
                <td>
                  <SchemeSelect
                    value={s.scheme}
                    testid="secret-row-scheme"
                    own={props.schemes}
                    label={`Scheme of ${s.name}`}
                    disabled={busy !== null}
                    onChange={(scheme) => void save(s.name, setSecretScheme(props.secrets, s.name, scheme))}
                  />
                </td>
                <td class="secret-actions">
                  <ConfirmButton
                    class="small danger-quiet"
                    label="Remove"
                    confirm={`Remove ${s.name}?`}
                    testid="secret-remove"
                    disabled={busy !== null}
                    onConfirm={() => void save(s.name, removeSecret(props.secrets, s.name))}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {error && (
        <p class="error small" data-testid="secrets-error">
          {error}
        </p>
      )}
      <h4 class="sub-head">Add a secret</h4>
      <AddSecretForm key={props.binId} secrets={props.secrets} own={props.schemes} onSave={props.onSave} />

      <h4 class="sub-head">Global secrets</h4>
      {props.globalSecrets === null ? (
        <p class="muted small">Could not read the global secrets.</p>
      ) : props.globalSecrets.length === 0 ? (
        <p class="muted small" data-testid="global-secrets-empty">
          None. Start hookbin with <code class="mono">--secret NAME=VALUE</code> (or <code class="mono">HOOKBIN_SECRET_NAME</code>) to check every bin with a secret.
        </p>
      ) : (
        <table class="secret-table" data-testid="global-secrets">
          <thead>
            <tr>
              <th>Name</th>
              <th>Value</th>
              <th>Scheme</th>
            </tr>
          </thead>
          <tbody>
            {props.globalSecrets.map((s) => (
              <tr key={s.name} data-testid="global-secret-row">
                <td class="mono">{s.name}</td>
                <td class="mono muted">{s.value}</td>
                <td class="muted">{s.scheme ?? 'any scheme'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.globalSecrets !== null && props.globalSecrets.length > 0 && <p class="muted small">Set on the command line; change them there and restart hookbin.</p>}
    </div>
  );
}
