/**
 * Realistic webhooks for the browser tests and the README screenshot: a
 * GitHub push signed the way GitHub signs it, a Stripe event, a form post.
 */
import { createHmac } from 'node:crypto';
import type { HeaderPair } from '../../server/common/types.js';

/** GitHub's documented example secret. */
export const GITHUB_SECRET = "It's a Secret to Everybody";

/** A GitHub `push` delivery: the JSON body and its headers in GitHub's order, signed with `GITHUB_SECRET`. */
export function githubPush(): { body: string; headers: HeaderPair[] } {
  const body = JSON.stringify({
    ref: 'refs/heads/main',
    before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
    after: '59b20b8d5c6ff8d09518454d4dd8b7a30f095ab5',
    repository: {
      id: 186853002,
      node_id: 'MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=',
      name: 'hello-world',
      full_name: 'octo-org/hello-world',
      private: false,
      owner: { login: 'octo-org', id: 6811672, type: 'Organization' },
      html_url: 'https://github.com/octo-org/hello-world',
      default_branch: 'main',
      stargazers_count: 42,
    },
    pusher: { name: 'monalisa', email: 'monalisa@example.com' },
    sender: { login: 'monalisa', id: 583231, site_admin: false },
    created: false,
    deleted: false,
    forced: false,
    commits: [
      {
        id: '59b20b8d5c6ff8d09518454d4dd8b7a30f095ab5',
        message: 'Retry failed deliveries with backoff',
        timestamp: '2026-11-23T10:58:12+01:00',
        author: { name: 'Mona Lisa', email: 'monalisa@example.com', username: 'monalisa' },
        added: ['src/retry.ts'],
        removed: [],
        modified: ['src/webhooks.ts', 'README.md'],
      },
    ],
    head_commit: null,
  });
  const sig256 = createHmac('sha256', GITHUB_SECRET).update(body).digest('hex');
  const sig1 = createHmac('sha1', GITHUB_SECRET).update(body).digest('hex');
  return {
    body,
    headers: [
      ['User-Agent', 'GitHub-Hookshot/f1aa6a8'],
      ['Accept', '*/*'],
      ['X-GitHub-Delivery', '8c3d7a40-c8f3-11f0-8e1c-2f3e7b9b1a11'],
      ['X-GitHub-Event', 'push'],
      ['X-GitHub-Hook-ID', '292430182'],
      ['X-GitHub-Hook-Installation-Target-ID', '186853002'],
      ['X-GitHub-Hook-Installation-Target-Type', 'repository'],
      ['X-Hub-Signature', `sha1=${sig1}`],
      ['X-Hub-Signature-256', `sha256=${sig256}`],
      ['Content-Type', 'application/json'],
      // Through a tunnel a header can arrive twice; the inspector must show both lines.
      ['X-Forwarded-For', '140.82.115.4'],
      ['X-Forwarded-For', '10.0.0.7'],
    ],
  };
}

/** A Stripe `invoice.paid` event (signature header shaped like Stripe's, not valid). */
export function stripeInvoicePaid(): { body: string; headers: HeaderPair[] } {
  const body = JSON.stringify({
    id: 'evt_1QxYz2LkdIwHu7ix0cPqXb3a',
    object: 'event',
    type: 'invoice.paid',
    data: { object: { id: 'in_1QxYz1LkdIwHu7ixT3l9aB2c', amount_paid: 4900, currency: 'eur', customer: 'cus_R2d2C3po' } },
  });
  return {
    body,
    headers: [
      ['User-Agent', 'Stripe/1.0 (+https://stripe.com/docs/webhooks)'],
      ['Content-Type', 'application/json; charset=utf-8'],
      ['Stripe-Signature', 't=1763895521,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd'],
    ],
  };
}
