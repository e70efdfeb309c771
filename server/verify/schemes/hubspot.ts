/**
 * HubSpot (v3): `X-HubSpot-Signature-v3: <base64 HMAC-SHA256>` keyed by the
 * app's client secret, over method + full URL + raw body +
 * `X-HubSpot-Request-Timestamp` (unix milliseconds). HubSpot decodes some
 * percent-encoded characters of the URL before signing (`%3A` → `:`, `%2F`
 * → `/`, … see DECODED) and refuses timestamps more than 5 minutes old;
 * like Stripe's and Slack's, its rule says nothing of one ahead of the
 * clock, which is accepted (PAST_ONLY). The URL is the public one
 * (`--public-url`, `--trust-proxy`) when known.
 */
import { checkParsed, detectHeader, findHeader, hmac, literalKey, malformed, PAST_ONLY, parsed, verifyWith } from '../crypto.js';
import type { HeaderPair, ParsedSignature, ParseResult, Scheme, SecretInput, VerifyInput } from '../types.js';
import { signedElsewhere, urlHint } from './url-signed.js';

const HEADER = 'X-HubSpot-Signature-v3';
const TIMESTAMP = 'X-HubSpot-Request-Timestamp';
const EXPECTED = `${HEADER}: <base64 HMAC-SHA256 of method + URL + body + timestamp>, with ${TIMESTAMP}: <unix milliseconds>`;

/** The percent-escapes HubSpot decodes in the URL before signing (its v3 documentation's list), either case. */
const DECODED = /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi;

/** The URL as HubSpot signs it: the listed escapes decoded, every other one kept. */
export function hubspotUrl(url: string): string {
  return url.replace(DECODED, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The signature parsed as if the request was made at `url` (decoded HubSpot's way unless `raw`). */
function parseAt(headers: HeaderPair[], method: string, url: string): ParseResult {
  const h = findHeader(headers, HEADER);
  if (!h) return malformed(HEADER, `${HEADER} is missing: expected ${EXPECTED}`);
  const ts = findHeader(headers, TIMESTAMP);
  if (!ts) return malformed(h.name, `${TIMESTAMP} is missing: expected ${EXPECTED}`);
  const stamp = ts.value.trim();
  if (!/^\d{1,15}$/.test(stamp)) return malformed(h.name, `${TIMESTAMP} is not a unix time in milliseconds: expected ${EXPECTED}`);
  // Seconds are the classic mistake; HubSpot's are 13 digits.
  if (stamp.length <= 11) return malformed(h.name, `${TIMESTAMP} looks like seconds (${stamp.length} digits), and HubSpot sends milliseconds: expected ${EXPECTED}`);
  const result = parsed(
    { header: h.name, algorithm: 'sha256', encoding: 'base64', signatures: [h.value.trim()], prefix: method + url, timestamp: Math.floor(Number(stamp) / 1000), tolerance: PAST_ONLY },
    EXPECTED,
  );
  // The timestamp comes after the body in what is signed.
  if (result.ok) result.parsed.signed = (body) => [Buffer.concat([body, Buffer.from(ts.value, 'utf8')])];
  return result;
}

/** The `hubspot` scheme (v3; timed, 300 s in the past, any time ahead; signs method, decoded URL, body and timestamp). */
export const hubspot: Scheme = {
  id: 'hubspot',
  header: HEADER,
  timed: true,
  detectsOn: [HEADER.toLowerCase()],
  detect: (headers) => detectHeader(headers, HEADER),
  parse(headers, request) {
    if (request?.url === undefined) {
      const h = findHeader(headers, HEADER);
      return malformed(h?.name ?? HEADER, `hookbin cannot tell the URL this request was made at (no Host header), and HubSpot signs it: start hookbin with --public-url`);
    }
    return parseAt(headers, request.method ?? 'POST', hubspotUrl(request.url));
  },
  key: literalKey,
  verify: (input, secret) => verifyWith(hubspot, input, secret),
  sign(input) {
    if (input.url === undefined) throw new Error('hubspot: signing needs the URL the request is sent to, which HubSpot signs');
    const ts = String(Math.floor(input.now) * 1000);
    const signed = Buffer.concat([input.body, Buffer.from(ts, 'utf8')]);
    const digest = hmac('sha256', literalKey(input.secret), (input.method ?? 'POST') + hubspotUrl(input.url), signed);
    return [
      [TIMESTAMP, ts],
      [HEADER, digest.toString('base64')],
    ];
  },
  explain: (_p, request, secrets) => undecodedUrl(request, secrets) || otherUrl(request, secrets),
  hint: (request) => urlHint('HubSpot', request),
};

/** A signature over the URL with its escapes kept: a sender imitating HubSpot that skipped its decoding. */
function undecodedUrl(request: VerifyInput, secrets: readonly SecretInput[]): string | null {
  const url = request.url!;
  if (hubspotUrl(url) === url) return null;
  const p = parseAt(request.headers, request.method ?? 'POST', url);
  if (!p.ok) return null;
  for (const c of secrets) {
    const r = checkParsed(p.parsed, literalKey(c.value), request.body, request.now);
    if (r.status === 'valid' || r.status === 'expired') {
      return `The signature matches secret "${c.name}" over the URL with its percent-escapes as sent (${url}): HubSpot decodes %3A, %2F, %3F, %40, %21, %24, %27, %28, %29, %2A, %2C and %3B before signing, so the sender should sign ${hubspotUrl(url)}.`;
    }
  }
  return null;
}

function otherUrl(request: VerifyInput, secrets: readonly SecretInput[]): string | null {
  const method = request.method ?? 'POST';
  return signedElsewhere('HubSpot', hubspot, request, secrets, (url): ParsedSignature => {
    const p = parseAt(request.headers, method, hubspotUrl(url));
    // parseAt succeeded for the URL received, so it does for any other.
    return (p as Extract<ParseResult, { ok: true }>).parsed;
  });
}
