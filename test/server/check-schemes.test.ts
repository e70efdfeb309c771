/**
 * `hookbin check` with every built-in scheme: against a receiver that
 * verifies with hookbin's own verifier (the capture path's), every
 * forgery is refused and every genuine delivery accepted, so the engine's
 * deliveries are what each scheme's verifier expects; against one that
 * accepts everything, every forgery check fails.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../server/outbound/check.js';
import { otherSecret, tamper, tamperIndex } from '../../server/outbound/check-deliveries.js';
import { SCHEMES, schemeById, verifySignatures } from '../../server/verify/index.js';
import { acceptAll, useApps } from '../support/check-apps.js';

const app = useApps();

/** A secret that can sign with `scheme`: a private key for the key-pair schemes. */
function secretFor(scheme: string): string {
  if (scheme === 'discord') return otherSecret('discord', '');
  if (scheme === 'sendgrid') return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  return `whsec_${Buffer.from(`check-${scheme}-secret-0123456789`).toString('base64')}`;
}

describe('hookbin check: every built-in scheme', () => {
  it.each(SCHEMES.map((s) => s.id))('%s: a receiver verifying with hookbin passes every check', async (id) => {
    const secret = secretFor(id);
    const a = await app((req) => {
      const url = `http://${req.parsed.host}${req.url}`;
      const verdicts = verifySignatures({ headers: req.headers, body: req.body, now: Math.floor(Date.now() / 1000), method: req.method, url }, [{ name: 's', value: secret }]);
      return verdicts.some((v) => v.scheme === id && v.status === 'valid') ? { status: 200 } : { status: 401, body: JSON.stringify(verdicts) };
    });
    const report = await runChecks({ to: a.url, scheme: id, secret });
    const timed = schemeById(id)!.timed;
    expect(Object.fromEntries(report.results.map((r) => [r.check, r.outcome]))).toEqual({
      valid: 'pass', 'wrong-signature': 'pass', 'missing-signature': 'pass', 'tampered-body': id === 'mailgun' ? 'skip' : 'pass', 'stale-timestamp': timed ? 'pass' : 'skip', replay: 'pass', timeout: 'pass', retry: 'skip',
    });
    // Every request but the replay carries a delivery of its own (a fresh render of the template).
    const bodies = new Set(a.requests.map((r) => r.body.toString('latin1')));
    expect(bodies.size).toBe(a.requests.length - 1);
  });

  it.each(['github', 'slack', 'mailgun', 'discord'])('%s: an endpoint accepting everything fails each forgery', async (id) => {
    const a = await app(acceptAll);
    const report = await runChecks({ to: a.url, scheme: id, secret: secretFor(id) });
    const failed = report.results.filter((r) => r.outcome === 'fail').map((r) => r.check);
    expect(failed).toEqual(['wrong-signature', 'missing-signature', ...(id === 'mailgun' ? [] : ['tampered-body']), ...(schemeById(id)!.timed ? ['stale-timestamp'] : [])]);
  });
});

describe('hookbin check: the forgeries', () => {
  it('changes one byte of a value, so a JSON or form body still parses', () => {
    const json = Buffer.from('{"id":"evt_123","n":5}');
    expect(tamperIndex(json)).toBe(7);
    expect(tamper(json).toString()).toBe('{"id":"fvt_123","n":5}');
    expect(tamper(Buffer.from('{"a": "z"}')).toString()).toBe('{"a": "a"}');
    expect(tamper(Buffer.from('From=%2B1555&Body=Zoo')).toString()).toBe('From=%2B1555&Body=Aoo');
    expect(tamper(Buffer.from('[1, 9]')).toString()).toBe('[1, 0]');
    expect(tamper(Buffer.from('')).toString()).toBe(' ');
  });

  it('signs the wrong-signature check with a secret of the same kind: a new key pair for Discord and SendGrid, the same prefix otherwise', () => {
    for (const id of ['discord', 'sendgrid']) {
      const mine = secretFor(id);
      const other = otherSecret(id, mine);
      expect(schemeById(id)!.key(other)).not.toBeNull();
      expect(schemeById(id)!.key(other)!.equals(schemeById(id)!.key(mine)!)).toBe(false);
    }
    const other = otherSecret('standard-webhooks', secretFor('standard-webhooks'));
    expect(other).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(otherSecret('github', 'plain')).toMatch(/^[A-Za-z0-9+/]{32}$/);
  });
});
