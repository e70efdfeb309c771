/**
 * Rule globs: the documented semantics (a table, and agreement with the
 * RegExp translation hookbin used before on random globs and texts), and
 * adversarial globs that made that RegExp backtrack for minutes, both as a
 * unit and through the real server with a header at the 16 KiB limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileGlob, matchGlob } from '../../server/capture/glob.js';
import { MAX_RULE_GLOB_CHARS } from '../../server/capture/settings.js';
import { cleanupTempDirs, startServer, type TestServer } from '../support/helpers.js';

/** The translation the matcher replaces: right on meaning, exponential on some inputs. */
function reference(glob: string): RegExp {
  let src = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      src += '.*';
      i++;
    } else if (ch === '*') src += '[^/]*';
    else if (ch === '?') src += '[^/]';
    else src += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, 's');
}

describe('matchGlob semantics', () => {
  it.each([
    ['/hooks/*', '/hooks/a', true],
    ['/hooks/*', '/hooks/a/b', false],
    ['/hooks/*', '/hooks/', true],
    ['/hooks/**', '/hooks/a/b', true],
    ['/hooks/**', '/hooks/', true],
    ['**', '', true],
    ['*', '', true],
    ['*', 'a/b', false],
    ['?', '', false],
    ['?', '/', false],
    ['?', 'ab', false],
    ['v?', 'v1', true],
    ['a.b', 'axb', false],
    ['(x)+[y]', '(x)+[y]', true],
    ['a\\*b', 'a\\xb', true],
    ['invoice.*', 'invoice.paid', true],
    ['invoice.*', 'Invoice.paid', false],
    ['***', 'a/b', true],
    ['a/**/z', 'a/b/c/z', true],
    ['a/**/z', 'a/z', false],
    ['a/*/z', 'a/b/c/z', false],
    ['*-*', 'a\n-b', true],
    ['x', 'x\n', false],
    ['**a**a**a**a**b', 'a'.repeat(20), false],
    ['**a**a**a**a**b', 'a/a/a/a/b', true],
  ])('%j on %j is %s', (glob, text, expected) => {
    expect(matchGlob(glob, text)).toBe(expected);
    expect(reference(glob).test(text)).toBe(expected);
  });

  it('matches code units past ASCII, in short globs (one word of states) and long ones', () => {
    for (const pad of ['', '?'.repeat(40)]) {
      expect(matchGlob(`${pad}caf\u00e9*`, `${'x'.repeat(pad.length)}caf\u00e9 au lait`)).toBe(true);
      expect(matchGlob(`${pad}caf\u00e9*`, `${'x'.repeat(pad.length)}cafe au lait`)).toBe(false);
      expect(matchGlob(`${pad}?\ud83d\ude00?`, `${'x'.repeat(pad.length)}a\ud83d\ude00b`)).toBe(true);
      expect(matchGlob(`${pad}?\ud83d\ude00?`, `${'x'.repeat(pad.length)}a\ud83d\ude01b`)).toBe(false);
      expect(matchGlob(`${pad}??*\ud83d\ude00`, `${'x'.repeat(pad.length)}\ud83d\ude00ab\ud83d\ude00`)).toBe(true);
    }
  });

  it('agrees with the RegExp translation on random globs and texts, across more than 32 states', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = (alphabet: string[], n: number) => Array.from({ length: n }, () => alphabet[rand(alphabet.length)]).join('');
    for (let i = 0; i < 3000; i++) {
      const glob = pick(['a', 'b', '/', '*', '**', '?', '.'], 1 + rand(i % 10 === 0 ? 60 : 8));
      const text = pick(['a', 'b', '/', '.'], rand(i % 10 === 0 ? 80 : 12));
      expect(compileGlob(glob)(text), `${glob} on ${text}`).toBe(reference(glob).test(text));
    }
  });
});

describe('`/` and code units past ASCII, in short globs (one word of states) and long ones', () => {
  for (const pad of ['', 'x'.repeat(40)]) {
    const words = pad ? 'long' : 'short';
    it(`${words}: ? and * never match /, even beside a literal /; ** does`, () => {
      expect(matchGlob(`${pad}a/?`, `${pad}a//`)).toBe(false);
      expect(matchGlob(`${pad}a/?`, `${pad}a/b`)).toBe(true);
      expect(matchGlob(`${pad}?`, `${pad}/`)).toBe(false);
      expect(matchGlob(`${pad}*b`, `${pad}a/b`)).toBe(false);
      expect(matchGlob(`${pad}**b`, `${pad}a/b`)).toBe(true);
      expect(matchGlob(`${pad}*/b`, `${pad}a/b`)).toBe(true);
    });
    it(`${words}: ? matches U+0080 and U+007F, a literal U+0080 only itself`, () => {
      expect(matchGlob(`${pad}?`, `${pad}\u0080`)).toBe(true);
      expect(matchGlob(`${pad}?`, `${pad}\u007f`)).toBe(true);
      expect(matchGlob(`${pad}\u0080*`, `${pad}\u0080z`)).toBe(true);
      expect(matchGlob(`${pad}\u0080*`, `${pad}\u0081z`)).toBe(false);
    });
  }
  it('a run of three or more stars is **', () => {
    expect(matchGlob('a***b', 'a/x/b')).toBe(true);
    expect(matchGlob('a*b', 'a/x/b')).toBe(false);
    expect(matchGlob('a*?*b', 'a/b')).toBe(false);
  });
});

describe('long globs: states carried across 32-bit words', () => {
  let seed = 11;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const one = (alphabet: string) => alphabet[rand(alphabet.length)]!;
  /** A text the glob matches: each token replaced by what it allows. */
  function sample(tokens: string[]): string {
    return tokens
      .map((t) => {
        if (t === '?') return one('ab.');
        if (t === '*') return Array.from({ length: rand(4) }, () => one('ab.')).join('');
        if (t === '**') return Array.from({ length: rand(4) }, () => one('ab./')).join('');
        return t;
      })
      .join('');
  }
  /** Texts one edit away: a character changed, dropped or added. */
  function nearMisses(text: string): string[] {
    const at = rand(text.length + 1);
    return [text.slice(0, at) + one('ab/.') + text.slice(at + 1), text.slice(0, at) + text.slice(at + 1), text.slice(0, at) + one('ab/.') + text.slice(at)];
  }

  // A star, `?` or literal at each position around the word boundaries (31/32, 63/64) is where a lost carry shows.
  for (const before of [29, 30, 31, 32, 33, 61, 62, 63, 64, 65]) {
    for (const special of ['*', '**', '?', '/', 'a']) {
      it(`${special} after ${before} tokens agrees with the RegExp translation, matching and near-missing`, () => {
        for (let round = 0; round < 20; round++) {
          const tokens = [
            ...Array.from({ length: before }, () => (rand(4) === 0 ? '?' : one('ab.'))),
            special,
            ...Array.from({ length: 1 + rand(6) }, () => ['a', 'b', '?', '*', '**', '/'][rand(6)]!),
          ];
          // Stars must not touch, or tokenize merges them and the positions move.
          const glob = tokens.filter((t, i) => !(t.startsWith('*') && tokens[i - 1]?.startsWith('*'))).join('');
          const text = sample(tokens.filter((t, i) => !(t.startsWith('*') && tokens[i - 1]?.startsWith('*'))));
          expect(compileGlob(glob)(text), `${glob} on ${text}`).toBe(true);
          for (const miss of nearMisses(text)) expect(compileGlob(glob)(miss), `${glob} on ${miss}`).toBe(reference(glob).test(miss));
        }
      });
    }
  }
});

/** Globs that make a backtracking matcher try every way to split the text. */
const ADVERSARIAL = ['*-*-*-*-*', '**a**a**a**a**b', `${'?*'.repeat(40)}!`, `${'*a'.repeat(200)}b`];

describe('adversarial globs', () => {
  it('finish on texts up to the header limit', { timeout: 5000 }, () => {
    // Each ends in `/`, which no star of these globs may take, after a run a backtracker splits every way.
    const texts = [`${'-'.repeat(16 * 1024)}/`, `${'a'.repeat(16 * 1024)}/`, `${'-a'.repeat(8 * 1024)}/`];
    for (const glob of ADVERSARIAL) for (const text of texts) expect(matchGlob(glob, text)).toBe(false);
  });
});

describe('adversarial rules through the real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
    cleanupTempDirs();
  });

  it('a 16 KiB header from an anonymous sender against such rules is answered', { timeout: 5000 }, async () => {
    const rules = ADVERSARIAL.flatMap((g) => [
      { match: { header: { name: 'x-probe', value: g } }, respond: { status: 418 } },
      { match: { path: g }, respond: { status: 418 } },
    ]);
    await server.api('/api/bins', { method: 'POST', body: JSON.stringify({ id: 'redos' }) });
    const set = await server.api('/api/bins/redos', { method: 'PATCH', body: JSON.stringify({ respond: { rules } }) });
    expect(set.status, await set.text()).toBe(200);
    // Node reads 16 KiB of request line and headers: the probe takes most of it.
    const res = await fetch(`${server.origin}/b/redos/${'-a'.repeat(500)}/`, { method: 'POST', headers: { 'x-probe': `${'-a'.repeat(7 * 1024)}/` }, body: '{}' });
    expect(res.status).toBe(200);
  });

  it(`refuses rules whose wildcard globs hold over ${MAX_RULE_GLOB_CHARS} characters in all, with a 400 saying so`, async () => {
    await server.api('/api/bins', { method: 'POST', body: JSON.stringify({ id: 'glob-cap' }) });
    const glob = (n: number) => `${'*a'.repeat(n / 2 - 1)}*b`;
    const patch = (rules: unknown[]) => server.api('/api/bins/glob-cap', { method: 'PATCH', body: JSON.stringify({ respond: { rules } }) });
    // Exactly the cap (4 × 500): accepted, and so are literal globs beyond it, which cost nothing.
    const atCap = Array.from({ length: 4 }, () => ({ match: { header: { name: 'x-h', value: glob(500) } }, respond: { status: 418 } }));
    const literal = Array.from({ length: 10 }, (_, i) => ({ match: { path: `/${String(i).repeat(499)}` }, respond: { status: 418 } }));
    const ok = await patch([...atCap, ...literal]);
    expect(ok.status, await ok.text()).toBe(200);
    // One more wildcard glob (in path, eventType or a header value, all count): refused.
    for (const extra of [{ path: '/*' }, { eventType: 'a.*' }, { header: { name: 'x', value: '?' } }]) {
      const res = await patch([...atCap, { match: extra, respond: { status: 418 } }]);
      expect(res.status, JSON.stringify(extra)).toBe(400);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(new RegExp(`globs with \\* or \\? hold 200[123] characters in all; at most ${MAX_RULE_GLOB_CHARS} are allowed`));
    }
  });
});
