/**
 * The schemes whose whole signature is an HMAC of the body (and a prefix
 * from the headers), carried in headers: the generic sign/verify, digest and
 * vector tests run over these. Twilio (signs the URL), Discord (Ed25519, the
 * secret a public key) and Mailgun (signature inside the body) need a URL, a
 * key pair or a body shape of their own; test/unit/verify-providers.test.ts
 * covers each of them the same ways, against the providers' libraries.
 */
import { SCHEMES, type SchemeId } from '../../server/verify/index.js';

/** The schemes with their own provider tests. */
export const REQUEST_SHAPED: ReadonlySet<SchemeId> = new Set<SchemeId>(['twilio', 'discord', 'mailgun', 'square', 'hubspot', 'sendgrid']);

/** Every other scheme, in registry order. */
export const HEADER_SCHEMES = SCHEMES.filter((s) => !REQUEST_SHAPED.has(s.id));
