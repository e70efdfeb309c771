/**
 * SendGrid (Signed Event Webhook): `X-Twilio-Email-Event-Webhook-Signature:
 * <base64 DER ECDSA P-256 / SHA-256 signature>` over
 * `X-Twilio-Email-Event-Webhook-Timestamp` followed by the raw body. The
 * "secret" is the verification key SendGrid shows: a P-256 public key as
 * base64 SPKI (a PEM public key works too). Signing needs the private key: a
 * secret may instead be a P-256 private key as PEM (PKCS#8 or SEC1) or as
 * base64 PKCS#8 DER, the same rule as Discord's keys; the public key is
 * derived from it for verifying. SendGrid documents no timestamp window and
 * its own `verifySignature` checks none: untimed.
 */
import { createPrivateKey, createPublicKey, sign as ecSign, type KeyObject } from 'node:crypto';
import { decodeBase64, p256PublicKey } from '../crypto.js';
import type { Scheme, SecretInput } from '../types.js';
import { timestampedKeyScheme } from './timestamped-key.js';

const HEADER = 'X-Twilio-Email-Event-Webhook-Signature';
const TIMESTAMP = 'X-Twilio-Email-Event-Webhook-Timestamp';
const EXPECTED = `${HEADER}: <base64 DER ECDSA P-256 signature of "<timestamp><body>">, with ${TIMESTAMP}: <timestamp>`;
const NOT_A_KEY =
  "the secret is not a P-256 key: SendGrid's is the verification key shown under Mail Settings → Signed Event Webhook, a base64 public key (or, to sign too, a P-256 private key as PEM or base64 PKCS#8)";

function spki(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }) as Buffer;
}

function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

/** The P-256 private key a secret carries (PEM, or base64 PKCS#8 DER), or null when it carries a public key or none. */
function privateKey(secret: string): KeyObject | null {
  const t = secret.trim();
  try {
    if (/^-----BEGIN (EC )?PRIVATE KEY-----/.test(t)) {
      const key = createPrivateKey(t);
      return isP256(key) ? key : null;
    }
    const der = decodeBase64(t.replace(/\s+/g, ''));
    if (!der) return null;
    const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    return isP256(key) ? key : null;
  } catch {
    return null;
  }
}

/** The P-256 public key of a secret as DER SPKI (base64 SPKI, PEM, or derived from a private key), or null. */
export function sendgridKey(secret: string): Buffer | null {
  const t = secret.trim();
  if (t.startsWith('-----BEGIN PUBLIC KEY-----')) {
    try {
      const key = createPublicKey(t);
      return isP256(key) ? spki(key) : null;
    } catch {
      return null;
    }
  }
  const der = decodeBase64(t.replace(/\s+/g, ''));
  if (der && p256PublicKey(der)) return der;
  const priv = privateKey(t);
  return priv ? spki(createPublicKey(priv)) : null;
}

/** The `sendgrid` scheme (untimed; the secret is the public key, or a private key to sign with). */
export const sendgrid: Scheme = timestampedKeyScheme({
  id: 'sendgrid',
  header: HEADER,
  timestampHeader: TIMESTAMP,
  algorithm: 'ecdsa-p256',
  encoding: 'base64',
  expected: EXPECTED,
  notAKey: NOT_A_KEY,
  publicOnly: 'a verification (public) key only verifies; to sign, give a P-256 private key (PEM, or base64 PKCS#8)',
  key: sendgridKey,
  privateKey,
  signBytes: (data, key) => ecSign('sha256', data, { key, dsaEncoding: 'der' }),
  wrongKind,
});

/** A secret that is no P-256 key: most often the API key, or a key of another kind, pasted instead. */
function wrongKind(secrets: readonly SecretInput[]): string | null {
  const bad = secrets.find((s) => sendgridKey(s.value) === null);
  if (!bad) return null;
  const t = bad.value.trim();
  let what = 'not a key hookbin can read';
  if (/^SG\.[\w-]+\.[\w-]+$/.test(t)) what = 'it is a SendGrid API key';
  else {
    try {
      const der = decodeBase64(t.replace(/\s+/g, ''));
      const key = t.startsWith('-----BEGIN') ? createPublicKey(t) : der ? createPublicKey({ key: der, format: 'der', type: 'spki' }) : null;
      if (key) what = `it is ${key.asymmetricKeyType === 'ec' ? `an EC key on ${key.asymmetricKeyDetails?.namedCurve ?? 'another curve'}` : `an ${String(key.asymmetricKeyType).toUpperCase()} key`}, not P-256`;
    } catch {
      // Not a key at all: the generic words stand.
    }
  }
  return `Secret "${bad.name}" is not a P-256 verification key (${what}): SendGrid signs with an ECDSA key pair, so give the Verification Key shown under Mail Settings → Signed Event Webhook (base64), not the API key.`;
}
