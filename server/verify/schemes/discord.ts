/**
 * Discord interactions: `X-Signature-Ed25519: <hex Ed25519 signature>` over
 * `X-Signature-Timestamp` followed by the raw body. The "secret" is the
 * application's public key (64 hex digits, as the Developer Portal shows
 * it). Signing needs the private key: a secret may instead be given as 128
 * hex digits (the private key followed by the public key, as tweetnacl and
 * libsodium write a signing key) or as a PKCS#8 PEM private key; the public
 * key is derived from it for verifying. Discord documents no timestamp
 * window, and its own `verifyKey` checks none: untimed.
 */
import { createPrivateKey, createPublicKey, sign as edSign, type KeyObject } from 'node:crypto';
import { decodeHex, ed25519PublicKey } from '../crypto.js';
import type { Scheme, SecretInput } from '../types.js';
import { timestampedKeyScheme } from './timestamped-key.js';

const HEADER = 'X-Signature-Ed25519';
const TIMESTAMP = 'X-Signature-Timestamp';
const EXPECTED = `${HEADER}: <hex Ed25519 signature of "<timestamp><body>">, with ${TIMESTAMP}: <timestamp>`;
const NOT_A_KEY =
  "the secret is not an Ed25519 key: Discord's is the application's public key, 64 hex digits (or, to sign too, 128 hex digits of private then public key, or a PKCS#8 PEM private key)";

// DER header of a PKCS#8 Ed25519 private key, before its 32 raw bytes.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The private key a secret carries (128 hex digits or PEM), or null when it carries only a public key or none. */
function privateKey(secret: string): KeyObject | null {
  const t = secret.trim();
  try {
    if (t.startsWith('-----BEGIN PRIVATE KEY-----')) {
      const key = createPrivateKey(t);
      return key.asymmetricKeyType === 'ed25519' ? key : null;
    }
    const bytes = t.length === 128 ? decodeHex(t) : null;
    if (!bytes) return null;
    const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, bytes.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
    // The second half must be this private key's public key, or the secret is not what it claims.
    return rawPublic(createPublicKey(key)).equals(bytes.subarray(32)) ? key : null;
  } catch {
    return null;
  }
}

function rawPublic(key: KeyObject): Buffer {
  return (key.export({ format: 'der', type: 'spki' }) as Buffer).subarray(-32);
}

/** The raw 32-byte public key of a secret (64 hex, 128 hex, or a PEM key), or null. */
export function discordKey(secret: string): Buffer | null {
  const t = secret.trim();
  if (t.length === 64) {
    const bytes = decodeHex(t);
    return bytes && ed25519PublicKey(bytes) ? bytes : null;
  }
  if (t.startsWith('-----BEGIN PUBLIC KEY-----')) {
    try {
      const key = createPublicKey(t);
      return key.asymmetricKeyType === 'ed25519' ? rawPublic(key) : null;
    } catch {
      return null;
    }
  }
  const priv = privateKey(t);
  return priv ? rawPublic(createPublicKey(priv)) : null;
}

/** The `discord` scheme (untimed; the secret is the public key, or a private key to sign with). */
export const discord: Scheme = timestampedKeyScheme({
  id: 'discord',
  header: HEADER,
  timestampHeader: TIMESTAMP,
  algorithm: 'ed25519',
  encoding: 'hex',
  expected: EXPECTED,
  notAKey: NOT_A_KEY,
  publicOnly: "a public key only verifies; to sign, give the private key (128 hex digits of private then public key, or a PKCS#8 PEM private key)",
  key: discordKey,
  privateKey,
  signBytes: (data, key) => edSign(null, data, key),
  wrongKind,
});

/** A secret that is no Ed25519 key at all: most often the application's client secret or bot token pasted instead. */
function wrongKind(secrets: readonly SecretInput[]): string | null {
  const bad = secrets.find((s) => discordKey(s.value) === null);
  if (!bad) return null;
  const t = bad.value.trim();
  const what = /^[0-9a-fA-F]*$/.test(t) ? `${t.length} hex digits, not 64 (32 bytes)` : 'not hex';
  return `Secret "${bad.name}" is not an Ed25519 public key (${what}): Discord signs with the application's key pair, so give the Public Key from the Developer Portal's General Information page, not the client secret or the bot token.`;
}
