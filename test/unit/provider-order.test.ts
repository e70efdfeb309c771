/**
 * detectProvider looks each of the request's header names up once and tries
 * User-Agents only of the providers listed before the first one a header
 * names. Its answer must stay the documented one: the first provider in
 * PROVIDER_SIGNALS with any of its headers present or its User-Agent
 * matching the first User-Agent. `expected` below says that in the plainest
 * way, and every provider's headers and User-Agents are tried against it,
 * two providers at a time, in any case and order.
 */
import { describe, expect, it } from 'vitest';
import { MAX_USER_AGENT_CHARS, PROVIDER_SIGNALS, detectProvider } from '../../server/capture/provider.js';
import { indexHeaders } from '../../server/common/header-index.js';
import type { HeaderPair } from '../../server/common/types.js';

/** The contract, read straight off the list. */
function expected(headers: readonly HeaderPair[]): string | null {
  const names = new Set(headers.map(([n]) => n.toLowerCase()));
  const agent = headers.find(([n]) => n.toLowerCase() === 'user-agent')?.[1].trim().slice(0, MAX_USER_AGENT_CHARS) ?? null;
  for (const p of PROVIDER_SIGNALS) {
    if (p.headers.some((h) => names.has(h))) return p.id;
    if (p.userAgent && agent !== null && p.userAgent.test(agent)) return p.id;
  }
  return null;
}

/** A User-Agent each provider that has one sends. */
const AGENTS = [
  'GitHub-Hookshot/044aadd',
  'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
  'Shopify-Captain-Hook',
  'Slackbot 1.0 (+https://api.slack.com/robots)',
  'Webconnex-Divvy',
  'SendGrid Event API',
  'TwilioProxy/1.1',
  'Zoom Marketplace/1.0a',
  'Linear-Webhook',
  'Typeform Webhooks',
  'Bitbucket-Webhooks/2.0',
  'mailgun/treq-16.12.0',
  'Discord-Interactions/1.0 (+https://discord.com)',
  'HubSpot Connect 2.0 (http://dev.hubspot.com/)',
  'Square Connect v2',
  'Svix-Webhooks/1.2',
  'curl/8.5.0',
];

const HEADERS = PROVIDER_SIGNALS.flatMap((p) => p.headers);

describe('detectProvider', () => {
  it('has a User-Agent here for every provider that is known by one', () => {
    for (const p of PROVIDER_SIGNALS) if (p.userAgent) expect(AGENTS.some((a) => p.userAgent!.test(a)), p.id).toBe(true);
  });

  it('names the first provider listed whose header or User-Agent the request has, for every pair of them', () => {
    for (const header of HEADERS) {
      for (const name of [header, header.toUpperCase()]) {
        for (const agent of [...AGENTS, null]) {
          const pairs: HeaderPair[] = [['Content-Type', 'application/json'], [name, 'x']];
          if (agent !== null) pairs.push(['User-Agent', agent]);
          expect(detectProvider(pairs), `${name} with ${agent}`).toBe(expected(pairs));
          const reversed = pairs.toReversed();
          expect(detectProvider(reversed, indexHeaders(reversed)), `${name} with ${agent}, reversed`).toBe(expected(reversed));
        }
      }
    }
  });

  it('two providers’ headers: the one listed first wins, whatever the request’s order', () => {
    for (const a of HEADERS) {
      for (const b of HEADERS) {
        const pairs: HeaderPair[] = [[b, '1'], [a, '2']];
        expect(detectProvider(pairs), `${b}, ${a}`).toBe(expected(pairs));
      }
    }
  });

  it('reads only the first User-Agent, trimmed', () => {
    for (const first of AGENTS) {
      for (const second of AGENTS) {
        const pairs: HeaderPair[] = [['user-agent', `  ${first}`], ['User-Agent', second]];
        expect(detectProvider(pairs)).toBe(expected(pairs));
      }
    }
    expect(detectProvider([['User-Agent', 'curl/8'], ['user-agent', 'Stripe/1.0']])).toBeNull();
  });

  it('is null for a request no signal names', () => {
    expect(detectProvider([])).toBeNull();
    expect(detectProvider([['Host', 'x'], ['X-Signature', 'ab'], ['User-Agent', 'curl/8.5.0']])).toBeNull();
  });
});
