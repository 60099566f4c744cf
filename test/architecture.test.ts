/**
 * The shape of the source tree, held to its limits (ARCHITECTURE.md): lines over 120 characters
 * are long strings only and at most 0.5%; no function over 80 lines (migrations aside); no import
 * cycles; no query builder outside src/stores; every step of the table needs only earlier steps.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shape } from '../scripts/shape.mjs';
import { PIPELINE } from '../src/pipeline/steps/index.js';
import { STEP } from '../src/pipeline/step-ids.js';

const s = shape();

describe('the source tree', () => {
  it('keeps lines within 120 characters but for long strings (at most 0.5%)', () => {
    expect(s.longShare).toBeLessThanOrEqual(0.005);
    const notStrings = s.longLines.filter((l) => {
      const text = readFileSync(l.file, 'utf8').split('\n')[l.line - 1]!.trim();
      return !/[`'"]/.test(text) || /^(\/\/|\/\*|\*)/.test(text);
    });
    expect(notStrings).toEqual([]);
  });

  it('has no function over 80 lines', () => {
    expect(s.longFunctions.map((f) => `${f.file}:${f.line} ${f.name} (${f.lines})`)).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(s.cycles.map((c) => c.join(' → '))).toEqual([]);
  });

  it('builds queries only in src/stores', () => {
    expect(s.queryCalls.map((q) => `${q.file}:${q.line}`)).toEqual([]);
  });
});

describe('the step table', () => {
  it('has one row per step id, each needing only steps before it', () => {
    const ids = PIPELINE.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(Object.values(STEP).sort());
    PIPELINE.forEach((step, i) => {
      for (const need of step.needs) expect(ids.indexOf(need), `${step.id} needs ${need}`).toBeLessThan(i);
    });
  });
});
