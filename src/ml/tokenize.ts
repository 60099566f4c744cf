/**
 * Tokenizing and feature hashing shared by the trainer and text drift.
 *
 * A token is a run of letters and digits, optionally followed by an apostrophe and letters
 * ("don't", "o’clock"), in the lower-cased text: the regular expression `TOKEN` below.
 * `hashedNgrams` finds the same tokens with a hand-written scanner and hashes them where they lie
 * (no token strings are made), which is what makes featurising fast; a test holds the two to the
 * same tokens.
 */

const TOKEN = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/** 32-bit MurmurHash3 (x86_32, seed 0) of a string's UTF-16 code units, for hashing features into buckets. */
export function murmur3(key: string): number {
  const u = new Uint16Array(key.length);
  for (let i = 0; i < key.length; i++) u[i] = key.charCodeAt(i);
  return murmur3Units(u, 0, u.length);
}

/** murmur3 of the code units u[start..end), the same as murmur3 of the string they spell. */
function murmur3Units(u: Uint16Array, start: number, end: number): number {
  let h = 0;
  let i = start;
  for (; i + 1 < end; i += 2) {
    let k = u[i]! | (u[i + 1]! << 16);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < end) {
    let k = u[i]!;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= end - start;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A bigram's hash from its two token hashes (a murmur finaliser over both), without building the string. */
export function bigramHash(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ b;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A text's distinct tokens as full 32-bit murmur3 hashes, with their counts (no token strings made). */
export function hashedTokens(text: string): { buckets: Int32Array; counts: Int32Array } {
  return hashedNgrams(text, 32, false);
}

// Character classes of the token pattern, per code point: letter, digit (\p{N}), or neither.
const OTHER = 0;
const LETTER = 1;
const NUMBER = 2;
const UNKNOWN = 3;
const IS_LETTER = /^\p{L}$/u;
const IS_NUMBER = /^\p{N}$/u;
/** Classes of the Basic Multilingual Plane (lone surrogates included), filled in as met. */
const bmpClass = new Uint8Array(0x10000).fill(UNKNOWN);

function classify(cp: number): number {
  const ch = String.fromCodePoint(cp);
  return IS_LETTER.test(ch) ? LETTER : IS_NUMBER.test(ch) ? NUMBER : OTHER;
}

/**
 * The class of the code point at u[i] plus 4 × its length in code units (2 for a surrogate pair).
 */
function kindAt(u: Uint16Array, i: number, len: number): number {
  const c = u[i]!;
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
    const lo = u[i + 1]!;
    if (lo >= 0xdc00 && lo <= 0xdfff) return classify(((c - 0xd800) << 10) + (lo - 0xdc00) + 0x10000) | 8;
  }
  let k = bmpClass[c]!;
  if (k === UNKNOWN) bmpClass[c] = k = classify(c);
  return k | 4;
}

// Scratch reused by every call: the lower-cased text's UTF-16 code units, its features in order.
let units = new Uint16Array(1 << 16);
let features = new Int32Array(1 << 16);
/** countDistinct's hash table: slots of distinct values, −1 when empty. */
let table = new Int32Array(1 << 16);

/**
 * The hashed word unigrams and bigrams of a text as distinct bucket ids (in order of first
 * appearance) with their counts (`buckets[i]` occurs `counts[i]` times). Unigram buckets are
 * murmur3(token) & (2^bits − 1), bigram buckets a mix of the two tokens' hashes.
 */
export function hashedNgrams(text: string, bits: number, bigrams = true): { buckets: Int32Array; counts: Int32Array } {
  const mask = bits >= 32 ? -1 : (1 << bits) - 1;
  const s = text.toLowerCase();
  const len = s.length;
  // Code units from a typed array are cheaper to read than charCodeAt.
  if (units.length < len) units = new Uint16Array(Math.max(len, units.length * 2));
  Buffer.from(units.buffer, 0, len * 2).write(s, 'utf16le');
  const u = units;
  // Tokens are separated, so at most (len + 1) / 2 of them, two features each.
  if (features.length < len + 2) features = new Int32Array(len + 2);
  const all = features;
  let n = 0;
  let prev = 0;
  let i = 0;
  while (i < len) {
    let kw = kindAt(u, i, len);
    if ((kw & 3) === OTHER) {
      i += kw >> 2;
      continue;
    }
    const start = i;
    i += kw >> 2;
    while (i < len) {
      kw = kindAt(u, i, len);
      if ((kw & 3) === OTHER) break;
      i += kw >> 2;
    }
    const q = i + 1 < len ? u[i]! : 0;
    if (q === 39 || q === 0x2019) {
      kw = kindAt(u, i + 1, len);
      if ((kw & 3) === LETTER) {
        i += 1 + (kw >> 2);
        while (i < len) {
          kw = kindAt(u, i, len);
          if ((kw & 3) !== LETTER) break;
          i += kw >> 2;
        }
      }
    }
    const h = murmur3Units(u, start, i);
    if (bigrams && n > 0) all[n++] = bigramHash(prev, h) & mask;
    all[n++] = h & mask;
    prev = h;
  }
  return countDistinct(all, n);
}

/**
 * The distinct values of all[0..n) in order of first appearance, with their counts, through an
 * open-addressing table sized to the document (it stays in the CPU cache, unlike a table of all
 * 2^bits buckets).
 */
function countDistinct(all: Int32Array, n: number): { buckets: Int32Array; counts: Int32Array } {
  let bits = 4;
  while (1 << bits < 2 * n) bits++;
  const size = 1 << bits;
  if (table.length < size) table = new Int32Array(size);
  const t = table;
  t.fill(-1, 0, size);
  const shift = 32 - bits;
  const counts = new Int32Array(n);
  let u = 0;
  for (let j = 0; j < n; j++) {
    const b = all[j]!;
    let h = Math.imul(b, 0x9e3779b1) >>> shift;
    for (;;) {
      const slot = t[h]!;
      if (slot < 0) {
        t[h] = u;
        all[u] = b;
        counts[u++] = 1;
        break;
      }
      if (all[slot] === b) {
        counts[slot]!++;
        break;
      }
      h = (h + 1) & (size - 1);
    }
  }
  return { buckets: all.slice(0, u), counts: counts.slice(0, u) };
}
