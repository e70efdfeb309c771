import { SCHEMES } from '../secrets/secrets.js';

/**
 * A signature scheme: the built-in ones, then the user's own; `none` labels
 * the empty choice ('' is "unsigned" in the composer, "pick one" in the check).
 */
export function SchemeSelect(props: { value: string; onChange: (id: string) => void; ownSchemes: readonly { id: string; header: string }[]; none: string; testid: string }) {
  return (
    <select class="input" data-testid={props.testid} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
      <option value="">{props.none}</option>
      {SCHEMES.map((s) => (
        <option key={s.id} value={s.id}>
          {s.id} ({s.header})
        </option>
      ))}
      {props.ownSchemes.map((s) => (
        <option key={`own-${s.id}`} value={s.id}>
          {s.id} ({s.header}, yours)
        </option>
      ))}
    </select>
  );
}

/**
 * A secret: the name of one the bin or `--secret` holds, or a value typed in
 * a password field. Only names are offered: a stored value never comes to
 * the page. Test ids are `${testid}-name` and `testid`.
 */
export function SecretPick(props: { value: string; onChange: (v: string) => void; names: string[]; disabled?: boolean; testid: string }) {
  const byName = props.value !== '' && props.names.includes(props.value);
  return (
    <div class="secret-pick">
      {props.names.length > 0 && (
        <select
          class="input"
          aria-label="Secret by name"
          data-testid={`${props.testid}-name`}
          disabled={props.disabled}
          value={byName ? props.value : ''}
          onChange={(e) => props.onChange(e.currentTarget.value)}
        >
          <option value="">a value…</option>
          {props.names.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      )}
      {!byName && (
        <input
          class="input mono grow"
          type="password"
          aria-label="Secret value"
          data-testid={props.testid}
          autocomplete="new-password"
          placeholder="the secret value"
          disabled={props.disabled}
          value={props.value}
          onInput={(e) => props.onChange(e.currentTarget.value)}
        />
      )}
    </div>
  );
}
