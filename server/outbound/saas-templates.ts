/**
 * Templates for Square (payment.created), HubSpot (a contact.creation batch)
 * and SendGrid (a delivered event batch), after the payloads in each
 * provider's documentation. Square and HubSpot sign the URL sent to;
 * SendGrid's signing needs a P-256 private key. Discord (a slash command
 * interaction) signs with the application's Ed25519 private key.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { alnum, hex, json, snowflake, unix, type TemplateDef } from './template-parts.js';

/** In the order the picker shows them, after the others. */
export const SAAS_TEMPLATES: readonly TemplateDef[] = [
  {
    id: 'square',
    provider: 'Square',
    event: 'payment.created',
    scheme: 'square',
    preset: 'square',
    source: 'https://developer.squareup.com/reference/square/payments-api/webhooks/payment.created',
    render: (now) => {
      const payment = alnum(29);
      const at = new Date(now).toISOString();
      const money = { amount: 2500, currency: 'USD' };
      return {
        headers: [json],
        body: {
          merchant_id: alnum(13).toUpperCase(),
          type: 'payment.created',
          event_id: randomUUID(),
          created_at: at,
          data: {
            type: 'payment',
            id: payment,
            object: {
              payment: {
                id: payment,
                created_at: at,
                updated_at: at,
                amount_money: money,
                total_money: money,
                approved_money: money,
                status: 'APPROVED',
                source_type: 'CARD',
                card_details: { status: 'AUTHORIZED', card: { card_brand: 'VISA', last_4: '1111', exp_month: 11, exp_year: 2028 }, entry_method: 'KEYED' },
                location_id: alnum(13).toUpperCase(),
                order_id: alnum(28),
                version: 1,
              },
            },
          },
        },
      };
    },
  },
  {
    id: 'hubspot',
    provider: 'HubSpot',
    event: 'contact.creation',
    scheme: 'hubspot',
    preset: 'hubspot',
    source: 'https://developers.hubspot.com/docs/api/webhooks',
    // HubSpot posts a batch: a JSON array of up to 100 events.
    render: (now) => {
      const ids = { subscriptionId: randomInt(100_000, 999_999), portalId: randomInt(1_000_000, 9_999_999), appId: randomInt(100_000, 999_999) };
      return {
        headers: [json],
        body: [
          { eventId: randomInt(1_000_000_000, 4_000_000_000), ...ids, occurredAt: now, subscriptionType: 'contact.creation', attemptNumber: 0, objectId: randomInt(100_000, 999_999), changeFlag: 'CREATED', changeSource: 'CRM' },
        ],
      };
    },
  },
  {
    id: 'sendgrid',
    provider: 'SendGrid Event Webhook',
    event: 'delivered',
    scheme: 'sendgrid',
    preset: 'sendgrid',
    source: 'https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event',
    // A batch of events as SendGrid posts it; signing needs the P-256 private key.
    render: (now) => {
      const message = `${hex(8)}.filterdrecv-${randomInt(100, 999)}-${hex(4)}.0`;
      return {
        headers: [json],
        body: [
          {
            email: 'ada@example.com',
            timestamp: unix(now),
            'smtp-id': `<${hex(8)}.${hex(3)}@ismtpd-${randomInt(100, 999)}>`,
            event: 'delivered',
            category: ['receipts'],
            sg_event_id: Buffer.from(`delivered-0-${hex(6)}`).toString('base64url'),
            sg_message_id: message,
            response: '250 OK',
            ip: '168.1.1.1',
            tls: 1,
          },
        ],
      };
    },
  },
  {
    id: 'discord',
    provider: 'Discord',
    // An APPLICATION_COMMAND interaction (type 2): a user ran a slash command.
    event: 'application_command',
    scheme: 'discord',
    // Discord does not retry an interaction: it waits 3 s for the answer and shows the user a failure.
    preset: null,
    source: 'https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object',
    render: (now) => {
      const guild = snowflake(now - 86_400_000 * 400);
      const application = snowflake(now - 86_400_000 * 300);
      const channel = snowflake(now - 86_400_000 * 200);
      return {
        headers: [json, ['User-Agent', 'Discord-Interactions/1.0 (+https://discord.com)']],
        body: {
          app_permissions: '442368',
          application_id: application,
          authorizing_integration_owners: { '0': guild },
          channel: { id: channel, name: 'deploys', type: 0, guild_id: guild },
          channel_id: channel,
          context: 0,
          data: {
            id: snowflake(now - 86_400_000 * 30),
            name: 'deploy',
            options: [{ name: 'environment', type: 3, value: 'staging' }],
            type: 1,
          },
          entitlements: [],
          guild_id: guild,
          guild_locale: 'en-US',
          id: snowflake(now),
          locale: 'en-US',
          member: {
            avatar: null,
            deaf: false,
            joined_at: new Date(now - 86_400_000 * 100).toISOString().replace('Z', '000+00:00'),
            mute: false,
            nick: null,
            pending: false,
            permissions: '2147483647',
            premium_since: null,
            roles: [],
            user: { avatar: hex(16), discriminator: '0', global_name: 'Ada', id: snowflake(now - 86_400_000 * 900), public_flags: 0, username: 'ada' },
          },
          token: `aW50ZXJhY3Rpb246${alnum(120)}`,
          type: 2,
          version: 1,
        },
      };
    },
  },
];
