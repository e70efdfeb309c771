/**
 * What the sender suites share: creating bins, sending, waiting for a
 * delivery to finish, and reading captures back, against the suite's server
 * (`current()`) unless another is given.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Capture, CaptureSummary, OutboxDelivery } from '../../server/common/types.js';
import type { SchemeId } from '../../server/verify/index.js';
import { expectJson as json, waitFor, type TestServer } from './helpers.js';

/** The sender helpers over the suite's server. */
export function senderHelpers(current: () => TestServer) {
  function post(s: TestServer, path: string, body: unknown): Promise<Response> {
    return s.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  let binSeq = 0;
  /** A fresh bin with these settings; returns its id and URL. */
  async function bin(settings: Record<string, unknown> = {}, s: TestServer = current()): Promise<{ id: string; url: string }> {
    const id = `s${++binSeq}-${randomBytes(3).toString('hex')}`;
    await json(post(s, '/api/bins', { id }), 201);
    if (Object.keys(settings).length > 0) {
      await json(s.api(`/api/bins/${id}`, { method: 'PATCH', body: JSON.stringify(settings) }));
    }
    return { id, url: `${s.origin}/b/${id}` };
  }

  async function send(body: unknown, s: TestServer = current()): Promise<string> {
    const accepted = await json<{ id: string; state: string }>(post(s, '/api/send', body), 202);
    expect(accepted.state).toBe('pending');
    return accepted.id;
  }

  /** Waits until the delivery is no longer pending and returns it whole. */
  async function settled(id: string, s: TestServer = current(), timeoutMs = 10_000): Promise<OutboxDelivery> {
    return waitFor(
      async () => {
        const d = await json<OutboxDelivery>(s.api(`/api/outbox/${id}`));
        return d.state === 'pending' ? null : d;
      },
      timeoutMs,
      `delivery ${id} to finish`,
    );
  }

  async function captures(binId: string, s: TestServer = current()): Promise<CaptureSummary[]> {
    return (await json<{ captures: CaptureSummary[] }>(s.api(`/api/bins/${binId}/captures`))).captures;
  }

  async function capture(id: string, s: TestServer = current()): Promise<Capture> {
    return json<Capture>(s.api(`/api/captures/${id}`));
  }

  /**
   * A secret each scheme can key with (Standard Webhooks needs whsec_<base64>;
   * SendGrid a P-256 private key and Discord an Ed25519 one, which both sign
   * and verify).
   */
  function secretFor(scheme: SchemeId): string {
    if (scheme === 'discord') {
      // An Ed25519 signing key as tweetnacl writes it (private then public): it signs, and verifies too.
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const raw = (k: Buffer) => k.subarray(-32).toString('hex');
      return raw(privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer) + raw(publicKey.export({ format: 'der', type: 'spki' }) as Buffer);
    }
    if (scheme === 'sendgrid') return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    return scheme === 'standard-webhooks' ? `whsec_${randomBytes(24).toString('base64')}` : `${scheme}-secret-${randomBytes(8).toString('hex')}`;
  }

  return { post, bin, send, settled, captures, capture, secretFor };
}
