/**
 * The Answers tab's form, pure, in Node: every `respond` setting, the event
 * key and CORS from the text typed to the PATCH (and back), and a sentence
 * for each thing the server would refuse.
 */
import { describe, expect, it } from 'vitest';
import { defaultRespond } from '../../server/capture/settings.js';
import { respondPatchSchema, eventKeyPatchSchema } from '../../server/capture/settings.js';
import type { Bin } from '../../server/common/types.js';
import { bodyTypeNote, draftFromBin, draftMatchesBin, patchFromDraft, type AnswerDraft } from '../../web/src/features/answers/answer-form.js';
import { describeRespond, emptyDraft, ruleFromDraft, draftFromRule } from '../../web/src/features/answers/answers.js';
import { parseHeaderLines, parseOutcome } from '../../web/src/features/answers/fields.js';
import { MAX_EVENT_KEY_HEADER, MAX_EVENT_KEY_POINTER, MAX_RESPOND_BODY, MAX_RULE_GLOB } from '../../server/common/limits.js';

type FormBin = Pick<Bin, 'respond' | 'eventKey' | 'cors'>;
const plainBin: FormBin = { respond: defaultRespond(), eventKey: null, cors: false };
const draft = (over: Partial<AnswerDraft> = {}): AnswerDraft => ({ ...draftFromBin(plainBin), ...over });

describe('the answer form', () => {
  it('turns every field into the PATCH the server takes, and back', () => {
    const d = draft({
      status: '503',
      delayMs: '250',
      body: 'down for maintenance',
      headers: 'Access-Control-Allow-Origin: *\n\nX-Trace:  a b ',
      failFirstCount: '2',
      failFirstStatus: 'reset',
      sequence: '500, 503 ,hang, 200',
      randomRate: '12.5',
      randomStatus: '502',
      randomPattern: '42',
      retryAfter: '30',
      keyHeader: 'X-Order',
      keyPointer: '/data/object/id',
      cors: true,
    });
    const patch = patchFromDraft(d);
    expect(patch).toEqual({
      respond: {
        status: 503,
        headers: { 'Access-Control-Allow-Origin': '*', 'X-Trace': 'a b' },
        body: 'down for maintenance',
        delayMs: 250,
        fault: null,
        failFirst: { count: 2, status: 'reset' },
        sequence: [500, 503, 'hang', 200],
        random: { rate: 0.125, status: 502, seed: 42 },
        retryAfter: 30,
      },
      eventKey: { header: 'X-Order', pointer: '/data/object/id' },
      cors: true,
    });
    if (typeof patch === 'string') throw new Error(patch);
    // The server's own schemas take it as it is.
    expect(respondPatchSchema.safeParse(patch.respond).success).toBe(true);
    expect(eventKeyPatchSchema.safeParse(patch.eventKey).success).toBe(true);
    const bin: FormBin = { respond: { ...patch.respond, rules: [] }, eventKey: patch.eventKey, cors: true };
    expect(draftMatchesBin(draftFromBin(bin), bin)).toBe(true);
    expect(patchFromDraft(draftFromBin(bin))).toEqual(patch);
  });

  it('leaves each optional feature off while its field is empty', () => {
    expect(patchFromDraft(draft())).toEqual({
      respond: { status: 200, headers: {}, body: '{"ok":true}', delayMs: 0, fault: null, failFirst: null, sequence: null, random: null, retryAfter: null },
      eventKey: null,
      cors: false,
    });
    expect(patchFromDraft(draft({ fault: 'hang', randomRate: '100' }))).toMatchObject({ respond: { fault: 'hang', random: { rate: 1, status: 500, seed: null } } });
  });

  it('says what to fix, in the server’s limits', () => {
    const cases: [Partial<AnswerDraft>, string][] = [
      [{ status: '99' }, 'Status: a status is 200–599.'],
      [{ delayMs: '600001' }, 'Delay: 0–600000 ms (10 minutes).'],
      [{ headers: 'no colon here' }, 'Headers: "no colon here" needs a colon: Name: value.'],
      [{ headers: 'Bad Name: 1' }, 'Headers: "Bad Name" is not a header name.'],
      [{ headers: 'Content-Length: 3' }, 'Headers: hookbin sets Content-Length itself.'],
      [{ headers: 'Set-Cookie: a=1' }, "Headers: a bin answer cannot set Set-Cookie: bins answer on hookbin's own origin, where it would act on the inspector (cookies, stored token)."],
      [{ headers: 'X-A: 1\nx-a: 2' }, 'Headers: x-a is given twice.'],
      [{ headers: '__proto__: x' }, 'Headers: "__proto__" is not allowed as a name.'],
      [{ failFirstCount: '0' }, 'Fail first: the number of attempts is 1–100 (empty: off).'],
      [{ failFirstCount: '2', failFirstStatus: '700' }, 'Fail first: the answer is a status 200–599, reset or hang.'],
      [{ sequence: '500, boom' }, 'Sequence: "boom" is not a status 200–599, reset or hang.'],
      [{ sequence: Array.from({ length: 101 }, () => '500').join(',') }, 'Sequence: at most 100 answers.'],
      [{ randomRate: '101' }, 'Random: the share that fails is a percentage, 0–100 (empty: off).'],
      [{ randomRate: '5', randomStatus: 'x' }, 'Random: the answer is a status 200–599, reset or hang.'],
      [{ randomRate: '5', randomPattern: '-1' }, 'Random: the pattern number is a whole number 0–4294967295 (empty: a fresh draw on every request).'],
      [{ retryAfter: '86401' }, 'Retry-After: 0–86400 seconds (empty: none).'],
      [{ keyHeader: 'X Order' }, 'Event key: "X Order" is not a header name.'],
      [{ keyPointer: 'data.id' }, 'Event key: a JSON pointer looks like /data/object/id (~1 for a / in a name, ~0 for ~).'],
      [{ keyPointer: '/a~2' }, 'Event key: a JSON pointer looks like /data/object/id (~1 for a / in a name, ~0 for ~).'],
    ];
    for (const [over, message] of cases) expect(patchFromDraft(draft(over)), JSON.stringify(over)).toBe(message);
    expect(parseHeaderLines(Array.from({ length: 65 }, (_, i) => `X-${i}: v`).join('\n'))).toBe('Headers: at most 64 headers.');
  });

  it('keeps a random share set through the API when the form is saved: a small one is not rounded away, none gains float noise', () => {
    const withRate = (rate: number): FormBin => ({ ...plainBin, respond: { ...defaultRespond(), random: { rate, status: 500, seed: null } } });
    const savedRate = (rate: number) => {
      const p = patchFromDraft(draftFromBin(withRate(rate)));
      if (typeof p === 'string') throw new Error(p);
      return p.respond.random!.rate;
    };
    for (const rate of [0.000001, 1e-9, 0.123456, 1 / 3, 0.07, 1]) expect(savedRate(rate), String(rate)).toBeCloseTo(rate, 12);
    expect(savedRate(1e-9)).toBeGreaterThan(0);
    expect(draftFromBin(withRate(0.07)).randomRate).toBe('7');
    expect(draftFromBin(withRate(0.125)).randomRate).toBe('12.5');
    // The sentence above the toggles says a tiny share too, not "0 %".
    expect(describeRespond(withRate(0.000001).respond).text).toBe('Fails 0.0001 % at random with 500, otherwise answers 200');
    expect(describeRespond(withRate(0.123456).respond).text).toBe('Fails 12.3 % at random with 500, otherwise answers 200');
  });

  it('reads outcomes as the API does', () => {
    expect(['200', ' 599 ', 'RESET', 'hang', '199', '600', 'x', ''].map(parseOutcome)).toEqual([200, 599, 'reset', 'hang', null, null, null, null]);
  });
});

describe('a rule’s headers', () => {
  it('are edited as lines and checked like the bin’s', () => {
    const rule = { match: { path: '/x' }, respond: { status: 202, headers: { 'X-Rule': '1', 'Content-Type': 'text/csv' } } };
    const d = draftFromRule(rule);
    expect(d.headers).toBe('X-Rule: 1\nContent-Type: text/csv');
    expect(ruleFromDraft(d, 0)).toEqual(rule);
    expect(ruleFromDraft({ ...emptyDraft(), headers: 'X-New: yes' }, 0)).toEqual({ match: {}, respond: { status: 500, headers: { 'X-New': 'yes' } } });
    expect(ruleFromDraft({ ...emptyDraft(), headers: 'Set-Cookie: a=1' }, 2)).toBe("Rule 3: headers: a bin answer cannot set Set-Cookie: bins answer on hookbin's own origin, where it would act on the inspector (cookies, stored token).");
  });
});

describe('the form and the server agree at each limit', () => {
  it('takes what the server takes and refuses what it refuses, at each edge', () => {
    const accepted = (over: Partial<AnswerDraft>) => {
      const p = patchFromDraft(draft(over));
      return typeof p !== 'string';
    };
    const server = (over: Partial<AnswerDraft>) => {
      const p = patchFromDraft(draft({ ...over, keyHeader: '', keyPointer: '' }));
      if (typeof p === 'string') throw new Error(p);
      return eventKeyPatchSchema.safeParse({ header: over.keyHeader || null, pointer: over.keyPointer || null }).success;
    };
    const edges: Partial<AnswerDraft>[] = [
      { keyHeader: 'x'.repeat(MAX_EVENT_KEY_HEADER) },
      { keyHeader: 'x'.repeat(MAX_EVENT_KEY_HEADER + 1) },
      { keyPointer: `/${'a'.repeat(MAX_EVENT_KEY_POINTER - 1)}` },
      { keyPointer: `/${'a'.repeat(MAX_EVENT_KEY_POINTER)}` },
    ];
    for (const over of edges) expect(accepted(over), JSON.stringify(over).slice(0, 40)).toBe(server(over));
    // Header names differing only in case are one header to HTTP: both refuse them twice.
    expect(patchFromDraft(draft({ headers: 'X-A: 1\nx-a: 2' }))).toBeTypeOf('string');
    expect(respondPatchSchema.safeParse({ headers: { 'X-A': '1', 'x-a': '2' } }).success).toBe(false);
    expect(respondPatchSchema.safeParse({ rules: [{ match: {}, respond: { headers: { 'X-A': '1', 'x-a': '2' } } }] }).success).toBe(false);
  });

  it('refuses exactly the headers the server refuses (one check, answerHeaderProblem, for both)', () => {
    const lines = ['X-Ok: 1', 'Bad Name: 1', 'Content-Length: 3', 'Set-Cookie: a=1', 'alt-svc: clear', `X-Long: ${'v'.repeat(8192)}`, `X-Long: ${'v'.repeat(8193)}`, 'X-Latin: café', 'X-Wide: \u2603', 'X-Nul: a\u0000b'];
    for (const line of lines) {
      const form = parseHeaderLines(line);
      const [name, value] = [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()];
      expect(typeof form !== 'string', line.slice(0, 30)).toBe(respondPatchSchema.safeParse({ headers: { [name]: value } }).success);
    }
  });

  it('refuses a rule the server would: a body or a pattern over its limit', () => {
    const rule = (over: Partial<ReturnType<typeof emptyDraft>>) => ruleFromDraft({ ...emptyDraft(), ...over }, 0);
    const schema = (r: ReturnType<typeof rule>) => typeof r !== 'string' && respondPatchSchema.safeParse({ rules: [r] }).success;
    expect(schema(rule({ body: 'x'.repeat(MAX_RESPOND_BODY) }))).toBe(true);
    expect(rule({ body: 'x'.repeat(MAX_RESPOND_BODY + 1) })).toBe(`Rule 1: the body is at most ${MAX_RESPOND_BODY} characters.`);
    expect(schema(rule({ path: '/'.padEnd(MAX_RULE_GLOB, 'a') }))).toBe(true);
    for (const over of [{ path: '/'.padEnd(MAX_RULE_GLOB + 1, 'a') }, { eventType: 'a'.repeat(MAX_RULE_GLOB + 1) }, { headerName: 'X-A', headerValue: 'a'.repeat(MAX_RULE_GLOB + 1) }]) {
      expect(rule(over)).toBe(`Rule 1: a pattern is at most ${MAX_RULE_GLOB} characters.`);
    }
  });
});

describe('the note on the body’s Content-Type', () => {
  it('says what the server sends: nothing for a fault or a status without a body, else the user’s type, else the inferred one', () => {
    expect(bodyTypeNote(draft())).toBe('Sent as application/json, inferred from the body; a Content-Type header of yours wins.');
    expect(bodyTypeNote(draft({ body: 'plain' }))).toBe('Sent as text/plain; charset=utf-8, inferred from the body; a Content-Type header of yours wins.');
    expect(bodyTypeNote(draft({ headers: 'content-type: text/xml' }))).toBe('Sent as text/xml (your Content-Type header).');
    expect(bodyTypeNote(draft({ body: '' }))).toBe('No body, no Content-Type.');
    for (const status of ['204', '205', '304']) expect(bodyTypeNote(draft({ status }))).toBe(`A ${status} answer carries no body, so no Content-Type.`);
    expect(bodyTypeNote(draft({ fault: 'reset' }))).toBe('A fault sends no reply, so no body and no Content-Type.');
  });
});
