import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { normalizeSettings, schemesFor, secretsFor } from './settings.js';
import type { Bins, Captures, Meta, Verdict } from '../store/index.js';
import type { HeaderIndex } from '../common/header-index.js';
import type { HeaderPair } from '../common/types.js';
import { diagnoseAny, verifySignatures, type SecretInput, type SignatureVerdict } from '../verify/index.js';
import type { CustomSchemeDef } from '../common/custom-scheme.js';
import { AS_RECEIVED, binTarget, signedUrl, type PublicUrlPolicy } from './public-url.js';

/** Which verdict a list shows when several schemes signed one request. */
const RANK: Verdict[] = ['valid', 'expired', 'invalid', 'malformed', 'no-secret'];

/**
 * A capture's verdict in one word: the best of its schemes' (one valid
 * signature is enough), or null when it carried no signature header.
 */
export function summarizeVerdict(signatures: readonly SignatureVerdict[]): Verdict | null {
  let best: Verdict | null = null;
  for (const s of signatures) if (best === null || RANK.indexOf(s.status) < RANK.indexOf(best)) best = s.status;
  return best;
}

/** Unix seconds of a capture's arrival: timed signatures are judged as of then. */
function arrivalSeconds(receivedAt: number): number {
  return Math.floor(receivedAt / 1000);
}

/** What URL-signed schemes need beyond headers and body: the method, and the URL the provider signed (see public-url.ts). */
export interface RequestLine {
  method?: string;
  url?: string;
}

/** A stored capture's request line, its URL rebuilt with today's public URL policy. */
export function storedRequestLine(
  c: { binId: string; method: string; path: string; query: string; headers: HeaderPair[] },
  policy: PublicUrlPolicy,
): RequestLine {
  return { method: c.method, url: signedUrl(policy, c.headers, binTarget(c.binId, c.path, c.query)) };
}

/**
 * The verdicts of one request, as the capture path stores them (no
 * diagnosis). `index` is `headers` indexed, when the caller has it already.
 */
export function judgeRequest(
  headers: HeaderPair[],
  body: Uint8Array,
  receivedAt: number,
  secrets: readonly SecretInput[],
  line: RequestLine = {},
  schemes: readonly CustomSchemeDef[] = [],
  index?: HeaderIndex,
): { signatures: SignatureVerdict[]; verdict: Verdict | null } {
  const signatures = verifySignatures({ headers, body, now: arrivalSeconds(receivedAt), ...line }, secrets, schemes, index);
  return { signatures, verdict: summarizeVerdict(signatures) };
}

/** Fresh verdicts with a diagnosis for each that is not valid: for one capture's detail. */
export function explainRequest(
  headers: HeaderPair[],
  body: Uint8Array,
  receivedAt: number,
  secrets: readonly SecretInput[],
  line: RequestLine = {},
  schemes: readonly CustomSchemeDef[] = [],
): SignatureVerdict[] {
  const input = { headers, body, now: arrivalSeconds(receivedAt), ...line };
  return verifySignatures(input, secrets, schemes).map((v) => (v.status === 'valid' ? v : { ...v, diagnosis: diagnoseAny(input, v.scheme, secrets, schemes) }));
}

const BATCH = 200;

/** What a re-judge reads and writes: the captures with their bodies, and their verdicts. */
export type Rejudging = Pick<Captures, 'capturesToVerify' | 'setVerdicts'>;

/** How far a re-judge got: how many captures it judged, and whether it reached the last one. */
interface Rejudged {
  judged: number;
  finished: boolean;
}

/** `reverify`'s loop; stops between batches once `stop` is aborted. */
async function rejudge(
  store: Rejudging,
  binId: string | null,
  secretsOf: (binId: string) => readonly SecretInput[],
  policy: PublicUrlPolicy,
  stop?: AbortSignal,
  schemesOf?: (binId: string) => readonly CustomSchemeDef[],
): Promise<Rejudged> {
  let after = 0;
  let judged = 0;
  for (;;) {
    if (stop?.aborted) return { judged, finished: false };
    const rows = store.capturesToVerify(binId, after, BATCH);
    if (rows.length === 0) return { judged, finished: true };
    const secretsByBin = new Map<string, readonly SecretInput[]>();
    const schemesByBin = new Map<string, readonly CustomSchemeDef[]>();
    store.setVerdicts(
      rows.map((r) => {
        let secrets = secretsByBin.get(r.binId);
        if (!secrets) secretsByBin.set(r.binId, (secrets = secretsOf(r.binId)));
        let schemes = schemesByBin.get(r.binId);
        if (!schemes) schemesByBin.set(r.binId, (schemes = schemesOf?.(r.binId) ?? []));
        return { seq: r.seq, ...judgeRequest(r.headers, r.body, r.receivedAt, secrets, storedRequestLine(r, policy), schemes) };
      }),
    );
    judged += rows.length;
    after = rows[rows.length - 1]!.seq;
    await nextTurn();
  }
}

/**
 * Recomputes the stored verdicts of a bin's captures (every bin's when
 * `binId` is null) after their secrets changed. Works in batches and yields
 * between them, so captures keep flowing meanwhile. Resolves to how many
 * captures it judged.
 */
export async function reverify(
  store: Rejudging,
  binId: string | null,
  secretsOf: (binId: string) => readonly SecretInput[],
  policy: PublicUrlPolicy = AS_RECEIVED,
  schemesOf?: (binId: string) => readonly CustomSchemeDef[],
): Promise<number> {
  return (await rejudge(store, binId, secretsOf, policy, undefined, schemesOf)).judged;
}

/** The `meta` key holding the fingerprint of the global secrets the stored verdicts were judged with. */
const GLOBAL_SECRETS_KEY = 'global-secrets';

// The public URL policy is part of it (URL-signed verdicts change with it), and so are the global schemes.
// Without either, the fingerprint stays what it was, so an upgrade re-judges nothing.
function fingerprint(secrets: readonly SecretInput[], policy: PublicUrlPolicy, schemes: readonly CustomSchemeDef[]): string {
  const urls = policy.publicUrl === null && !policy.trustProxy ? [] : [[policy.publicUrl, policy.trustProxy]];
  const list = [...secrets.map((s) => [s.name, s.value, s.scheme ?? null]), ...urls];
  return createHash('sha256')
    .update(JSON.stringify(schemes.length === 0 ? list : [list, schemes]))
    .digest('hex');
}

/**
 * Re-judges every stored capture when the global secrets differ from those
 * the stored verdicts were computed with (or none were recorded: a database
 * from before verdicts existed). Resolves to how many captures it judged,
 * 0 when nothing changed. Once `shutdown` is aborted it stops between
 * batches (a shutdown must not wait for a whole database) and leaves the
 * fingerprint unrecorded, so the next start re-judges again.
 */
export async function reverifyIfSecretsChanged(
  store: Rejudging & Pick<Bins, 'getBin'> & Meta,
  globalSecrets: readonly SecretInput[],
  shutdown?: AbortSignal,
  policy: PublicUrlPolicy = AS_RECEIVED,
  globalSchemes: readonly CustomSchemeDef[] = [],
): Promise<number> {
  const print = fingerprint(globalSecrets, policy, globalSchemes);
  if (store.getMeta(GLOBAL_SECRETS_KEY) === print) return 0;
  const secretsOf = (binId: string) => secretsFor(normalizeSettings(store.getBin(binId)?.settings), globalSecrets);
  const schemesOf = (binId: string) => schemesFor(normalizeSettings(store.getBin(binId)?.settings), globalSchemes);
  const { judged, finished } = await rejudge(store, null, secretsOf, policy, shutdown, schemesOf);
  // Only a re-judge that reached the last capture makes the stored verdicts those of these secrets.
  if (finished) store.setMeta(GLOBAL_SECRETS_KEY, print);
  return judged;
}
