import { describe, expect, it } from 'vitest';
import {
  PRESETS,
  UNDOCUMENTED_SCHEDULES,
  presetById,
  scalePreset,
  scheduleFor,
  sendSchedule,
  type RetryPreset,
} from '../../server/retries/presets.js';
import { SEED_004_RETRIES } from '../support/fixtures/seed-payloads.js';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

function preset(id: string): RetryPreset {
  const p = presetById(id);
  if (!p) throw new Error(`no preset ${id}`);
  return p;
}

describe('presets', () => {
  it('have unique ids, a source, a retry rule and whole non-negative delays', () => {
    expect(new Set(PRESETS.map((p) => p.id)).size).toBe(PRESETS.length);
    for (const p of PRESETS) {
      expect(p.name, p.id).not.toBe('');
      // A URL, or the documentation's name in words: never a path on the machine that built hookbin.
      expect(p.source, p.id).toMatch(/^(https:\/\/\S+|[A-Z][^/]*)$/);
      expect(p.retriesOn, p.id).not.toBe('');
      for (const d of p.delays) expect(Number.isInteger(d) && d >= 0, `${p.id} ${d}`).toBe(true);
      if (p.timeoutMs !== undefined) expect(p.timeoutMs).toBeGreaterThan(0);
      if (p.estimated) expect(p.note, p.id).toMatch(/assumes/);
    }
  });

  it('seed 001: attempt 1 is the delivery; then 30 s, 5 min, 30 min, 2 h; then failed', () => {
    const p = preset('generic-api');
    expect(p.delays).toEqual([30 * S, 5 * MIN, 30 * MIN, 2 * H]);
    expect(p.source).toBe("The generic API's docs, Webhooks");
    expect(p.timeoutMs).toBeUndefined();
  });

  it('seed 002 Makeplans: 5 retries, 10 s timeout, spacing estimated and said so', () => {
    const p = preset('makeplans');
    expect(p.delays).toHaveLength(5);
    expect(p.timeoutMs).toBe(10 * S);
    expect(p.estimated).toBe(true);
    expect(p.retriesOn).toMatch(/4xx or 5xx/);
    expect(p.note).toMatch(/not the spacing/);
  });

  it('seed 004: retries per event type exactly as its table, within its delays', () => {
    const p = preset('webhooks-api-v2.4');
    expect(p.byEventType).toEqual(SEED_004_RETRIES);
    expect(p.delays.length).toBe(Math.max(...Object.values(SEED_004_RETRIES)));
    expect(p.estimated).toBe(true);
  });

  it('Standard Webhooks/Svix: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after the first attempt; 15 s timeout', () => {
    const p = preset('standard-webhooks');
    expect(p.delays).toEqual([5 * S, 5 * MIN, 30 * MIN, 2 * H, 5 * H, 10 * H, 10 * H]);
    expect(p.timeoutMs).toBe(15 * S);
    // Svix's own example: three failures then success, "roughly 35 minutes and 5 seconds" after the first.
    expect(p.delays.slice(0, 3).reduce((a, b) => a + b, 0)).toBe(35 * MIN + 5 * S);
  });

  it('Slack: 3 retries, immediately, 1 min, 5 min; 3 s timeout', () => {
    expect(preset('slack').delays).toEqual([0, MIN, 5 * MIN]);
    expect(preset('slack').timeoutMs).toBe(3 * S);
  });

  it('Shopify: 8 retries adding up to 4 hours, spacing estimated; 5 s timeout', () => {
    const p = preset('shopify');
    expect(p.delays).toHaveLength(8);
    expect(p.delays.reduce((a, b) => a + b, 0)).toBe(4 * H);
    for (let i = 1; i < p.delays.length; i++) expect(p.delays[i]!).toBeGreaterThan(p.delays[i - 1]!);
    expect(p.timeoutMs).toBe(5 * S);
    expect(p.estimated).toBe(true);
  });

  it('GitHub: no automatic retries', () => {
    expect(preset('github').delays).toEqual([]);
    expect(preset('github').retriesOn).toMatch(/^never/);
  });

  it('seeds 000 and 003 are listed as not documented', () => {
    expect(UNDOCUMENTED_SCHEDULES.map((u) => u.id)).toEqual(['movemint', 'webconnex', 'typeform', 'calendly', 'vercel', 'bitbucket']);
    for (const u of UNDOCUMENTED_SCHEDULES) expect(u.note).toMatch(/^Not documented/);
    for (const u of UNDOCUMENTED_SCHEDULES) expect(presetById(u.id)).toBeUndefined();
  });

  it('presetById finds by exact id only', () => {
    expect(presetById('slack')?.name).toBe('Slack Events API');
    expect(presetById('Slack')).toBeUndefined();
    expect(presetById('constructor')).toBeUndefined();
  });

  it('are frozen all the way down', () => {
    expect(() => (preset('slack').delays as number[]).push(1)).toThrow();
    expect(() => ((preset('webhooks-api-v2.4').byEventType as Record<string, number>)['user.created'] = 9)).toThrow();
    expect(preset('slack').delays).toEqual([0, MIN, 5 * MIN]);
  });

  it('scheduleFor cuts delays to the event type\'s retry count; unlisted and null types get all', () => {
    const p = preset('webhooks-api-v2.4');
    expect(scheduleFor(p, 'trial.ending')).toEqual(p.delays.slice(0, 1));
    expect(scheduleFor(p, 'user.created')).toEqual(p.delays.slice(0, 3));
    expect(scheduleFor(p, 'invoice.paid')).toEqual(p.delays);
    for (const t of [null, undefined, 'other.type', 'constructor', '__proto__']) expect(scheduleFor(p, t)).toEqual(p.delays);
    expect(scheduleFor(preset('slack'), 'trial.ending')).toEqual([0, MIN, 5 * MIN]);
    const copy = scheduleFor(preset('slack'));
    copy.push(1);
    expect(preset('slack').delays).toHaveLength(3);
  });

  it('scalePreset divides the waits and the timeout; at 1× it is the preset itself; a preset without a timeout gets none', () => {
    const generic = preset('generic-api');
    expect(scalePreset(generic, 1)).toBe(generic);
    const fast = scalePreset(preset('standard-webhooks'), 60);
    expect(fast.delays).toEqual(preset('standard-webhooks').delays.map((d) => d / 60));
    expect(fast.timeoutMs).toBe(15 * S / 60);
    const noTimeout = PRESETS.find((p) => p.timeoutMs === undefined)!;
    expect('timeoutMs' in scalePreset(noTimeout, 60)).toBe(false);
  });

  it('sendSchedule is the sender\'s form: a leading 0 for the first attempt', () => {
    expect(sendSchedule(preset('generic-api'))).toEqual([0, 30 * S, 5 * MIN, 30 * MIN, 2 * H]);
    expect(sendSchedule(preset('github'))).toEqual([0]);
    expect(sendSchedule(preset('webhooks-api-v2.4'), 'trial.ending')).toEqual([0, MIN]);
  });
});

describe('Square, HubSpot and SendGrid', () => {
  it('retry for up to 24 hours; HubSpot 10 times with a 5 s timeout; the gaps are marked estimated', () => {
    for (const id of ['square', 'hubspot', 'sendgrid']) {
      const p = preset(id);
      expect(p.delays.reduce((a, b) => a + b, 0), id).toBe(24 * H);
      expect(p.estimated, id).toBe(true);
      expect(p.note, id).toMatch(/not the gaps; hookbin assumes/);
    }
    expect(preset('hubspot').delays).toHaveLength(10);
    expect(preset('hubspot').timeoutMs).toBe(5 * S);
    expect(preset('square').delays.slice(0, 3)).toEqual([MIN, 2 * MIN, 4 * MIN]);
  });
});
