/** Templates (mounted at `/api/templates`): a sample delivery for each provider, to start a send from. */
import { Hono } from 'hono';
import { renderTemplates } from '../../outbound/templates.js';

/** The template routes, mounted at `/templates`; `now` dates the samples. */
export function createTemplateRoutes(deps: { now: () => number }) {
  return new Hono()    .get('/', (c) => c.json({ templates: renderTemplates(deps.now()) }));
}
