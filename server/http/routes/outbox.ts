/** The outbox (mounted at `/api/outbox`): deliveries the sender queued, one with its attempts, its body, cancelling and deleting one. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { OutboxPage } from '../../common/types.js';
import type { Sender } from '../../outbound/sender.js';
import type { Outbox } from '../../store/index.js';
import { ApiError } from '../errors.js';
import { deliveryJson, outboxSummaryJson } from '../present.js';
import { queryParams } from '../validate.js';
import { idParam, pageQuery, senderUnavailable, type Publish } from './params.js';

/** What the outbox routes need. */
export interface OutboxDeps {
  store: Pick<Outbox, 'listDeliveries' | 'getDelivery' | 'getDeliveryBody' | 'listAttempts' | 'deleteDelivery'>;
  /** The engine, which cancels and forgets; without one cancelling answers 503. */
  sender?: Sender;
  publish: Publish;
}

const STATES = ['pending', 'delivered', 'failed', 'cancelled'] as const;
const outboxQuery = pageQuery.omit({ verdict: true }).extend({
  state: z.enum(STATES, { message: `state is one of ${STATES.join(', ')}` }).optional(),
  /** Only the resends of this capture. */
  capture: z.string().regex(/^[0-9a-z]{1,64}$/, 'capture is a capture id').optional(),
});

/** The outbox routes, mounted at `/outbox`. */
export function createOutboxRoutes(deps: OutboxDeps) {
  const { store } = deps;
  return new Hono()
    .get('/', queryParams(outboxQuery), (c) => {
      const { limit, before, state, capture } = c.req.valid('query');
      const page = store.listDeliveries({ limit: limit ?? 50, before, state, sourceCaptureId: capture });
      const body: OutboxPage = { deliveries: page.deliveries.map(outboxSummaryJson), next: page.next === null ? null : String(page.next) };
      return c.json(body);
    })
    .get('/:id', idParam, (c) => {
      const { id } = c.req.valid('param');
      const d = store.getDelivery(id);
      const body = store.getDeliveryBody(id);
      if (!d || !body) throw new ApiError(404, 'delivery_not_found', `there is no delivery "${id}"`);
      return c.json(deliveryJson(d, body, store.listAttempts(id)));
    })
    .get('/:id/body', idParam, (c) => {
      const { id } = c.req.valid('param');
      const d = store.getDelivery(id);
      const body = store.getDeliveryBody(id);
      if (!d || !body) throw new ApiError(404, 'delivery_not_found', `there is no delivery "${id}"`);
      const type = d.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? 'application/octet-stream';
      return c.body(new Uint8Array(body), 200, {
        'Content-Type': type,
        'Content-Disposition': `attachment; filename="delivery-${id}.bin"`,
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "sandbox; default-src 'none'",
        'Cache-Control': 'no-store',
      });
    })
    .post('/:id/cancel', idParam, (c) => {
      const sender = deps.sender;
      if (!sender) throw senderUnavailable();
      const { id } = c.req.valid('param');
      const before = store.getDelivery(id);
      if (!before) throw new ApiError(404, 'delivery_not_found', `there is no delivery "${id}"`);
      if (before.state !== 'pending') throw new ApiError(409, 'not_pending', `delivery "${id}" is already ${before.state}`);
      const after = sender.cancel(id) ?? before;
      return c.json(deliveryJson(after, store.getDeliveryBody(id) ?? Buffer.alloc(0), store.listAttempts(id)));
    })
    .delete('/:id', idParam, (c) => {
      const { id } = c.req.valid('param');
      deps.sender?.forget(id);
      if (!store.deleteDelivery(id)) throw new ApiError(404, 'delivery_not_found', `there is no delivery "${id}"`);
      deps.publish({ type: 'outbox.deleted', id });
      return c.body(null, 204);
    });
}
