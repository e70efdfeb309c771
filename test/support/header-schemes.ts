/**
 * The schemes whose whole signature is an HMAC of the body (and a prefix
 * from the headers), carried in headers: the generic sign/verify, digest and
 * vector tests run over these. Twilio (signs the URL), Discord (Ed25519, the
 * secret a public key) and Mailgun (signature inside the body) need a URL, a
 * key pair or a body shape of their own; test/unit/verify-providers.test.ts
 * covers each of them the same ways, against the providers' libraries.
 * Linear's body must carry its `webhookTimestamp` (random bytes cannot):
 * it keeps its shared vectors, and verify-hmac-schemes.test.ts and
 * verify-provider-libs.test.ts cover the rest.
 */
import { SCHEMES, type SchemeId } from '../../server/verify/index.js';

/** The schemes with their own provider tests. */
export const REQUEST_SHAPED: ReadonlySet<SchemeId> = new Set<SchemeId>(['twilio', 'discord', 'mailgun', 'square', 'hubspot', 'sendgrid', 'linear']);

/** The request-shaped schemes that still have shared vectors (their bodies made to fit). */
export const BODY_SHAPED: ReadonlySet<SchemeId> = new Set<SchemeId>(['linear']);

/** Every other scheme, in registry order. */
export const HEADER_SCHEMES = SCHEMES.filter((s) => !REQUEST_SHAPED.has(s.id));

/** The schemes the shared vectors cover: the header schemes and the body-shaped ones, in registry order. */
export const VECTOR_SCHEMES = SCHEMES.filter((s) => !REQUEST_SHAPED.has(s.id) || BODY_SHAPED.has(s.id));
