import { createHmac, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  SCHEMES,
  diagnose,
  maskSecret,
  verifySignatures,
  type HeaderPair,
  type SchemeId,
  type SecretInput,
  type SignatureStatus,
  type VerifyInput,
} from '../../server/verify/index.js';
import { SIGNATURE_CASES, caseRequest } from '../support/fixtures/signatures.js';

const NOW = 1_767_225_600;
// Distinctive values, so that finding one in an output cannot be a coincidence.
const A = 'k3y-Zq81wPfeRt';
const B = 'k3y-other-Yx45Lm';
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const WHSEC_KEY = Buffer.from(WHSEC.slice('whsec_'.length), 'base64');

const OBJ = { id: 'evt_1', type: 'invoice.paid', data: { amount: 4200, note: 'Grüße 🙂' } };
const COMPACT = Buffer.from(JSON.stringify(OBJ));
const PRETTY = Buffer.from(JSON.stringify(OBJ, null, 2));

function mac(key: string | Buffer, data: string | Buffer, encoding: 'hex' | 'base64' = 'hex'): string {
  return createHmac('sha256', key).update(data).digest(encoding);
}

function cat(...parts: (string | Buffer)[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

interface Scenario {
  name: string;
  scheme: SchemeId;
  input: VerifyInput;
  secrets: SecretInput[];
  status: SignatureStatus;
  /** What the sentence must say; null when no diagnosis is expected. */
  says: RegExp[] | null;
}

const at = (headers: HeaderPair[], body: Buffer, now = NOW): VerifyInput => ({ headers, body, now });
const swHeaders = (sig: string, ts = NOW): HeaderPair[] => [
  ['webhook-id', 'msg_1'],
  ['webhook-timestamp', String(ts)],
  ['webhook-signature', `v1,${sig}`],
];
const pubXSignature = SIGNATURE_CASES.find((c) => c.name === 'pub-x-signature')!;
const pubStripeExpired = SIGNATURE_CASES.find((c) => c.name === 'pub-stripe-expired')!;

const SCENARIOS: Scenario[] = [
  {
    name: 'no secret configured',
    scheme: 'x-signature',
    input: at([['X-Signature', mac(A, COMPACT)]], COMPACT),
    secrets: [],
    status: 'no-secret',
    says: [/add a secret to check this signature/],
  },
  {
    name: 'no secret for this scheme, but one set for another scheme matches',
    scheme: 'x-signature',
    input: at([['X-Signature', mac(A, COMPACT)]], COMPACT),
    secrets: [{ name: 'stripe-prod', value: A, scheme: 'stripe' }],
    status: 'no-secret',
    says: [/secret "stripe-prod", which is set for stripe only/, /x-signature/],
  },
  {
    name: 'another configured secret matches',
    scheme: 'x-webhook-signature',
    input: at([['X-Webhook-Signature', mac(A, COMPACT)]], COMPACT),
    secrets: [
      { name: 'dev', value: B },
      { name: 'stripe-prod', value: A, scheme: 'stripe' },
    ],
    status: 'invalid',
    says: [/matches secret "stripe-prod", which is set for stripe only/],
  },
  {
    name: 'whsec_ secret used literally where Standard Webhooks decodes it',
    scheme: 'standard-webhooks',
    input: at(swHeaders(mac(WHSEC, cat(`msg_1.${NOW}.`, COMPACT), 'base64')), COMPACT),
    secrets: [{ name: 'svix', value: WHSEC }],
    status: 'invalid',
    says: [/secret "svix" used literally as text/, /Standard Webhooks base64-decodes/],
  },
  {
    name: 'whsec_ secret base64-decoded where X-Webhook-Signature uses it literally',
    scheme: 'x-webhook-signature',
    input: at([['X-Webhook-Signature', mac(WHSEC_KEY, COMPACT)]], COMPACT),
    secrets: [{ name: 'api', value: WHSEC }],
    status: 'invalid',
    says: [/secret "api" base64-decoded/, /uses the whole secret literally as text/],
  },
  {
    name: 'whsec_ prefix dropped by the sender',
    scheme: 'stripe',
    input: at([['Stripe-Signature', `t=${NOW},v1=${mac(WHSEC.slice(6), cat(`${NOW}.`, COMPACT))}`]], COMPACT),
    secrets: [{ name: 'stripe', value: WHSEC }],
    status: 'invalid',
    says: [/whsec_ prefix dropped/],
  },
  {
    name: 'newline at the end of the configured secret',
    scheme: 'x-signature',
    input: at([['X-Signature', mac(A, COMPACT)]], COMPACT),
    secrets: [{ name: 'env', value: `${A}\n` }],
    status: 'invalid',
    says: [/secret "env" once trimmed/, /a newline/],
  },
  {
    name: 'spaces around the configured secret',
    scheme: 'shopify',
    input: at([['X-Shopify-Hmac-Sha256', mac(A, COMPACT, 'base64')]], COMPACT),
    secrets: [{ name: 'pasted', value: `  ${A} ` }],
    status: 'invalid',
    says: [/secret "pasted" once trimmed/, /whitespace/],
  },
  {
    name: "newline at the end of the sender's copy of the secret",
    scheme: 'github',
    input: at([['X-Hub-Signature-256', `sha256=${mac(`${A}\n`, COMPACT)}`]], COMPACT),
    secrets: [{ name: 'gh', value: A }],
    status: 'invalid',
    says: [/sender's copy of the secret has a trailing newline/],
  },
  {
    name: 'body re-serialized: signature over compact JSON, pretty body received',
    scheme: 'x-signature',
    input: at([['X-Signature', mac(A, COMPACT)]], PRETTY),
    secrets: [{ name: 'movemint', value: A }],
    status: 'invalid',
    says: [/re-serialized as compact JSON/, /raw bytes/],
  },
  {
    name: 'body re-serialized: signature over pretty JSON, compact body received',
    scheme: 'makeplans',
    input: at([['X-MakePlans-Signature', `sha256=${mac(A, PRETTY)}`]], COMPACT),
    secrets: [{ name: 'mp', value: A }],
    status: 'invalid',
    says: [/re-serialized as pretty JSON \(2-space indent\)/],
  },
  {
    name: "body re-serialized: the vector's Python-style JSON received compacted",
    scheme: 'x-signature',
    input: at(
      Object.entries(pubXSignature.headers),
      Buffer.from(JSON.stringify(JSON.parse(Buffer.from(pubXSignature.bodyBase64, 'base64').toString('utf8')))),
    ),
    secrets: [{ name: 'alpha', value: pubXSignature.secret }],
    status: 'invalid',
    says: [/re-serialized as JSON with spaces after , and :/, /json\.dumps/],
  },
  {
    name: 'trailing newline added after signing',
    scheme: 'webconnex',
    input: at([['X-Webconnex-Signature', mac(A, COMPACT)]], cat(COMPACT, '\n')),
    secrets: [{ name: 'wc', value: A }],
    status: 'invalid',
    says: [/without its trailing newline/, /trailing newline was added/],
  },
  {
    name: 'trailing newline removed after signing',
    scheme: 'webconnex',
    input: at([['X-Webconnex-Signature', mac(A, cat(PRETTY, '\n'))]], PRETTY),
    secrets: [{ name: 'wc', value: A }],
    status: 'invalid',
    says: [/with a trailing newline/, /trailing newline was removed/],
  },
  {
    name: 'CRLF received, LF signed',
    scheme: 'slack',
    input: at(
      [
        ['X-Slack-Request-Timestamp', String(NOW)],
        ['X-Slack-Signature', `v0=${mac(A, `v0:${NOW}:line one\nline two\nend`)}`],
      ],
      Buffer.from('line one\r\nline two\r\nend'),
    ),
    secrets: [{ name: 'slack', value: A }],
    status: 'invalid',
    says: [/signed with LF line endings and arrived with CRLF/],
  },
  {
    name: 'LF received, CRLF signed',
    scheme: 'x-signature',
    input: at([['X-Signature', mac(A, 'line one\r\nline two\r\nend')]], Buffer.from('line one\nline two\nend')),
    secrets: [{ name: 'x', value: A }],
    status: 'invalid',
    says: [/signed with CRLF line endings and arrived with LF/],
  },
  {
    name: 'base64 digest where X-Signature carries hex',
    scheme: 'x-signature',
    input: at([['X-Signature', mac(A, COMPACT, 'base64')]], COMPACT),
    secrets: [{ name: 'x', value: A }],
    status: 'malformed',
    says: [/HMAC is right \(secret "x"\) but written in base64, while X-Signature signatures are hex/],
  },
  {
    name: 'hex digest where Shopify carries base64',
    scheme: 'shopify',
    input: at([['X-Shopify-Hmac-Sha256', mac(A, COMPACT)]], COMPACT),
    secrets: [{ name: 'shop', value: A }],
    status: 'malformed',
    says: [/written in hex, while Shopify signatures are base64/],
  },
  {
    name: 'base64 digest in a Stripe v1',
    scheme: 'stripe',
    input: at([['Stripe-Signature', `t=${NOW},v1=${mac(A, cat(`${NOW}.`, COMPACT), 'base64')}`]], COMPACT),
    secrets: [{ name: 'st', value: A }],
    status: 'malformed',
    says: [/written in base64, while Stripe signatures are hex/],
  },
  {
    name: 'right HMAC, timestamp too old (the expired Stripe vector)',
    scheme: 'stripe',
    input: caseRequest(pubStripeExpired),
    secrets: [{ name: 'stripe-secret', value: pubStripeExpired.secret }],
    status: 'expired',
    says: [/secret "stripe-secret"/, /signed 4000 s ago, over the 300 s tolerance/],
  },
  {
    name: 'right HMAC, timestamp ahead by more than Standard Webhooks allows',
    scheme: 'standard-webhooks',
    input: at(swHeaders(mac(WHSEC_KEY, cat(`msg_1.${NOW + 600}.`, COMPACT), 'base64'), NOW + 600), COMPACT),
    secrets: [{ name: 'sw', value: WHSEC }],
    status: 'expired',
    says: [/timestamp is ahead by 600 s, over the 300 s allowed ahead/, /clock runs ahead/],
  },
  {
    name: 'right HMAC, timestamp in milliseconds',
    scheme: 'standard-webhooks',
    input: at(swHeaders(mac(WHSEC_KEY, cat(`msg_1.${NOW * 1000}.`, COMPACT), 'base64'), NOW * 1000), COMPACT),
    secrets: [{ name: 'sw', value: WHSEC }],
    status: 'expired',
    says: [/ahead by \d+ s, over the 300 s allowed ahead/, /looks like milliseconds/],
  },
  {
    name: 're-serialized body and a stale timestamp: both said',
    scheme: 'stripe',
    input: at([['Stripe-Signature', `t=${NOW},v1=${mac(A, cat(`${NOW}.`, COMPACT))}`]], PRETTY, NOW + 1000),
    secrets: [{ name: 'st', value: A }],
    status: 'invalid',
    says: [/re-serialized as compact JSON/, /signed 1000 s ago, over the 300 s tolerance/],
  },
  {
    name: 'header does not parse (Stripe without t=)',
    scheme: 'stripe',
    input: at([['Stripe-Signature', `v1=${mac(A, COMPACT)}`]], COMPACT),
    secrets: [{ name: 'st', value: A }],
    status: 'malformed',
    says: [/^Malformed signature: Stripe-Signature has no t= timestamp: expected Stripe-Signature: t=<unix seconds>,v1=/],
  },
  {
    name: 'header does not parse (Slack without its timestamp header)',
    scheme: 'slack',
    input: at([['x-slack-signature', `v0=${mac(A, COMPACT)}`]], COMPACT),
    secrets: [],
    status: 'malformed',
    says: [/X-Slack-Request-Timestamp is missing: expected/],
  },
  {
    name: 'the header carries the secret itself',
    scheme: 'x-webhook-signature',
    input: at([['X-Webhook-Signature', A]], COMPACT),
    secrets: [{ name: 'token', value: A }],
    status: 'malformed',
    says: [/X-Webhook-Signature carries secret "token" itself instead of an HMAC/],
  },
  {
    name: 'valid: nothing to diagnose',
    scheme: 'x-signature',
    input: at([['X-Signature', mac(A, COMPACT)]], COMPACT),
    secrets: [{ name: 'x', value: A }],
    status: 'valid',
    says: null,
  },
  {
    name: 'invalid for no cause hookbin can find: names the secret tried',
    scheme: 'x-signature',
    input: at([['X-Signature', mac(B, 'something else entirely')]], COMPACT),
    secrets: [{ name: 'x', value: A }],
    status: 'invalid',
    says: [/not made with secret "x"/, /another secret/],
  },
];

describe('diagnose: one plain sentence per cause', () => {
  for (const s of SCENARIOS) {
    it(s.name, () => {
      const verdict = verifySignatures(s.input, s.secrets).find((v) => v.scheme === s.scheme);
      expect(verdict?.status).toBe(s.status);
      const sentence = diagnose(s.input, s.scheme, s.secrets);
      if (s.says === null) {
        expect(sentence).toBeNull();
        return;
      }
      expect(sentence).not.toBeNull();
      for (const re of s.says) expect(sentence).toMatch(re);
      // One sentence: ends with a full stop, no line breaks.
      expect(sentence).toMatch(/\.$/);
      expect(sentence).not.toMatch(/\n/);
      // The scheme object works as well as its id.
      expect(diagnose(s.input, SCHEMES.find((x) => x.id === s.scheme)!, s.secrets)).toBe(sentence);
    });
  }

  it('is null for a scheme whose header is absent, and for an unknown scheme id', () => {
    const input = at([['X-Signature', mac(A, COMPACT)]], COMPACT);
    expect(diagnose(input, 'stripe', [{ name: 'x', value: 'nope' }])).toBeNull();
    expect(diagnose(input, 'no-such-scheme' as SchemeId, [{ name: 'x', value: 'nope' }])).toBeNull();
  });

  it('agrees with every shared vector: valid ones have nothing to diagnose, invalid ones are explained', () => {
    for (const c of SIGNATURE_CASES) {
      const sentence = diagnose(caseRequest(c), c.scheme, [{ name: 'case', value: c.secret }]);
      if (c.expect === 'valid') expect(sentence, c.name).toBeNull();
    }
    const expired = SIGNATURE_CASES.find((c) => c.name === 'pub-stripe-expired')!;
    expect(diagnose(caseRequest(expired), 'stripe', [{ name: 'case', value: expired.secret }])).toMatch(/4000 s ago/);
  });
});

describe('secret values never appear in any output', () => {
  /** The secrets each scenario uses, plus their untrimmed/decoded parts worth hunting for. */
  function needles(secrets: SecretInput[]): string[] {
    const out = new Set<string>();
    for (const { value } of secrets) {
      const body = value.startsWith('whsec_') ? value.slice(6) : value;
      out.add(value);
      out.add(value.trim());
      // Any 6 consecutive characters of a distinctive secret's body would be a
      // leak. Word-like vector secrets ("alpha-secret", "whsec_alphastripe")
      // share windows with field names and scheme ids, so for them only the
      // whole value counts.
      if (!/[0-9A-Z]/.test(body)) continue;
      for (let i = 0; i + 6 <= body.trim().length; i++) out.add(body.trim().slice(i, i + 6));
    }
    return [...out].filter((n) => n.length >= 6);
  }

  for (const s of SCENARIOS) {
    it(s.name, () => {
      const outputs: string[] = [JSON.stringify(verifySignatures(s.input, s.secrets))];
      for (const scheme of SCHEMES) {
        outputs.push(String(diagnose(s.input, scheme, s.secrets)));
        for (const secret of s.secrets) outputs.push(JSON.stringify(scheme.verify(s.input, secret.value)));
      }
      const all = outputs.join('\n');
      for (const n of needles(s.secrets)) expect(all, `leaks ${JSON.stringify(n)}`).not.toContain(n);
    });
  }

  it('the leak check itself finds a planted value', () => {
    const planted = [`diagnosis mentions ${A}`];
    expect(planted.join('\n')).toContain(needles([{ name: 'x', value: A }])[0]!);
  });
});

describe('maskSecret', () => {
  it('keeps a known prefix and the last 4 characters', () => {
    expect(maskSecret(WHSEC)).toBe('whsec_…LaSw');
    expect(maskSecret('shpss_0123456789abcdef')).toBe('shpss_…cdef');
    expect(maskSecret('alpha-secret')).toBe('…cret');
    expect(maskSecret("It's a Secret to Everybody")).toBe('…body');
  });

  it('shows a PEM key (Discord or SendGrid, to sign with) as its BEGIN line, not its END line', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    expect(maskSecret(pem)).toBe('-----BEGIN PRIVATE KEY-----…');
    expect(maskSecret(`  ${pem.replace(/\n/g, '\r\n')}`)).toBe('-----BEGIN PRIVATE KEY-----…');
  });

  it('shows nothing of a short secret, and nothing of an empty one', () => {
    expect(maskSecret('mp-alpha')).toBe('…');
    expect(maskSecret('whsec_abc123')).toBe('whsec_…');
    expect(maskSecret('')).toBe('…');
  });

  it('never reveals more than 4 characters of the secret body (random secrets, non-ASCII too)', () => {
    const chars = [...'abcXYZ019_-+/=éü日本🙂 '];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 500; i++) {
      const prefix = ['', 'whsec_', 'shpss_', 'sk_live_'][i % 4]!;
      const body = Array.from({ length: Math.floor(next() * 40) }, () => chars[Math.floor(next() * chars.length)]).join('');
      const masked = maskSecret(prefix + body);
      expect(masked.startsWith(`${prefix}…`)).toBe(true);
      const shown = [...masked.slice(prefix.length + 1)];
      expect(shown.length).toBeLessThanOrEqual(4);
      expect(body.endsWith(shown.join(''))).toBe(true);
    }
  });
});
