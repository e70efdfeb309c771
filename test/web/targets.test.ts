/**
 * The sender's remembered targets, in Node: which URLs may be kept (none
 * with credentials), what a stored memory is read as (malformed parts
 * dropped, bounded), which default wins per bin, and the sender model
 * remembering what it sent per bin in a store that outlives it (a reload).
 */
import { describe, expect, it } from 'vitest';
import type { OutboxDelivery } from '../../server/common/types.js';
import type { SenderApi } from '../../web/src/api/http.js';
import {
  composerTarget,
  createSenderModel,
  isRememberable,
  MAX_REMEMBERED_BINS,
  parseTargets,
  rememberTarget,
  resendTarget,
  TARGETS_KEY,
  targetStore,
  targetUrlError,
  type KeyValueStorage,
  type TargetMemory,
} from '../../web/src/state/sender.js';

const binA = { id: 'bin-a', url: 'http://127.0.0.1:7777/b/bin-a' };
const binB = { id: 'bin-b', url: 'http://127.0.0.1:7777/b/bin-b' };

/** localStorage as a Map: the browser's storage, which Node lacks. */
function memoryStorage(): KeyValueStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v) };
}

describe('remembered targets', () => {
  it('keeps no URL with credentials: a password, a user, or a query parameter named like a token, key or signature', () => {
    expect(isRememberable('http://localhost:3000/webhook')).toBe(true);
    expect(isRememberable('https://app.example/hooks?source=stripe&env=dev')).toBe(true);
    expect(isRememberable('https://user:pw@app.example/hooks')).toBe(false);
    expect(isRememberable('https://user@app.example/hooks')).toBe(false);
    for (const q of ['token=abc', 'access_token=x', 'api_key=k', 'apikey=k', 'secret=s', 'sig=1', 'X-Amz-Signature=ab', 'password=p', 'auth=a', 'session=s']) {
      expect(isRememberable(`https://app.example/hooks?${q}`), q).toBe(false);
    }
    expect(isRememberable('/webhook')).toBe(false);
    expect(isRememberable('ftp://host/x')).toBe(false);
    expect(isRememberable(`http://h/${'x'.repeat(4096)}`)).toBe(false);
  });

  it('keeps no URL whose fragment names a credential, nor an incoming-webhook URL whose path is the secret', () => {
    expect(isRememberable('https://app.example/cb#access_token=abc&state=1')).toBe(false);
    expect(isRememberable('https://app.example/docs#section-2')).toBe(true);
    expect(isRememberable('https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX')).toBe(false);
    expect(isRememberable('https://discord.com/api/webhooks/123/abcDEF')).toBe(false);
    expect(isRememberable('https://discordapp.com/api/v10/webhooks/123/abcDEF')).toBe(false);
    expect(isRememberable('https://acme.webhook.office.com/webhookb2/abc@def/IncomingWebhook/x/y')).toBe(false);
    expect(isRememberable('https://discord.com/developers/docs')).toBe(true);
    const m = rememberTarget({}, 'bin-a', 'send', 'http://localhost:3000/hook', 1);
    expect(rememberTarget(m, 'bin-a', 'send', 'https://hooks.slack.com/services/T0/B0/secret', 2)).toBe(m);
  });

  it('defaults per bin: the composer to the last target sent to from that bin, else the bin’s own URL; a resend to the last resend URL, else none (the forward target)', () => {
    let m: TargetMemory = {};
    expect(composerTarget(m, binA)).toBe(binA.url);
    expect(resendTarget(m, binA.id)).toBe('');
    m = rememberTarget(m, binA.id, 'send', 'http://localhost:3000/a', 1);
    m = rememberTarget(m, binA.id, 'resend', 'http://localhost:3000/resent', 2);
    expect(composerTarget(m, binA)).toBe('http://localhost:3000/a');
    expect(resendTarget(m, binA.id)).toBe('http://localhost:3000/resent');
    // Another bin has its own defaults.
    expect(composerTarget(m, binB)).toBe(binB.url);
    expect(resendTarget(m, binB.id)).toBe('');
    // A URL with a secret leaves the earlier one; a resend to the forward target (null) forgets the resend URL.
    expect(rememberTarget(m, binA.id, 'send', 'http://localhost:3000/a?token=s3cret', 3)).toBe(m);
    const forgot = rememberTarget(m, binA.id, 'resend', null, 4);
    expect(resendTarget(forgot, binA.id)).toBe('');
    expect(composerTarget(forgot, binA)).toBe('http://localhost:3000/a');
    // The same URL again changes nothing (no write).
    expect(rememberTarget(m, binA.id, 'send', 'http://localhost:3000/a', 5)).toBe(m);
    // Forgetting the last URL of a bin drops its entry.
    expect(rememberTarget(rememberTarget(forgot, binA.id, 'send', null, 6), binB.id, 'send', null, 7)).toEqual({});
  });

  it('remembers at most 100 bins, dropping the ones set longest ago', () => {
    let m: TargetMemory = {};
    for (let i = 0; i <= MAX_REMEMBERED_BINS; i++) m = rememberTarget(m, `bin${i}`, 'send', `http://localhost/${i}`, 1000 + i);
    expect(Object.keys(m)).toHaveLength(MAX_REMEMBERED_BINS);
    expect(m.bin0).toBeUndefined();
    expect(m[`bin${MAX_REMEMBERED_BINS}`]?.send).toBe(`http://localhost/${MAX_REMEMBERED_BINS}`);
  });

  it('reads a stored memory warily: bad JSON, wrong shapes and URLs it would not keep are dropped', () => {
    expect(parseTargets(null)).toEqual({});
    expect(parseTargets('{oops')).toEqual({});
    expect(parseTargets('[1,2]')).toEqual({});
    const m = parseTargets(
      JSON.stringify({
        a: { send: 'http://localhost:3000/a', resend: 'javascript:alert(1)', at: 5 },
        b: { send: 'https://u:p@x/y', at: 1 },
        c: 'http://x/',
        d: { resend: 'http://localhost/r', at: 'soon' },
      }),
    );
    expect(m).toEqual({ a: { send: 'http://localhost:3000/a', at: 5 }, d: { resend: 'http://localhost/r', at: 0 } });
  });

  it('the store writes one key and reads it back; storage that throws leaves the memory to the page', () => {
    const storage = memoryStorage();
    const store = targetStore(storage);
    const m = rememberTarget({}, binA.id, 'resend', 'http://localhost:3000/r', 1);
    store.save(m);
    expect([...storage.items.keys()]).toEqual([TARGETS_KEY]);
    expect(targetStore(storage).load()).toEqual(m);
    const broken = targetStore({
      getItem: () => {
        throw new Error('blocked');
      },
      setItem: () => {
        throw new Error('blocked');
      },
    });
    expect(broken.load()).toEqual({});
    broken.save(m);
    expect(broken.load()).toEqual(m);
  });

  it('says what is wrong with a target URL in words', () => {
    expect(targetUrlError('')).toMatch(/Give a target URL/);
    expect(targetUrlError('localhost:3000/hook')).toMatch(/http/);
    expect(targetUrlError('/hook')).toMatch(/whole URL/);
    expect(targetUrlError(`http://h/${'x'.repeat(4096)}`)).toMatch(/at most 4096/);
    expect(targetUrlError('http://localhost:3000/hook')).toBeNull();
  });
});

/** A SenderApi that accepts every send and resend, recording them. */
function acceptingApi(calls: string[]): SenderApi {
  const accepted = (id: string) => ({ id, state: 'pending' as const, url: `/api/outbox/${id}` });
  return {
    send: async (body) => (calls.push(`send ${(body as { url: string }).url}`), accepted('d1')),
    resend: async (id, body) => (calls.push(`resend ${id} ${(body as { url?: string }).url ?? ''}`), accepted('d2')),
    getDelivery: async (id) => ({ id }) as unknown as OutboxDelivery,
    listOutbox: async () => ({ deliveries: [], next: null }),
    listTemplates: async () => [],
    listRetryPresets: async () => [],
    cancelDelivery: async () => Promise.reject(new Error('unused')),
    setForward: async () => Promise.reject(new Error('unused')),
  };
}

describe('the sender model remembers per bin', () => {
  it('a draft for a bin aims at its own URL, then at what was last sent from it; a new model on the same storage (a reload) has the same defaults, per bin', async () => {
    const storage = memoryStorage();
    const calls: string[] = [];
    const s = createSenderModel(acceptingApi(calls), {}, targetStore(storage));
    s.draftForBin(binA);
    expect(s.draft.value.url).toBe(binA.url);
    s.draft.value = { ...s.draft.value, url: 'http://localhost:3000/hooks', body: '{}' };
    expect(await s.send()).toBe('d1');
    s.draftForBin(binB);
    expect(s.draft.value.url).toBe(binB.url);
    s.draftForBin(binA);
    expect(s.draft.value.url).toBe('http://localhost:3000/hooks');

    // One-click resends: the URL used becomes the bin's resend default; a bad one is refused before the API.
    expect(await s.resendCapture('cap1', 'localhost:3000', binA.id)).toMatch(/http/);
    expect(await s.resendCapture('cap1', ' http://localhost:4000/in ', binA.id)).toBeNull();
    expect(calls).toEqual(['send http://localhost:3000/hooks', 'resend cap1 http://localhost:4000/in']);
    expect(resendTarget(s.targets.value, binA.id)).toBe('http://localhost:4000/in');

    const reloaded = createSenderModel(acceptingApi([]), {}, targetStore(storage));
    expect(resendTarget(reloaded.targets.value, binA.id)).toBe('http://localhost:4000/in');
    expect(resendTarget(reloaded.targets.value, binB.id)).toBe('');
    reloaded.draftForBin(binA);
    expect(reloaded.draft.value.url).toBe('http://localhost:3000/hooks');
  });

  it('"Send to this bin" sends the draft to the bin’s URL, leaving the target typed and the one remembered; an edited capture’s draft is not re-aimed when the view changes bin', async () => {
    const calls: string[] = [];
    const s = createSenderModel(acceptingApi(calls), {}, targetStore(memoryStorage()));
    s.draftForBin(binA);
    s.draft.value = { ...s.draft.value, url: 'http://localhost:3000/app' };
    expect(await s.send()).toBe('d1');
    s.draft.value = { ...s.draft.value, url: 'http://localhost:3000/x' };
    expect(await s.sendToBin(binA.url)).toBe('d1');
    expect(calls).toEqual(['send http://localhost:3000/app', `send ${binA.url}`]);
    expect(s.draft.value.url).toBe('http://localhost:3000/x');
    expect(composerTarget(s.targets.value, binA)).toBe('http://localhost:3000/app');
    s.draft.value = { ...s.draft.value, captureId: 'cap1', url: 'http://localhost:3000/edit' };
    s.draftForBin(binB);
    expect(s.draft.value.url).toBe('http://localhost:3000/edit');
  });
});
