/** Events: a bin's captures grouped by event key, each a provider's attempts compared with its retry schedule. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { EventPage } from '../../common/types.js';
import { PRESETS, presetById, scalePreset } from '../../retries/presets.js';
import type { Bins, Events } from '../../store/index.js';
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
const eventParam = pathParams(z.object({ binId: binIdSchema, key: z.string().min(1).max(1000) }));

/** The preset asked for (or every one), each divided by `timeScale`. */
function schedulesFor(query: { preset?: string; timeScale?: number }): Schedules {
  const scale = query.timeScale ?? 1;
  const found = query.preset === undefined ? undefined : presetById(query.preset);
  return {
    preset: found && scalePreset(found, scale),
    all: found ? [] : scale === 1 ? PRESETS : PRESETS.map((p) => scalePreset(p, scale)),
    scale,
  };
}

/** The event routes: `/bins/:binId/events` and `/bins/:binId/events/:key`. */
export function createEventRoutes(deps: EventDeps) {
  const { store } = deps;
  return new Hono()
    .get('/bins/:binId/events', binParam, queryParams(eventsQuery), (c) => {
      const { binId } = c.req.valid('param');
      const { limit, before, ...compare } = c.req.valid('query');
      if (!store.getBin(binId)) throw binNotFound(binId);
      const page = store.listEvents(binId, { limit: limit ?? 50, before });
      const now = deps.now();
      const schedules = schedulesFor(compare);
      const body: EventPage = { events: page.events.map((e) => eventJson(e, schedules, now)), next: page.next === null ? null : String(page.next) };
      return c.json(body);
    })
    .get('/bins/:binId/events/:key', eventParam, queryParams(eventsQuery.pick({ preset: true, timeScale: true })), (c) => {
      const { binId, key } = c.req.valid('param');
      const compare = c.req.valid('query');
      if (!store.getBin(binId)) throw binNotFound(binId);
      const event = store.getEvent(binId, key);
      if (!event) throw new ApiError(404, 'event_not_found', `bin "${binId}" has no stored capture of event "${key}"`);
      return c.json(eventJson(event, schedulesFor(compare), deps.now()));
    });
}
