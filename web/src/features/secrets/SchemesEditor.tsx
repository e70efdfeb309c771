import { useState } from 'preact/hooks';
import { checkCustomScheme, type CustomSchemeDef } from '../../../../server/common/custom-scheme.js';
import { ConfirmButton } from '../../ui/common.js';

/** The form's fields, as typed. */
interface Fields {
  id: string;
  header: string;
  algorithm: string;
  encoding: string;
  prefix: string;
  signed: string;
  timestampHeader: string;
  toleranceSec: string;
}

const EMPTY: Fields = { id: '', header: '', algorithm: 'sha256', encoding: 'hex', prefix: '', signed: '{body}', timestampHeader: '', toleranceSec: '' };

/** A definition from the form: optional fields left empty are absent; a tolerance that is not a number is kept as text for the rules to refuse. */
export function definitionOf(f: Fields): Record<string, unknown> {
  const d: Record<string, unknown> = { id: f.id.trim(), header: f.header.trim(), algorithm: f.algorithm, encoding: f.encoding, signed: f.signed };
  if (f.prefix !== '') d.prefix = f.prefix;
  if (f.timestampHeader.trim() !== '') d.timestampHeader = f.timestampHeader.trim();
  if (f.toleranceSec.trim() !== '') d.toleranceSec = /^\d+$/.test(f.toleranceSec.trim()) ? Number(f.toleranceSec.trim()) : f.toleranceSec;
  return d;
}

function fieldsOf(d: CustomSchemeDef): Fields {
  return { ...d, prefix: d.prefix ?? '', timestampHeader: d.timestampHeader ?? '', toleranceSec: d.toleranceSec === undefined ? '' : String(d.toleranceSec) };
}

export interface SchemesEditorProps {
  binId: string;
  schemes: readonly CustomSchemeDef[];
  onSave: (list: CustomSchemeDef[]) => Promise<string | null>;
}

/**
 * A bin's own signature schemes: add, edit (the form takes the row's
 * definition; saving under the same id replaces it) and remove. The form
 * applies the API's own rules (server/common/custom-scheme.ts) before saving.
 */
export function SchemesEditor(props: SchemesEditorProps) {
  const [f, setF] = useState<Fields>(EMPTY);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof Fields) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const save = async (list: CustomSchemeDef[]) => {
    setBusy(true);
    const err = await props.onSave(list);
    setBusy(false);
    setError(err);
    return err;
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const def = definitionOf(f);
    const problem = checkCustomScheme(def);
    if (problem !== null) return setError(problem);
    const list = props.schemes.filter((s) => s.id !== def.id);
    const at = props.schemes.findIndex((s) => s.id === def.id);
    list.splice(at === -1 ? list.length : at, 0, def as unknown as CustomSchemeDef);
    if ((await save(list)) === null) setF(EMPTY);
  };
  const text = (k: keyof Fields, label: string, placeholder: string, grow = false) => (
    <input class={`input mono${grow ? ' grow' : ''}`} data-testid={`scheme-${k}`} aria-label={label} placeholder={placeholder} value={f[k]} onInput={set(k)} />
  );

  return (
    <div class="schemes" data-testid="schemes-editor">
      <p class="muted small">
        For a provider hookbin does not know: an HMAC of a template over the request. Secrets name the scheme by its id; the sender can sign with it.
      </p>
      {props.schemes.length === 0 ? (
        <p class="muted small" data-testid="schemes-empty">
          No schemes of your own for this bin.
        </p>
      ) : (
        <table class="secret-table" data-testid="scheme-list">
          <thead>
            <tr>
              <th>Id</th>
              <th>Header</th>
              <th>Signs</th>
              <th>
                <span class="offscreen">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.schemes.map((s) => (
              <tr key={s.id} data-testid="scheme-row">
                <td class="mono">{s.id}</td>
                <td class="mono">{s.header}</td>
                <td class="mono muted">
                  {s.algorithm} {s.encoding} of {s.signed}
                </td>
                <td class="secret-actions">
                  <button type="button" class="btn small" data-testid="scheme-edit" onClick={() => setF(fieldsOf(s))}>
                    Edit
                  </button>
                  <ConfirmButton
                    class="small danger-quiet"
                    label="Remove"
                    confirm={`Remove ${s.id}?`}
                    testid="scheme-remove"
                    disabled={busy}
                    onConfirm={() => void save(props.schemes.filter((x) => x.id !== s.id))}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="secret-form" data-testid="scheme-form" onSubmit={submit} autocomplete="off">
        {text('id', 'Scheme id', 'id, e.g. acme')}
        {text('header', 'Signature header', 'signature header')}
        <select class="input" data-testid="scheme-algorithm" aria-label="Algorithm" value={f.algorithm} onChange={set('algorithm')}>
          <option value="sha1">sha1</option>
          <option value="sha256">sha256</option>
          <option value="sha512">sha512</option>
        </select>
        <select class="input" data-testid="scheme-encoding" aria-label="Encoding" value={f.encoding} onChange={set('encoding')}>
          <option value="hex">hex</option>
          <option value="base64">base64</option>
        </select>
        {text('prefix', 'Prefix', 'prefix, e.g. v1=')}
        {text('signed', 'Signed template', '{timestamp}.{body}', true)}
        {text('timestampHeader', 'Timestamp header', 'timestamp header')}
        {text('toleranceSec', 'Tolerance in seconds', 'tolerance, s')}
        <button type="submit" class="btn primary" data-testid="scheme-save" disabled={busy}>
          {props.schemes.some((s) => s.id === f.id.trim()) ? 'Replace scheme' : 'Add scheme'}
        </button>
        {error && (
          <p class="error small secret-error" data-testid="scheme-error">
            {error}
          </p>
        )}
      </form>
    </div>
  );
}
