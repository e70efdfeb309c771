/**
 * Why each check of `hookbin check` matters, in one sentence each: the
 * report's `why`, the same for the command line, the API and the inspector.
 */
import type { CheckId } from '../common/check.js';

/** One sentence per check on what a receiver that fails it lets happen. */
export const WHY: Readonly<Record<CheckId, string>> = {
  valid: "an endpoint that refuses the provider's correctly signed deliveries gets every event retried and finally dropped",
  'wrong-signature': 'an endpoint that accepts a wrong signature accepts forged events',
  'missing-signature': 'an endpoint that accepts an unsigned delivery lets anyone who knows its URL send it events',
  'tampered-body': 'an endpoint that does not check the signature against the raw body accepts a delivery changed on its way',
  'stale-timestamp': 'an endpoint that ignores the signed timestamp accepts an old delivery captured and replayed by someone else',
  replay: 'providers deliver at least once and retry what they think failed, so a receiver must answer 2xx to the same event again instead of failing it',
  timeout: 'a provider that gives up waiting counts the delivery as failed and retries it, even when the endpoint did the work',
  retry: "after a failure the provider redelivers the same event on its schedule, and the endpoint must accept it once it recovers",
};
