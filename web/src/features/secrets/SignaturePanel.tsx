import type { SignatureVerdict } from '../../../../server/common/types.js';
import { VerdictBadge } from '../../ui/common.js';

/**
 * The badge's word when it is not the status itself: a matching HMAC with a
 * timestamp ahead of the clock is a sender's clock running fast, not a stale
 * request, so it reads "ahead by N s", never "expired".
 */
export function signatureLabel(s: Pick<SignatureVerdict, 'status' | 'skewSeconds'>): string | undefined {
  if (s.status === 'expired' && s.skewSeconds !== undefined && s.skewSeconds < 0) return `ahead by ${-s.skewSeconds} s`;
  return undefined;
}

/**
 * A capture's signatures: per scheme whose header is present, the header,
 * the verdict, the NAME of the secret that matched, and the diagnosis as one
 * plain sentence (text only; it may quote nothing captured, but it is
 * rendered as text anyway).
 */
export function SignaturePanel(props: { signatures: readonly SignatureVerdict[]; onSecrets: () => void }) {
  const list = props.signatures;
  if (list.length === 0) {
    return (
      <p class="muted small" data-testid="signatures-none">
        Unsigned: no signature header of a scheme hookbin knows.
      </p>
    );
  }
  const needsSecret = list.some((s) => s.status === 'no-secret' || s.status === 'invalid');
  return (
    <div class="sigs" data-testid="signatures">
      {list.map((s) => (
        <div class="sig" key={s.scheme} data-testid="signature" data-scheme={s.scheme} data-status={s.status}>
          <div class="sig-line">
            <VerdictBadge verdict={s.status} testid="signature-status" label={signatureLabel(s)} />
            <span class="sig-scheme mono" data-testid="signature-scheme">
              {s.scheme}
            </span>
            <span class="muted small mono" data-testid="signature-header" title="the signature header as received">
              {s.header}
            </span>
            {s.secret !== null && (
              <span class="sig-secret small" data-testid="signature-secret" title="the name of the secret whose HMAC matched">
                secret <span class="mono">{s.secret}</span>
              </span>
            )}
          </div>
          {s.diagnosis && (
            <p class="sig-diagnosis" data-testid="signature-diagnosis">
              {s.diagnosis}
            </p>
          )}
        </div>
      ))}
      {needsSecret && (
        <p class="small">
          <button type="button" class="linklike" data-testid="open-secrets" onClick={props.onSecrets}>
            Manage this bin’s secrets
          </button>
        </p>
      )}
    </div>
  );
}
