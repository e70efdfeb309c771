/**
 * Ready-made webhook events, one per provider hookbin knows: Movemint, the
 * generic API, Makeplans, Webconnex, the API reference v2.4, GitHub, Stripe,
 * Standard Webhooks, Shopify and Slack here; Paddle, Zoom, Linear, Typeform,
 * Calendly, Vercel and Bitbucket in templates-more.ts; then Twilio and Mailgun;
 * Square, HubSpot and SendGrid in saas-templates.ts.
 * Each is rendered with fresh ids and timestamps, in the provider's header
 * style, without its signature (the sender adds that with a secret). The
 * payloads follow the providers' documented shapes; names and amounts are
 * made up.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { WebhookTemplate } from '../common/types.js';
import { SAAS_TEMPLATES } from './saas-templates.js';
import { alnum, hex, isoSeconds, json, unix, type TemplateDef } from './template-parts.js';
import { MORE_DEFS } from './templates-more.js';

const DEFS: readonly TemplateDef[] = [
  {
    id: 'movemint',
    provider: 'Movemint',
    event: 'event.participant.created',
    scheme: 'x-signature',
    preset: null,
    source: 'Movemint developer docs, Webhooks',
    render: (now) => ({
      headers: [json],
      body: {
        type: 'event.participant.created',
        data: {
          object: {
            id: `ep_${hex(8)}`,
            event_id: `ev_${hex(6)}`,
            first_name: 'Ada',
            last_name: 'Lovelace',
            email: 'ada@example.com',
            status: 'registered',
            created_at: isoSeconds(now),
          },
        },
      },
    }),
  },
  {
    id: 'generic-api',
    provider: 'Generic API',
    event: 'user.created',
    scheme: 'x-webhook-signature',
    preset: 'generic-api',
    source: "The generic API's docs, Webhooks",
    render: (now) => ({
      headers: [json],
      body: {
        id: `evt_${hex(8)}`,
        type: 'user.created',
        created_at: isoSeconds(now),
        data: { id: `user_${hex(6)}`, name: 'John Doe', email: 'john@example.com', status: 'active' },
      },
    }),
  },
  {
    id: 'makeplans',
    provider: 'Makeplans',
    event: 'booking.created',
    scheme: 'makeplans',
    preset: 'makeplans',
    source: 'Makeplans API docs, Webhooks',
    render: (now) => {
      const id = randomInt(100_000, 999_999);
      const from = new Date(Math.ceil(now / 3_600_000) * 3_600_000 + 86_400_000);
      const booking = {
        id,
        state: 'confirmed',
        booked_from: isoSeconds(from.getTime()),
        booked_to: isoSeconds(from.getTime() + 3_600_000),
        resource_id: randomInt(1000, 9999),
        service_id: randomInt(1000, 9999),
        person_id: randomInt(10_000, 99_999),
        count: 1,
        notes: null,
        created_at: isoSeconds(now),
      };
      return {
        headers: [json],
        body: {
          event: 'booking.created',
          idempotency_id: randomUUID(),
          generated_at: isoSeconds(now),
          performed_by: { type: 'user', id: randomInt(100, 999), name: 'Front desk' },
          data: { object: 'booking', id, booking },
          // "also included in the root payload due to legacy reasons"
          object: 'booking',
          id,
          booking,
        },
      };
    },
  },
  {
    id: 'webconnex',
    provider: 'Webconnex',
    event: 'registration',
    scheme: 'webconnex',
    preset: null,
    source: 'Webconnex API docs, Webhook',
    render: (now) => ({
      headers: [json, ['User-Agent', 'Webconnex-Divvy'], ['X-Webconnex-Delivery', hex(16)], ['X-Webconnex-Event', 'registration']],
      body: {
        eventType: 'registration',
        accountId: randomInt(1000, 9999),
        formId: randomInt(10_000, 99_999),
        formName: 'Spring 5K Run',
        orderNumber: `SPR5K-${randomInt(100_000, 999_999)}`,
        data: {
          billing: { firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' },
          registrants: [{ id: randomInt(1_000_000, 9_999_999), firstName: 'Grace', lastName: 'Hopper', amount: '35.00' }],
          total: '35.00',
          currency: 'USD',
          status: 'completed',
          dateCreated: isoSeconds(now),
        },
      },
    }),
  },
  {
    id: 'webhooks-api-v2.4',
    provider: 'Webhooks API v2.4',
    event: 'invoice.paid',
    scheme: 'x-signature',
    preset: 'webhooks-api-v2.4',
    source: 'Webhooks API Reference v2.4',
    render: (now) => ({
      headers: [json],
      body: {
        id: `evt_${hex(10)}`,
        type: 'invoice.paid',
        created_at: isoSeconds(now),
        data: { id: `inv_${hex(8)}`, customer_id: `cus_${hex(6)}`, amount_paid: 4900, currency: 'usd', status: 'paid', paid_at: isoSeconds(now) },
      },
    }),
  },
  {
    id: 'github',
    provider: 'GitHub',
    event: 'push',
    scheme: 'github',
    preset: 'github',
    source: 'https://docs.github.com/en/webhooks/webhook-events-and-payloads#push',
    render: (now) => {
      const before = hex(20);
      const after = hex(20);
      const repo = { id: randomInt(100_000_000, 999_999_999), name: 'hello-world', full_name: 'octo-org/hello-world', private: false, default_branch: 'main', html_url: 'https://github.com/octo-org/hello-world' };
      const author = { name: 'Mona Lisa', email: 'mona@example.com', username: 'mona' };
      const commit = { id: after, tree_id: hex(20), message: 'Fix the webhook handler', timestamp: new Date(now).toISOString().replace(/\.\d{3}Z$/, '+00:00'), url: `${repo.html_url}/commit/${after}`, author, committer: author, added: [], removed: [], modified: ['src/webhook.ts'] };
      return {
        headers: [
          json,
          ['User-Agent', `GitHub-Hookshot/${hex(4).slice(0, 7)}`],
          ['X-GitHub-Event', 'push'],
          ['X-GitHub-Delivery', randomUUID()],
          ['X-GitHub-Hook-ID', String(randomInt(100_000_000, 999_999_999))],
          ['X-GitHub-Hook-Installation-Target-Type', 'repository'],
          ['X-GitHub-Hook-Installation-Target-ID', String(repo.id)],
        ],
        body: {
          ref: 'refs/heads/main',
          before,
          after,
          repository: repo,
          pusher: { name: 'mona', email: 'mona@example.com' },
          sender: { login: 'mona', id: randomInt(1_000_000, 9_999_999), type: 'User' },
          created: false,
          deleted: false,
          forced: false,
          compare: `${repo.html_url}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
          commits: [commit],
          head_commit: commit,
        },
      };
    },
  },
  {
    id: 'stripe',
    provider: 'Stripe',
    event: 'payment_intent.succeeded',
    scheme: 'stripe',
    preset: 'stripe',
    source: 'https://docs.stripe.com/webhooks',
    render: (now) => ({
      headers: [
        ['Content-Type', 'application/json; charset=utf-8'],
        ['User-Agent', 'Stripe/1.0 (+https://stripe.com/docs/webhooks)'],
        ['Cache-Control', 'no-cache'],
        ['Accept', '*/*; q=0.5, application/xml'],
      ],
      body: {
        id: `evt_${alnum(24)}`,
        object: 'event',
        api_version: '2024-06-20',
        created: unix(now),
        data: {
          object: {
            id: `pi_${alnum(24)}`,
            object: 'payment_intent',
            amount: 2000,
            amount_received: 2000,
            currency: 'usd',
            customer: `cus_${alnum(14)}`,
            status: 'succeeded',
            created: unix(now) - 3,
            livemode: false,
          },
        },
        livemode: false,
        pending_webhooks: 1,
        request: { id: `req_${alnum(14)}`, idempotency_key: randomUUID() },
        type: 'payment_intent.succeeded',
      },
    }),
  },
  {
    id: 'standard-webhooks',
    provider: 'Standard Webhooks / Svix',
    event: 'invoice.paid',
    scheme: 'standard-webhooks',
    preset: 'standard-webhooks',
    source: 'https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md',
    render: (now) => ({
      headers: [json, ['User-Agent', 'Svix-Webhooks/1.0'], ['webhook-id', `msg_${alnum(27)}`]],
      body: {
        type: 'invoice.paid',
        timestamp: new Date(now).toISOString(),
        data: { id: `inv_${alnum(16)}`, amount: 4900, currency: 'EUR', customer: { id: `cus_${alnum(12)}`, email: 'ada@example.com' } },
      },
    }),
  },
  {
    id: 'shopify',
    provider: 'Shopify',
    event: 'orders/create',
    scheme: 'shopify',
    preset: 'shopify',
    source: 'https://shopify.dev/docs/apps/build/webhooks',
    render: (now) => {
      const id = randomInt(1_000_000_000, 9_999_999_999);
      return {
        headers: [
          json,
          ['User-Agent', 'Shopify-Captain-Hook'],
          ['X-Shopify-Topic', 'orders/create'],
          ['X-Shopify-Shop-Domain', 'hookbin-demo.myshopify.com'],
          ['X-Shopify-API-Version', '2025-01'],
          ['X-Shopify-Webhook-Id', randomUUID()],
          ['X-Shopify-Event-Id', randomUUID()],
          ['X-Shopify-Triggered-At', new Date(now).toISOString()],
        ],
        body: {
          id,
          admin_graphql_api_id: `gid://shopify/Order/${id}`,
          name: `#${randomInt(1000, 9999)}`,
          email: 'grace@example.com',
          created_at: new Date(now).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
          currency: 'USD',
          financial_status: 'paid',
          total_price: '59.00',
          subtotal_price: '54.00',
          total_tax: '5.00',
          line_items: [{ id: randomInt(1_000_000_000, 9_999_999_999), title: 'Webhook T-shirt', quantity: 2, price: '27.00', sku: 'HOOK-TEE-M' }],
        },
      };
    },
  },
  {
    id: 'slack',
    provider: 'Slack Events API',
    event: 'app_mention',
    scheme: 'slack',
    preset: 'slack',
    source: 'https://docs.slack.dev/apis/events-api/',
    render: (now) => {
      const ts = `${unix(now)}.${String(randomInt(0, 999_999)).padStart(6, '0')}`;
      const team = `T${alnum(10).toUpperCase()}`;
      return {
        headers: [json, ['User-Agent', 'Slackbot 1.0 (+https://api.slack.com/robots)']],
        body: {
          token: alnum(24),
          team_id: team,
          api_app_id: `A${alnum(10).toUpperCase()}`,
          event: { type: 'app_mention', user: `U${alnum(10).toUpperCase()}`, text: '<@U0LAN0Z89> is the webhook up?', ts, channel: `C${alnum(10).toUpperCase()}`, event_ts: ts },
          type: 'event_callback',
          event_id: `Ev${alnum(10).toUpperCase()}`,
          event_time: unix(now),
          authorizations: [{ enterprise_id: null, team_id: team, user_id: `U${alnum(10).toUpperCase()}`, is_bot: true }],
          is_ext_shared_channel: false,
        },
      };
    },
  },
  ...MORE_DEFS,
  {
    id: 'twilio',
    provider: 'Twilio',
    // An incoming SMS reports its SmsStatus, `received`: what the event identity names it.
    event: 'received',
    scheme: 'twilio',
    preset: 'twilio',
    source: 'https://www.twilio.com/docs/messaging/guides/webhook-request',
    render: () => {
      const sid = `SM${hex(16)}`;
      const params = new URLSearchParams({
        ToCountry: 'US',
        SmsMessageSid: sid,
        NumMedia: '0',
        SmsSid: sid,
        SmsStatus: 'received',
        Body: 'Is the webhook up?',
        To: '+15005550006',
        NumSegments: '1',
        MessageSid: sid,
        AccountSid: `AC${hex(16)}`,
        From: '+15005550001',
        ApiVersion: '2010-04-01',
      });
      return {
        headers: [
          ['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8'],
          ['User-Agent', 'TwilioProxy/1.1'],
          ['I-Twilio-Idempotency-Token', randomUUID()],
        ],
        text: params.toString(),
      };
    },
  },
  {
    id: 'mailgun',
    provider: 'Mailgun',
    event: 'delivered',
    scheme: 'mailgun',
    preset: 'mailgun',
    source: 'https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/#webhooks',
    // No `signature` yet: the sender writes it into the body when it signs.
    render: (now) => ({
      headers: [json, ['User-Agent', 'mailgun/treq-16.12.0']],
      body: {
        'event-data': {
          id: alnum(22),
          timestamp: now / 1000,
          event: 'delivered',
          recipient: 'ada@example.com',
          message: { headers: { 'message-id': `${unix(now)}.${hex(6)}@mg.example.com`, subject: 'Your receipt' } },
          'delivery-status': { code: 250, message: 'OK' },
        },
      },
    }),
  },
  ...SAAS_TEMPLATES,
];

/** Every template id, in the order the picker shows them. */
export const TEMPLATE_IDS: readonly string[] = DEFS.map((d) => d.id);

/** One template rendered as of `now` (ms since the epoch), or undefined for an unknown id. */
export function renderTemplate(id: string, now: number = Date.now()): WebhookTemplate | undefined {
  const def = DEFS.find((d) => d.id === id);
  if (!def) return undefined;
  const rendered = def.render(now);
  const { headers } = rendered;
  return {
    id: def.id,
    provider: def.provider,
    event: def.event,
    scheme: def.scheme,
    preset: def.preset,
    source: def.source,
    method: 'POST',
    headers,
    body: 'text' in rendered ? rendered.text : JSON.stringify(rendered.body),
  };
}

/** Every template rendered as of `now`: fresh ids on every call. */
export function renderTemplates(now: number = Date.now()): WebhookTemplate[] {
  return TEMPLATE_IDS.map((id) => renderTemplate(id, now)!);
}
