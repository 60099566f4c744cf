import { describe, expect, it } from 'vitest';
import { bigramHash, hashedNgrams, murmur3, tokenize } from './tokenize.js';

/** The features as the regular expression defines them: tokens, then their hashes. */
function reference(text: string, bits: number): Map<number, number> {
  const mask = (1 << bits) - 1;
  const out = new Map<number, number>();
  const add = (b: number) => out.set(b, (out.get(b) ?? 0) + 1);
  let prev = 0;
  tokenize(text).forEach((t, i) => {
    const h = murmur3(t);
    if (i > 0) add(bigramHash(prev, h) & mask);
    add(h & mask);
    prev = h;
  });
  return out;
}

const TEXTS = [
  '',
  '   ...  ',
  'Hello, World! hello world',
  "don't stop; it's o’clock — rock'n'roll isn't 'quoted' a'1 b' 'c",
  'Straße ÉCOLE naïve façade Ωmega ΣΊΣΥΦΟΣ',
  'İstanbul KELVIN K ǅ ﬁ', // lower-casing that changes length or expands
  'Arabic-Indic ٣٤٥ digits, superscript ²³ and roman Ⅻ',
  '日本語のテキスト 中文 한국어',
  '𝐀𝐁𝐂 bold letters, emoji 😀🎉 and 𝟙𝟚 digits',
  'lone \ud800 high and \udc00 low surrogates, a\ud800b',
  'tab\tnew\nline\r\nx_y x-y x.y x@y.com https://example.com/a?b=c',
  'a'.repeat(5000) + ' ' + 'b c '.repeat(2000),
];

describe('hashedNgrams', () => {
  it.each(TEXTS.map((t) => [JSON.stringify(t.slice(0, 40)), t] as const))(
    'finds the same features as the token pattern: %s',
    (_n, text) => {
      for (const bits of [8, 20]) {
        const { buckets, counts } = hashedNgrams(text, bits);
        const got = new Map<number, number>();
        buckets.forEach((b, i) => got.set(b, counts[i]!));
        expect(got).toEqual(reference(text, bits));
        expect(new Set(buckets).size).toBe(buckets.length);
      }
    },
  );
});
