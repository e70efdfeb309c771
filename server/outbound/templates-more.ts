/**
 * Templates of the providers added after the first ten: Paddle, Zoom,
 * Linear, Typeform, Calendly, Vercel and Bitbucket, each shaped after the
 * example payload in the provider's docs (names and amounts made up).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { alnum, hex, json, type TemplateDef } from './template-parts.js';

/** Paddle's ids: a prefix and 26 lower-case base-32 characters. */
const paddleId = (prefix: string) => `${prefix}_01${alnum(24).toLowerCase()}`;
/** ISO-8601 with microseconds, as Paddle writes times. */
const micros = (ms: number) => new Date(ms).toISOString().replace('Z', `${String(randomInt(0, 1000)).padStart(3, '0')}Z`);

/** Appended to the template list, in this order. */
export const MORE_DEFS: readonly TemplateDef[] = [
  {
    id: 'paddle',
    provider: 'Paddle Billing',
    event: 'transaction.completed',
    scheme: 'paddle',
    preset: 'paddle',
    source: 'https://developer.paddle.com/webhooks/transactions/transaction-completed',
    render: (now) => {
      const price = paddleId('pri');
      return {
        headers: [json, ['User-Agent', 'Paddle']],
        body: {
          event_id: paddleId('evt'),
          event_type: 'transaction.completed',
          occurred_at: micros(now),
          notification_id: paddleId('ntf'),
          data: {
            id: paddleId('txn'),
            status: 'completed',
            customer_id: paddleId('ctm'),
            currency_code: 'USD',
            origin: 'web',
            collection_mode: 'automatic',
            items: [
              {
                price: { id: price, description: 'Monthly plan', unit_price: { amount: '3000', currency_code: 'USD' }, quantity: { minimum: 1, maximum: 1 } },
                quantity: 1,
              },
            ],
            details: {
              tax_rates_used: [{ tax_rate: '0.2', totals: { subtotal: '3000', discount: '0', tax: '600', total: '3600' } }],
              totals: { subtotal: '3000', discount: '0', tax: '600', total: '3600', currency_code: 'USD' },
              line_items: [
                {
                  id: paddleId('txnitm'),
                  price_id: price,
                  quantity: 1,
                  tax_rate: '0.2',
                  unit_totals: { subtotal: '3000', discount: '0', tax: '600', total: '3600' },
                  totals: { subtotal: '3000', discount: '0', tax: '600', total: '3600' },
                  product: { id: paddleId('pro'), name: 'Monthly plan' },
                },
              ],
            },
            payments: [],
            billed_at: new Date(now).toISOString(),
            created_at: new Date(now - 5000).toISOString(),
          },
        },
      };
    },
  },
  {
    id: 'zoom',
    provider: 'Zoom',
    event: 'meeting.started',
    scheme: 'zoom',
    preset: 'zoom',
    source: 'https://developers.zoom.us/docs/api/meetings/events/#tag/meeting/POST/meeting.started',
    render: (now) => ({
      headers: [json, ['User-Agent', 'Zoom Marketplace/1.0a']],
      body: {
        event: 'meeting.started',
        event_ts: now,
        payload: {
          account_id: alnum(22),
          object: {
            id: String(randomInt(10_000_000_000, 99_999_999_999)),
            uuid: `${alnum(22)}==`,
            host_id: alnum(22),
            topic: 'Webhook review',
            type: 2,
            start_time: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
            timezone: 'Europe/Berlin',
            duration: 30,
          },
        },
      },
    }),
  },
  {
    id: 'linear',
    provider: 'Linear',
    event: 'Issue.create',
    scheme: 'linear',
    preset: 'linear',
    source: 'https://linear.app/developers/webhooks',
    render: (now) => {
      const id = randomUUID();
      return {
        headers: [json, ['User-Agent', 'Linear-Webhook'], ['Linear-Delivery', randomUUID()], ['Linear-Event', 'Issue']],
        body: {
          action: 'create',
          type: 'Issue',
          createdAt: new Date(now).toISOString(),
          data: { id, identifier: `ENG-${randomInt(100, 999)}`, title: 'Webhook retries are not grouped', priority: 2, teamId: randomUUID(), stateId: randomUUID() },
          url: `https://linear.app/hookbin/issue/ENG-${randomInt(100, 999)}/webhook-retries-are-not-grouped`,
          organizationId: randomUUID(),
          webhookTimestamp: now,
          webhookId: randomUUID(),
        },
      };
    },
  },
  {
    id: 'typeform',
    provider: 'Typeform',
    event: 'form_response',
    scheme: 'typeform',
    preset: null,
    source: 'https://www.typeform.com/developers/webhooks/example-payload/',
    render: (now) => {
      const formId = alnum(8);
      return {
        headers: [json, ['User-Agent', 'Typeform Webhooks']],
        body: {
          event_id: alnum(26).toUpperCase(),
          event_type: 'form_response',
          form_response: {
            form_id: formId,
            token: alnum(32).toLowerCase(),
            landed_at: new Date(now - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
            submitted_at: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
            definition: { id: formId, title: 'Webhook feedback', fields: [{ id: alnum(12), title: 'How did it go?', type: 'short_text', ref: 'how' }] },
            answers: [{ type: 'text', text: 'Every delivery arrived.', field: { id: alnum(12), type: 'short_text', ref: 'how' } }],
          },
        },
      };
    },
  },
  {
    id: 'calendly',
    provider: 'Calendly',
    event: 'invitee.created',
    scheme: 'calendly',
    preset: null,
    source: 'https://developer.calendly.com/api-docs/webhooks',
    render: (now) => {
      const event = `https://api.calendly.com/scheduled_events/${randomUUID()}`;
      return {
        headers: [json, ['User-Agent', 'Calendly-Webhook']],
        body: {
          event: 'invitee.created',
          created_at: new Date(now).toISOString(),
          created_by: `https://api.calendly.com/users/${randomUUID()}`,
          payload: {
            uri: `${event}/invitees/${randomUUID()}`,
            email: 'grace@example.com',
            name: 'Grace Hopper',
            status: 'active',
            timezone: 'America/New_York',
            event,
            created_at: new Date(now).toISOString(),
            updated_at: new Date(now).toISOString(),
            rescheduled: false,
          },
        },
      };
    },
  },
  {
    id: 'vercel',
    provider: 'Vercel',
    event: 'deployment.succeeded',
    scheme: 'vercel',
    preset: null,
    source: 'https://vercel.com/docs/webhooks/webhooks-api',
    render: (now) => ({
      headers: [json, ['User-Agent', 'Vercel-Webhooks']],
      body: {
        id: `${alnum(20)}`,
        type: 'deployment.succeeded',
        createdAt: now,
        region: 'iad1',
        payload: {
          team: { id: `team_${alnum(24)}` },
          user: { id: alnum(24) },
          deployment: { id: `dpl_${alnum(28)}`, name: 'hookbin-site', url: `hookbin-site-${hex(4)}.vercel.app`, meta: {} },
          project: { id: `prj_${alnum(28)}` },
          target: 'production',
          links: { deployment: 'https://vercel.com/hookbin/hookbin-site', project: 'https://vercel.com/hookbin/hookbin-site/settings' },
        },
      },
    }),
  },
  {
    id: 'bitbucket',
    provider: 'Bitbucket Cloud',
    event: 'repo:push',
    scheme: 'bitbucket',
    preset: null,
    source: 'https://support.atlassian.com/bitbucket-cloud/docs/event-payloads/',
    render: (now) => {
      const repo = { type: 'repository', full_name: 'hookbin/site', name: 'site', uuid: `{${randomUUID()}}` };
      const commit = hex(20);
      return {
        headers: [
          json,
          ['User-Agent', 'Bitbucket-Webhooks/2.0'],
          ['X-Event-Key', 'repo:push'],
          ['X-Hook-UUID', randomUUID()],
          ['X-Request-UUID', randomUUID()],
        ],
        body: {
          actor: { type: 'user', display_name: 'Ada Lovelace', uuid: `{${randomUUID()}}` },
          repository: repo,
          push: {
            changes: [
              {
                new: { type: 'branch', name: 'main', target: { type: 'commit', hash: commit, message: 'Retry webhooks with backoff\n', date: new Date(now).toISOString().replace(/\.\d{3}Z$/, '+00:00') } },
                old: { type: 'branch', name: 'main', target: { type: 'commit', hash: hex(20) } },
                created: false,
                closed: false,
                forced: false,
                commits: [{ type: 'commit', hash: commit, message: 'Retry webhooks with backoff\n' }],
              },
            ],
          },
        },
      };
    },
  },
];
