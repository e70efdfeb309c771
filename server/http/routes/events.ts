/** Events: a bin's captures grouped by event key, each a provider's attempts compared with its retry schedule. */
import { Hono } from 'hono';
import { z } from 'zod';
import { providerPresetId, providerRef } from '../../capture/provider.js';
import type { ComparisonBasis, EventPage, ProviderRef, RetryPreset } from '../../common/types.js';
import { PRESETS, presetById, scalePreset } from '../../retries/presets.js';
import type { Bins, EventRecord, Events } from '../../store/index.js';
import { ApiError } from '../errors.js';
import { eventJson, type Schedules } from '../present.js';
import { pathParams, queryParams } from '../validate.js';
import { binIdSchema, binNotFound, binParam, pageQuery } from './params.js';

/** What the event routes need. */
export interface EventDeps {
  store: Pick<Bins, 'getBin'> & Events;
  now: () => number;
}

const presetIds = PRESETS.map((p) => p.id);
const eventsQuery = pageQuery.omit({ verdict: true }).extend({
  preset: z
    .string()
    .refine((id) => presetById(id) !== undefined, `preset is one of ${presetIds.join(', ')}`)
    .optional(),
  timeScale: z
    .string()
    .regex(/^\d{1,5}(\.\d+)?$/, 'timeScale is a number from 1 to 10000')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 10_000, 'timeScale is a number from 1 to 10000')
    .optional(),
});
const listQuery = eventsQuery.extend({
  retried: z.enum(['true', 'false', '1', '0'], { message: 'retried is true or false' }).optional(),
});
const eventParam = pathParams(z.object({ binId: binIdSchema, key: z.string().min(1).max(1000) }));

/**
 * What one event is compared with, and why: each query parameter given wins;
 * for what it leaves open, the preset and time scale of the outbox delivery
 * that sent the event (hookbin's own sender); else the preset of the provider
 * its headers name, when there is one; else every preset (the best match), at
 * real time. Each preset is divided by the time scale.
 */
export function schedulesFor(query: { preset?: string; timeScale?: number }, event: Pick<EventRecord, 'sentBy' | 'provider' | 'attempts'>): Schedules {
  const { sentBy } = event;
  const sentPreset = sentBy?.retry.preset == null ? undefined : presetById(sentBy.retry.preset);
  const sentScale = sentBy && Number.isFinite(sentBy.retry.timeScale) && sentBy.retry.timeScale > 0 ? sentBy.retry.timeScale : undefined;
  const provider = providerRef(event.provider);
  // An event hookbin sent on a schedule of the user's own keeps to it: the provider's headers came from a template, its timing did not.
  const providerPreset = provider && !sentBy ? presetById(providerPresetId(provider.id)) : undefined;
  const presetFrom = query.preset !== undefined ? 'query' : sentPreset ? 'outbox' : providerPreset ? 'provider' : 'best-match';
  const timeScaleFrom = query.timeScale !== undefined ? 'query' : sentScale !== undefined ? 'outbox' : 'real-time';
  const scale = query.timeScale ?? sentScale ?? 1;
  const found = query.preset !== undefined ? presetById(query.preset) : (sentPreset ?? providerPreset);
  const by = [presetFrom, timeScaleFrom];
  return {
    preset: found && scalePreset(found, scale),
    all: found ? [] : scale === 1 ? PRESETS : PRESETS.map((p) => scalePreset(p, scale)),
    scale,
    basis: {
      basis: by.includes('query') ? 'query' : by.includes('outbox') ? 'outbox' : presetFrom === 'provider' ? 'provider' : 'default',
      presetFrom,
      timeScale: scale,
      timeScaleFrom,
      deliveryId: sentBy?.deliveryId ?? null,
      provider,
      reason: reasonFor(presetFrom, found, provider, event.attempts.length, sentBy !== null),
    },
  };
}

/** Why the preset was chosen, in a sentence the inspector shows as it is. */
function reasonFor(from: ComparisonBasis['presetFrom'], preset: RetryPreset | undefined, provider: ProviderRef | null, attempts: number, sent: boolean): string {
  if (from === 'query') return `${preset!.name}, as asked for (?preset=${preset!.id}).`;
  if (from === 'outbox') return `${preset!.name}: the schedule hookbin's own sender delivered this event on.`;
  if (from === 'provider') {
    const name = provider!.name;
    // Retries that never come automatically make every later attempt someone's redelivery, not a late retry.
    if (preset!.delays.length === 0) return `${name}'s policy: no automatic retries${attempts > 1 ? '; this was a redelivery' : ''}.`;
    return `${name}'s own schedule${preset!.estimated ? ' (its spacing estimated)' : ''}: the headers say ${name} sent this event.`;
  }
  if (sent) return "Best match: hookbin's own sender delivered this event on a schedule of your own, so the preset that explains these gaps best.";
  if (provider) return `Best match: the headers say ${provider.name} sent this event, but hookbin knows no retry schedule of theirs.`;
  return 'Best match: no provider recognised in the headers, so the schedule that explains these gaps best.';
}

/** The event routes: `/bins/:binId/events` and `/bins/:binId/events/:key`. */
export function createEventRoutes(deps: EventDeps) {
  const { store } = deps;
  return new Hono()
    .get('/bins/:binId/events', binParam, queryParams(listQuery), (c) => {
      const { binId } = c.req.valid('param');
      const { limit, before, retried, ...compare } = c.req.valid('query');
      if (!store.getBin(binId)) throw binNotFound(binId);
      const page = store.listEvents(binId, { limit: limit ?? 50, before, retriedOnly: retried === 'true' || retried === '1' });
      const now = deps.now();
      const body: EventPage = { events: page.events.map((e) => eventJson(e, schedulesFor(compare, e), now)), next: page.next === null ? null : String(page.next) };
      return c.json(body);
    })
    .get('/bins/:binId/events/:key', eventParam, queryParams(eventsQuery.pick({ preset: true, timeScale: true })), (c) => {
      const { binId, key } = c.req.valid('param');
      const compare = c.req.valid('query');
      if (!store.getBin(binId)) throw binNotFound(binId);
      const event = store.getEvent(binId, key);
      if (!event) throw new ApiError(404, 'event_not_found', `bin "${binId}" has no stored capture of event "${key}"`);
      return c.json(eventJson(event, schedulesFor(compare, event), deps.now()));
    });
}
