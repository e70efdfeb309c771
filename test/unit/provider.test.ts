import { describe, expect, it } from 'vitest';
import { MAX_USER_AGENT_CHARS, PROVIDER_SIGNALS, detectProvider, providerPresetId, providerRef } from '../../server/capture/provider.js';
import type { HeaderPair } from '../../server/common/types.js';
import { presetById } from '../../server/retries/presets.js';
import { renderTemplate, TEMPLATE_IDS } from '../../server/outbound/templates.js';

const json: HeaderPair = ['Content-Type', 'application/json'];

/** Each provider as it really calls: its well-known headers (case as the provider writes them) and User-Agent. */
const REAL: Record<string, HeaderPair[]> = {
  github: [['User-Agent', 'GitHub-Hookshot/044aadd'], ['X-GitHub-Event', 'push'], ['X-GitHub-Delivery', '72d3162e-cc78-11e3-81ab-4c9367dc0958'], ['X-Hub-Signature-256', 'sha256=ab']],
  stripe: [['User-Agent', 'Stripe/1.0 (+https://stripe.com/docs/webhooks)'], ['Stripe-Signature', 't=1,v1=ab']],
  shopify: [['X-Shopify-Topic', 'orders/create'], ['X-Shopify-Hmac-Sha256', 'ab=='], ['X-Shopify-Webhook-Id', 'b54557e4']],
  slack: [['User-Agent', 'Slackbot 1.0 (+https://api.slack.com/robots)'], ['X-Slack-Signature', 'v0=ab'], ['X-Slack-Request-Timestamp', '1']],
  webconnex: [['User-Agent', 'Webconnex-Divvy'], ['X-Webconnex-Delivery', 'ab'], ['X-Webconnex-Event', 'registration']],
  makeplans: [['X-MakePlans-Signature', 'sha256=ab']],
  twilio: [['User-Agent', 'TwilioProxy/1.1'], ['X-Twilio-Signature', 'ab='], ['I-Twilio-Idempotency-Token', 'c1']],
  paddle: [['Paddle-Signature', 'ts=1;h1=ab']],
  zoom: [['User-Agent', 'Zoom Marketplace/1.0a'], ['x-zm-signature', 'v0=ab'], ['x-zm-request-timestamp', '1']],
  linear: [['Linear-Delivery', 'd1'], ['Linear-Event', 'Issue'], ['Linear-Signature', 'ab']],
  typeform: [['User-Agent', 'Typeform Webhooks'], ['Typeform-Signature', 'sha256=ab=']],
  calendly: [['Calendly-Webhook-Signature', 't=1,v1=ab']],
  vercel: [['x-vercel-signature', 'ab']],
  bitbucket: [['User-Agent', 'Bitbucket-Webhooks/2.0'], ['X-Event-Key', 'repo:push'], ['X-Hook-UUID', 'h1'], ['X-Hub-Signature', 'sha256=ab']],
  mailgun: [['User-Agent', 'mailgun/treq-16.12.0']],
  sendgrid: [['User-Agent', 'SendGrid Event API'], ['X-Twilio-Email-Event-Webhook-Signature', 'MEUC'], ['X-Twilio-Email-Event-Webhook-Timestamp', '1']],
  discord: [['User-Agent', 'Discord-Interactions/1.0 (+https://discord.com)'], ['X-Signature-Ed25519', 'ab'], ['X-Signature-Timestamp', '1']],
  hubspot: [['User-Agent', 'HubSpot Connect 2.0 (http://dev.hubspot.com/)'], ['X-HubSpot-Signature-v3', 'ab='], ['X-HubSpot-Request-Timestamp', '1']],
  square: [['x-square-hmacsha256-signature', 'ab=']],
  svix: [['svix-id', 'msg_1'], ['svix-timestamp', '1'], ['svix-signature', 'v1,ab=']],
};

describe('detectProvider', () => {
  it('recognises every listed provider by its headers and User-Agent', () => {
    expect(Object.keys(REAL).sort()).toEqual(PROVIDER_SIGNALS.map((p) => p.id).sort());
    for (const [id, headers] of Object.entries(REAL)) expect(detectProvider([json, ...headers]), id).toBe(id);
  });

  it('recognises each provider by any one of its headers alone, whatever their case', () => {
    for (const p of PROVIDER_SIGNALS) {
      for (const h of p.headers) {
        expect(detectProvider([[h, 'x']]), `${p.id} by ${h}`).toBe(p.id);
        expect(detectProvider([[h.toUpperCase(), 'x']]), `${p.id} by ${h.toUpperCase()}`).toBe(p.id);
      }
    }
  });

  it('recognises providers by their User-Agent alone', () => {
    expect(detectProvider([['User-Agent', 'GitHub-Hookshot/abc']])).toBe('github');
    expect(detectProvider([['user-agent', 'Webconnex-Divvy']])).toBe('webconnex');
    expect(detectProvider([['USER-AGENT', '  Stripe/1.0 (+https://stripe.com/docs/webhooks)']])).toBe('stripe');
    expect(detectProvider([['User-Agent', 'Bitbucket-Webhooks/2.0']])).toBe('bitbucket');
  });

  it('tells Shopify by its newer header names without X-', () => {
    expect(detectProvider([['shopify-topic', 'orders/create'], ['shopify-hmac-sha256', 'ab=='], ['shopify-webhook-id', 'w1']])).toBe('shopify');
  });

  it('tells SendGrid (X-Twilio-Email-…) from Twilio, Bitbucket (X-Hub-Signature) from GitHub, and a provider from the Svix headers it signs with', () => {
    expect(detectProvider([['X-Twilio-Email-Event-Webhook-Signature', 'x'], ['X-Twilio-Signature', 'x']])).toBe('sendgrid');
    expect(detectProvider([['X-Hub-Signature', 'sha256=ab'], ['X-Event-Key', 'repo:push']])).toBe('bitbucket');
    // X-Hub-Signature alone is used by many (WebSub, Meta): it names no provider.
    expect(detectProvider([['X-Hub-Signature', 'sha1=ab']])).toBeNull();
    expect(detectProvider([['webhook-id', 'msg_1'], ['webhook-timestamp', '1'], ['webhook-signature', 'v1,ab=']])).toBe('svix');
    expect(detectProvider([['svix-id', 'msg_1'], ['Linear-Event', 'Issue']])).toBe('linear');
  });

  it('names no provider for plain requests, look-alike names and values, and odd or hostile headers', () => {
    expect(detectProvider([])).toBeNull();
    expect(detectProvider([json, ['User-Agent', 'curl/8.5.0']])).toBeNull();
    // A name inside a value, a prefix or suffix of a name, or the User-Agent pattern not at its start.
    expect(detectProvider([['X-Forwarded-For', 'x-github-event']])).toBeNull();
    expect(detectProvider([['X-GitHub-Event-Extra', 'push'], ['Stripe-Signature2', 'x'], ['X-X-Shopify-Topic', 'x']])).toBeNull();
    expect(detectProvider([['User-Agent', 'Mozilla/5.0 GitHub-Hookshot/1']])).toBeNull();
    expect(detectProvider([['User-Agent', 'Stripe']])).toBeNull();
    // Only the first User-Agent counts; a huge one is cut before any pattern sees it.
    expect(detectProvider([['User-Agent', 'curl/8'], ['User-Agent', 'GitHub-Hookshot/1']])).toBeNull();
    expect(detectProvider([['User-Agent', `${'x'.repeat(MAX_USER_AGENT_CHARS)}GitHub-Hookshot/1`]])).toBeNull();
    expect(detectProvider([['User-Agent', 'a'.repeat(100_000)]])).toBeNull();
    expect(detectProvider([['User-Agent', '']])).toBeNull();
    expect(detectProvider([['__proto__', 'x'], ['constructor', 'x']])).toBeNull();
  });

  it('takes the first provider in the table when the headers name several (a forged mix picks a label, nothing more)', () => {
    expect(detectProvider([['Stripe-Signature', 'x'], ['X-GitHub-Event', 'push']])).toBe('github');
  });

  it('recognises the provider of every template hookbin sends (Makeplans only once signed: its signature is its only header)', () => {
    const expected: Record<string, string> = { github: 'github', stripe: 'stripe', shopify: 'shopify', slack: 'slack', webconnex: 'webconnex', 'standard-webhooks': 'svix' };
    for (const id of TEMPLATE_IDS) {
      if (!(id in expected)) continue;
      expect(detectProvider(renderTemplate(id)!.headers), id).toBe(expected[id]);
    }
  });
});

describe('providerRef and providerPresetId', () => {
  it('names a stored id, keeps an unknown one as its own name, and null as null', () => {
    expect(providerRef('github')).toEqual({ id: 'github', name: 'GitHub' });
    expect(providerRef('gone-provider')).toEqual({ id: 'gone-provider', name: 'gone-provider' });
    expect(providerRef(null)).toBeNull();
    expect(providerRef(undefined)).toBeNull();
  });

  it('points the providers with a documented schedule at their preset', () => {
    for (const [provider, preset] of [
      ['github', 'github'],
      ['stripe', 'stripe'],
      ['shopify', 'shopify'],
      ['slack', 'slack'],
      ['makeplans', 'makeplans'],
      ['svix', 'standard-webhooks'],
      ['square', 'square'],
      ['hubspot', 'hubspot'],
      ['sendgrid', 'sendgrid'],
    ]) {
      expect(presetById(providerPresetId(provider!))?.id, provider).toBe(preset);
    }
    expect(presetById(providerPresetId('webconnex'))).toBeUndefined();
  });
});
