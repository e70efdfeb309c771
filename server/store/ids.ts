import { randomBytes, randomFillSync } from 'node:crypto';

const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';
const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Bin ids and custom bin slugs (defined in common/, which the inspector shares). */
export { BIN_ID_PATTERN } from '../common/limits.js';

function encode(bytes: Uint8Array, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

/**
 * A new random bin id: 12 base-36 characters (about 62 bits), hard to guess
 * because a bin URL exposed through a tunnel is its own credential.
 */
export function newBinId(): string {
  // 256 % 36 leaves a small bias; rejection sampling keeps it uniform.
  let out = '';
  while (out.length < 12) {
    for (const b of randomBytes(16)) {
      if (b < 252 && out.length < 12) out += BASE36[b % 36];
    }
  }
  return out;
}

// Random bytes for capture ids, drawn 4 KiB at a time: one randomBytes call
// per capture was a system call per request on the capture path.
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function pooledRandom(n: number): Buffer {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += n;
  return pool.subarray(poolAt - n, poolAt);
}

/**
 * A new capture id: 10 characters of time (ms, base 32) then 12 random, so
 * ids sort roughly by arrival and never collide in practice.
 */
export function newCaptureId(now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = BASE32[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time + encode(pooledRandom(12), BASE32, 12);
}

/** A new control-plane token: 32 random bytes, base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}
