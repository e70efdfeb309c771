/**
 * The inspector's signature logic, pure, in Node: verdict words and glyphs,
 * the verdict filter's rule (the server's `?verdict=`), the scheme list
 * against the server's registry, and the `secrets` PATCH lists: a kept
 * secret never carries a value, so a masked one is never sent back.
 */
import { describe, expect, it } from 'vitest';
import type { MaskedSecret } from '../../server/common/types.js';
import { SCHEMES as SERVER_SCHEMES } from '../../server/verify/registry.js';
import {
  addSecret,
  keepSecrets,
  matchesVerdict,
  removeSecret,
  SCHEMES,
  setSecretScheme,
  VERDICT_FILTERS,
  verdictGlyph,
  verdictLabel,
  verdictTitle,
} from '../../web/src/features/secrets/secrets.js';

const current: MaskedSecret[] = [
  { name: 'stripe-test', value: 'whsec_…LaSw', scheme: 'stripe' },
  { name: 'gh', value: '…body', scheme: null },
];

describe('verdict words', () => {
  it('says every verdict in a word, with a glyph for pass or fail, so color is never the only cue', () => {
    expect(VERDICT_FILTERS.map((v) => `${verdictGlyph(v === 'unsigned' ? null : v)}${verdictLabel(v)}`)).toEqual([
      '✓valid',
      '✗invalid',
      '✗expired',
      '✗malformed',
      '?no secret',
      'unsigned',
    ]);
    expect(verdictLabel(null)).toBe('unsigned');
    expect(new Set(VERDICT_FILTERS.map((v) => verdictTitle(v === 'unsigned' ? null : v))).size).toBe(6);
  });

  it('filters like the server: "unsigned" is a capture without a verdict', () => {
    expect(matchesVerdict(null, 'unsigned')).toBe(true);
    expect(matchesVerdict('no-secret', 'unsigned')).toBe(false);
    expect(matchesVerdict('valid', 'valid')).toBe(true);
    expect(matchesVerdict('expired', 'invalid')).toBe(false);
    expect(matchesVerdict('invalid', null)).toBe(true);
    expect(matchesVerdict(null, null)).toBe(true);
  });
});

describe('scheme ids', () => {
  it('are the server registry’s, in its order, with the header each reads', () => {
    expect(SCHEMES.map((s) => [s.id, s.header])).toEqual(SERVER_SCHEMES.map((s) => [s.id, s.header]));
  });
});

describe('secrets PATCH lists', () => {
  it('keeps the current secrets by name and scheme only: never a value, never the mask', () => {
    expect(keepSecrets(current)).toEqual([
      { name: 'stripe-test', scheme: 'stripe' },
      { name: 'gh', scheme: null },
    ]);
    for (const list of [keepSecrets(current), removeSecret(current, 'gh'), setSecretScheme(current, 'gh', 'github')]) {
      expect(list.every((s) => !('value' in s))).toBe(true);
      expect(JSON.stringify(list)).not.toContain('…');
    }
  });

  it('adds a secret with its value, the others without', () => {
    const list = addSecret(current, { name: ' shop ', value: 'shpss_0123456789abcdef', scheme: 'shopify' });
    expect(list).toEqual([
      { name: 'stripe-test', scheme: 'stripe' },
      { name: 'gh', scheme: null },
      { name: 'shop', value: 'shpss_0123456789abcdef', scheme: 'shopify' },
    ]);
  });

  it('replaces a secret of the same name in place (a rotated secret)', () => {
    expect(addSecret(current, { name: 'gh', value: 'new-value', scheme: 'github' })).toEqual([
      { name: 'stripe-test', scheme: 'stripe' },
      { name: 'gh', value: 'new-value', scheme: 'github' },
    ]);
  });

  it('refuses a bad name or an empty value with a sentence', () => {
    expect(() => addSecret(current, { name: 'has space', value: 'x', scheme: null })).toThrow(/name/);
    expect(() => addSecret(current, { name: '', value: 'x', scheme: null })).toThrow(/name/);
    expect(() => addSecret(current, { name: 'ok', value: '', scheme: null })).toThrow(/value/);
  });

  it('removes one, and re-scopes one without touching the others', () => {
    expect(removeSecret(current, 'stripe-test')).toEqual([{ name: 'gh', scheme: null }]);
    expect(removeSecret(current, 'missing')).toEqual(keepSecrets(current));
    expect(setSecretScheme(current, 'stripe-test', null)).toEqual([
      { name: 'stripe-test', scheme: null },
      { name: 'gh', scheme: null },
    ]);
  });
});
