/**
 * The "Check endpoint" panel's slice: the form (endpoint, scheme, secret,
 * template, timeout), whether a run is under way, and its last report or the
 * one sentence on why there is none. The rules are pure functions beside the
 * factory (the request the form makes, the verdict's words, what a run does
 * to the state), unit-tested in Node; `createCheckModel` wires them to a
 * `CheckApi`.
 */
import { signal } from '@preact/signals';
import type { CheckReport, CheckResult } from '../../../server/common/check.js';
import type { WebhookTemplate } from '../../../server/common/types.js';
import { errorMessage, isAuthError, type CheckApi, type CheckBody } from '../api/http.js';
import { targetUrlError } from './draft.js';

/** What the panel's form holds, as typed. */
export interface CheckForm {
  to: string;
  /** A scheme id (built-in or the user's own); '' until one is picked. */
  scheme: string;
  /** The secret's value, or the name of one the bin or `--secret` holds. */
  secret: string;
  /** A template id, or '' for the scheme's own. */
  template: string;
  /** ms as typed; '' for the provider's own timeout. */
  timeoutMs: string;
  /** The URL the provider is configured with, for URL-signed schemes; '' for the endpoint's own. */
  publicUrl: string;
}

/** A run of the checks: under way or not, and what the last one gave. */
export interface CheckState {
  running: boolean;
  report: CheckReport | null;
  /** Why the last run gave no report, in one sentence. */
  error: string | null;
}

/** A form with nothing typed: every field empty, so the provider's timeout and the scheme's template apply. */
export const emptyCheckForm = (): CheckForm => ({ to: '', scheme: '', secret: '', template: '', timeoutMs: '', publicUrl: '' });

/** No run yet: nothing under way, no report, no error. */
export const IDLE: CheckState = { running: false, report: null, error: null };

/**
 * The body of `POST /api/check` for `form` on bin `binId` (whose secrets a
 * name is looked up in), or the first thing wrong with it in words. The
 * public URL goes whenever given: the server signs it only for URL-signed
 * schemes.
 */
export function checkBody(form: CheckForm, binId: string | null): { ok: true; body: CheckBody } | { ok: false; error: string } {
  const to = form.to.trim();
  const wrong = targetUrlError(to);
  if (wrong !== null) return { ok: false, error: wrong };
  if (form.scheme === '') return { ok: false, error: 'Pick the scheme the provider signs with.' };
  if (form.secret === '') return { ok: false, error: 'Give the secret the endpoint verifies with, or pick one by name.' };
  const body: CheckBody = { to, scheme: form.scheme, secret: form.secret };
  if (form.template !== '') body.template = form.template;
  if (binId !== null) body.bin = binId;
  const t = form.timeoutMs.trim();
  if (t !== '') {
    const ms = Number(t);
    if (!Number.isInteger(ms) || ms < 1) return { ok: false, error: 'The timeout is a whole number of milliseconds.' };
    body.timeoutMs = ms;
  }
  const publicUrl = form.publicUrl.trim();
  if (publicUrl !== '') {
    if (targetUrlError(publicUrl) !== null) return { ok: false, error: 'The public URL must be a whole http:// or https:// URL.' };
    body.publicUrl = publicUrl;
  }
  return { ok: true, body };
}

/**
 * The form with template `id` ('' for the scheme's own). A template names its
 * provider's scheme, which becomes the form's when none is picked yet.
 */
export function withTemplate(form: CheckForm, id: string, templates: readonly Pick<WebhookTemplate, 'id' | 'scheme'>[]): CheckForm {
  const t = templates.find((x) => x.id === id);
  return { ...form, template: id, ...(form.scheme === '' && t ? { scheme: t.scheme } : {}) };
}

/** The report in one line: "3 of 7 checks failed", or "all 6 checks passed" (judged checks only: skipped and reported ones are not counted). */
export function verdictText(results: readonly CheckResult[]): string {
  const judged = results.filter((r) => r.outcome === 'pass' || r.outcome === 'fail').length;
  const failed = results.filter((r) => r.outcome === 'fail').length;
  const checks = (n: number) => `${n} ${n === 1 ? 'check' : 'checks'}`;
  if (failed > 0) return `${failed} of ${checks(judged)} failed`;
  return judged === 0 ? 'no check could be judged' : judged === 1 ? 'the one judged check passed' : `all ${checks(judged)} passed`;
}

/** A run starts: the last report and error go. */
export const started = (): CheckState => ({ running: true, report: null, error: null });
/** A run ends with its report. */
export const finished = (report: CheckReport): CheckState => ({ running: false, report, error: null });
/** A run ends without a report (a refused request, hookbin unreachable). */
export const failed = (error: string): CheckState => ({ running: false, report: null, error });

/** The panel's slice over `api`; `onAuth` hears of a refused token. */
export function createCheckModel(api: CheckApi, hooks: { onAuth?: () => void } = {}) {
  const form = signal<CheckForm>(emptyCheckForm());
  const state = signal<CheckState>(IDLE);

  /** Runs every check against the form's endpoint (one run at a time). */
  async function run(binId: string | null): Promise<void> {
    if (state.value.running) return;
    const built = checkBody(form.value, binId);
    if (!built.ok) {
      state.value = failed(built.error);
      return;
    }
    state.value = started();
    try {
      state.value = finished(await api.runCheck(built.body));
    } catch (err) {
      if (isAuthError(err)) hooks.onAuth?.();
      state.value = failed(errorMessage(err));
    }
  }

  return { form, state, run };
}

/** The panel's slice: `form`, `state` and `run`. */
export type CheckModel = ReturnType<typeof createCheckModel>;
