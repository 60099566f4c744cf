/**
 * Fuzzing ingestion (fast-check): NDJSON and CSV files of good events mixed with junk lines —
 * arbitrary text, JSON of any shape, deep nesting, impossible times, prototype keys, huge strings.
 * For every file: the command ends with exit 0 or 1 (never a crash or a stack trace), every good
 * event is stored, every junk line is rejected with its line number, and nothing is stored twice.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closeApp, openApp } from '../../src/app.js';
import { cli, project } from '../helpers/project.js';

const RUNS = Number(process.env.REFIT_FUZZ_RUNS ?? 100);
const CONFIG = 'models:\n  spam:\n    labels: [ham, spam]\n';

const goodExample = (id: string, label: 'ham' | 'spam', text: string) => ({
  type: 'example',
  id,
  model: 'spam',
  input: { text },
  label,
});

const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

/** Lines that must be rejected (each is one line of NDJSON). */
const junkLine = fc.oneof(
  fc
    .string({ maxLength: 80 })
    .map((s) => s.replace(/\n/g, ' '))
    .filter((s) => s.trim() !== '' && !s.trim().startsWith('{')),
  fc
    .jsonValue({ maxDepth: 3 })
    .map((v) => JSON.stringify(v))
    .filter((s) => !s.startsWith('{')),
  fc
    .record({ type: fc.constantFrom('example', 'feedback', 'prediction', 'nope') }, { requiredKeys: [] })
    .map((o) => JSON.stringify(o)),
  fc
    .integer({ min: 40, max: 3000 })
    .map((n) => `{"type":"example","id":"d","model":"spam","label":"ham","input":${deep(n)}}`),
  fc.constantFrom(
    '{"type":"example","id":"t","model":"spam","label":"ham","input":{"text":"x"},"ts":1e20}',
    '{"type":"example","id":"t2","model":"spam","label":"ham","input":{"text":"x"},"ts":"2024-02-31T00:00:00Z"}',
    '{"type":"example","id":"p","model":"__proto__","label":"ham","input":{"text":"x"}}',
    '{"type":"example","id":"c","model":"constructor","label":"ham","input":{"text":"x"}}',
    '{"type":"example","id":"u","model":"spam","label":"eggs","input":{"text":"x"}}',
    '{"type":"example","id":"","model":"spam","label":"ham","input":{"text":"x"}}',
    '{"__proto__":{"polluted":true},"type":"example","id":"pp","model":"spam","label":"ham"}',
  ),
);

const goodRows = fc.uniqueArray(
  fc.record({
    id: fc.stringMatching(/^[a-z0-9]{1,12}$/),
    label: fc.constantFrom('ham' as const, 'spam' as const),
    text: fc.string({ minLength: 1, maxLength: 60 }),
  }),
  { selector: (r) => r.id, minLength: 1, maxLength: 30 },
);

async function storedIds(dir: string): Promise<string[]> {
  const app = await openApp({ cwd: dir, env: {} });
  try {
    const rows = await app.store.db.selectFrom('examples').select('id').execute();
    return rows.map((r) => r.id);
  } finally {
    await closeApp(app);
  }
}

describe('fuzzing ingestion', () => {
  it('NDJSON: good events stored, junk rejected by line, no crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        goodRows,
        fc.array(junkLine, { maxLength: 12 }),
        fc.integer({ min: 0, max: 1000 }),
        async (good, junk, seed) => {
          const lines: { text: string; good: boolean }[] = good.map((g) => ({
            text: JSON.stringify(goodExample(g.id, g.label, g.text)),
            good: true,
          }));
          // Junk goes in at positions the seed picks, good rows keep their order.
          junk.forEach((j, k) => lines.splice((seed * (k + 7)) % (lines.length + 1), 0, { text: j, good: false }));
          const dir = project(CONFIG, { 'e.ndjson': lines.map((l) => l.text).join('\n') + '\n' });
          const r = await cli(['ingest', 'e.ndjson', '--json'], { cwd: dir });
          expect([0, 1]).toContain(r.code);
          expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
          const summary = JSON.parse(r.stdout);
          expect(summary.accepted).toBe(good.length);
          expect(summary.rejected).toBe(junk.length);
          const badLines = lines.map((l, i) => (l.good ? null : i + 1)).filter((x) => x !== null);
          expect(summary.errors.map((e: { line: number }) => e.line).sort((a: number, b: number) => a - b)).toEqual(
            badLines,
          );
          expect((await storedIds(dir)).sort()).toEqual(good.map((g) => g.id).sort());
          // Again: idempotent, nothing stored twice.
          const again = JSON.parse((await cli(['ingest', 'e.ndjson', '--json'], { cwd: dir })).stdout);
          expect(again).toMatchObject({ accepted: 0, duplicates: good.length });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('CSV: good rows stored, bad cells rejected by line, no crash', async () => {
    const cell = fc.string({ maxLength: 20 }).map((s) => s.replace(/[\n\r",]/g, ' '));
    await fc.assert(
      fc.asyncProperty(goodRows, fc.array(fc.tuple(cell, cell, cell), { maxLength: 10 }), async (good, junk) => {
        const header = 'type,id,model,input.text,label';
        const rows = good.map(
          (g) => `example,${g.id},spam,"${g.text.replace(/"/g, '""').replace(/\n/g, ' ')}",${g.label}`,
        );
        // A junk row: an unknown type, a missing label or an unknown one — each must be refused.
        const bad = junk.map(([a, b, c], k) =>
          k % 3 === 0
            ? `nope${a},x${k},spam,${b},ham`
            : k % 3 === 1
              ? `example,j${k},spam,${b},`
              : `example,j${k},spam,${b},eggs${c}`,
        );
        const dir = project(CONFIG, { 'e.csv': [header, ...rows, ...bad].join('\n') + '\n' });
        const r = await cli(['ingest', 'e.csv', '--json'], { cwd: dir });
        expect([0, 1]).toContain(r.code);
        const summary = JSON.parse(r.stdout);
        expect(summary.accepted).toBe(good.length);
        expect(summary.rejected).toBe(bad.length);
        expect((await storedIds(dir)).sort()).toEqual(good.map((g) => g.id).sort());
      }),
      { numRuns: Math.max(10, Math.round(RUNS / 2)) },
    );
  });
});
