/**
 * The "Check endpoint" panel's slice in Node: the form turned into the body
 * of `POST /api/check` (or one sentence on what is wrong), the verdict's
 * words, a run over a fake transport (running while it lasts, the report or
 * the API's sentence after, one run at a time), and the rows' text.
 */
import { describe, expect, it } from 'vitest';
import { signsUrl, type CheckReport, type CheckResult } from '../../server/common/check.js';
import { ApiRequestError, type CheckApi, type CheckBody } from '../../web/src/api/http.js';
import { checkBody, createCheckModel, emptyCheckForm, verdictText, withTemplate, type CheckForm } from '../../web/src/state/check.js';
import { replyText, requestText } from '../../web/src/features/send/CheckResultRow.js';

const form = (over: Partial<CheckForm> = {}): CheckForm => ({ ...emptyCheckForm(), to: 'http://localhost:3000/hook', scheme: 'stripe', secret: 'whsec_x', ...over });

const result = (check: CheckResult['check'], outcome: CheckResult['outcome']): CheckResult => ({ check, outcome, summary: `${check} ${outcome}`, why: 'because' });

function report(results: CheckResult[]): CheckReport {
  return {
    to: 'http://localhost:3000/hook',
    scheme: 'stripe',
    template: 'stripe',
    timeoutMs: 10_000,
    passed: !results.some((r) => r.outcome === 'fail'),
    results,
    startedAt: 0,
    durationMs: 42,
  };
}

/** A transport whose answers the test hands out one at a time. */
function deferredApi() {
  const calls: CheckBody[] = [];
  const pending: { resolve: (r: CheckReport) => void; reject: (e: unknown) => void }[] = [];
  const api: CheckApi = {
    runCheck: (body) => {
      calls.push(body);
      return new Promise((resolve, reject) => pending.push({ resolve, reject }));
    },
  };
  return { api, calls, pending };
}

describe('the check form', () => {
  it('makes the API body: trimmed URL, the bin for secret names, template and timeout only when given', () => {
    expect(checkBody(form({ to: '  http://localhost:3000/hook ' }), 'bin1')).toEqual({
      ok: true,
      body: { to: 'http://localhost:3000/hook', scheme: 'stripe', secret: 'whsec_x', bin: 'bin1' },
    });
    expect(checkBody(form({ template: 'stripe', timeoutMs: ' 3000 ' }), null)).toEqual({
      ok: true,
      body: { to: 'http://localhost:3000/hook', scheme: 'stripe', secret: 'whsec_x', template: 'stripe', timeoutMs: 3000 },
    });
  });

  it('says what is wrong in one sentence before asking hookbin', () => {
    const error = (f: CheckForm) => {
      const b = checkBody(f, 'bin1');
      return b.ok ? null : b.error;
    };
    expect(error(form({ to: '' }))).toMatch(/^Give a target URL/);
    expect(error(form({ to: 'ftp://x/y' }))).toBe('The target must be an http:// or https:// URL.');
    expect(error(form({ scheme: '' }))).toBe('Pick the scheme the provider signs with.');
    expect(error(form({ secret: '' }))).toMatch(/^Give the secret/);
    for (const t of ['0', '-5', '1.5', 'soon']) expect(error(form({ timeoutMs: t }))).toBe('The timeout is a whole number of milliseconds.');
    expect(error(form({ scheme: 'twilio', publicUrl: 'abc.ngrok.app/sms' }))).toBe('The public URL must be a whole http:// or https:// URL.');
  });

  it('sends the public URL a URL-signed scheme signs, trimmed, only when given', () => {
    expect(checkBody(form({ scheme: 'twilio', publicUrl: ' https://abc.ngrok.app/sms ' }), null)).toEqual({
      ok: true,
      body: { to: 'http://localhost:3000/hook', scheme: 'twilio', secret: 'whsec_x', publicUrl: 'https://abc.ngrok.app/sms' },
    });
    expect(checkBody(form({ scheme: 'twilio', publicUrl: '  ' }), null)).toEqual({ ok: true, body: { to: 'http://localhost:3000/hook', scheme: 'twilio', secret: 'whsec_x' } });
  });

  it('asks for a public URL for the schemes that sign the URL: Twilio, Square, HubSpot and a scheme of yours that signs {url}', () => {
    const own = [
      { id: 'acme', signed: '{url}{body}' },
      { id: 'plain', signed: '{body}' },
    ];
    expect(['twilio', 'square', 'hubspot', 'acme'].filter((s) => signsUrl(s, own))).toEqual(['twilio', 'square', 'hubspot', 'acme']);
    expect(['stripe', 'github', 'plain', ''].some((s) => signsUrl(s, own))).toBe(false);
  });
});

describe('a template picked', () => {
  const templates = [
    { id: 'github', scheme: 'github' as const },
    { id: 'stripe', scheme: 'stripe' as const },
  ];
  it('brings its provider’s scheme when none is picked yet, and leaves one picked alone', () => {
    expect(withTemplate(form({ scheme: '' }), 'github', templates)).toMatchObject({ template: 'github', scheme: 'github' });
    expect(withTemplate(form({ scheme: 'stripe' }), 'github', templates)).toMatchObject({ template: 'github', scheme: 'stripe' });
    expect(withTemplate(form({ scheme: '', template: 'github' }), '', templates)).toMatchObject({ template: '', scheme: '' });
  });
});

describe('the verdict', () => {
  it('counts judged checks only: failures of them, or all of them passed', () => {
    const rows = [result('valid', 'pass'), result('wrong-signature', 'fail'), result('missing-signature', 'fail'), result('tampered-body', 'fail')];
    expect(verdictText([...rows, result('stale-timestamp', 'pass'), result('replay', 'pass'), result('timeout', 'pass'), result('retry', 'info')])).toBe(
      '3 of 7 checks failed',
    );
    expect(verdictText([result('valid', 'pass'), result('stale-timestamp', 'skip'), result('retry', 'info')])).toBe('the one judged check passed');
    expect(verdictText([result('valid', 'pass'), result('replay', 'pass')])).toBe('all 2 checks passed');
    expect(verdictText([result('valid', 'fail')])).toBe('1 of 1 check failed');
    expect(verdictText([result('retry', 'skip')])).toBe('no check could be judged');
  });
});

describe('a run', () => {
  it('is running while hookbin checks (a second click does nothing), then holds the report', async () => {
    const { api, calls, pending } = deferredApi();
    const c = createCheckModel(api);
    c.form.value = form();
    const run = c.run('bin1');
    expect(c.state.value).toEqual({ running: true, report: null, error: null });
    await c.run('bin1');
    expect(calls).toHaveLength(1);
    const r = report([result('valid', 'pass')]);
    pending[0]!.resolve(r);
    await run;
    expect(c.state.value).toEqual({ running: false, report: r, error: null });
  });

  it('a refused request leaves the API sentence and no report; a new run clears it', async () => {
    const { api, pending } = deferredApi();
    let auth = 0;
    const c = createCheckModel(api, { onAuth: () => auth++ });
    c.form.value = form();
    const first = c.run('bin1');
    pending[0]!.reject(new ApiRequestError(400, 'invalid_request', 'no secret named "nope" on bin bin1 or --secret'));
    await first;
    expect(c.state.value).toEqual({ running: false, report: null, error: 'no secret named "nope" on bin bin1 or --secret' });
    expect(auth).toBe(0);

    const second = c.run('bin1');
    expect(c.state.value.error).toBeNull();
    pending[1]!.reject(new ApiRequestError(401, 'unauthorized', 'a token is required'));
    await second;
    expect(auth).toBe(1);
  });

  it('a form that is wrong is told without a request', async () => {
    const { api, calls } = deferredApi();
    const c = createCheckModel(api);
    c.form.value = form({ scheme: '' });
    await c.run('bin1');
    expect(calls).toEqual([]);
    expect(c.state.value).toEqual({ running: false, report: null, error: 'Pick the scheme the provider signs with.' });
  });
});

describe('a row’s text', () => {
  it('the request as the endpoint got it, and the reply or why none came', () => {
    const sent = { method: 'POST', url: 'http://localhost:3000/hook', headers: [['Stripe-Signature', 't=1,v1=ab'], ['Content-Type', 'application/json']] as [string, string][], body: '{"a":1}' };
    expect(requestText(sent)).toBe('POST http://localhost:3000/hook\nStripe-Signature: t=1,v1=ab\nContent-Type: application/json\n\n{"a":1}');
    expect(replyText({ status: 401, ms: 12, bodyExcerpt: '' })).toBe('401 in 12 ms');
    expect(replyText({ status: null, ms: 3001, bodyExcerpt: '', error: 'no answer within 3000 ms' })).toBe('no answer after 3001 ms: no answer within 3000 ms');
    expect(replyText({ status: 200, ms: 3004, bodyExcerpt: 'par', error: 'no complete answer within 3000 ms' })).toBe('200 in 3004 ms, then no complete answer within 3000 ms');
  });
});
