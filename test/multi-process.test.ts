/**
 * Several `refit` processes sharing one store: concurrent `run`s never queue two runs for one model
 * line nor spend budget twice; concurrent `ingest`s of the same file store each event once and
 * count its evidence once.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/stores/store.js';
import { readEvidenceCounts } from '../src/stores/signals.js';
import { DIALECTS, freshStoreUrl, type TestStoreUrl } from './helpers/stores.js';
import { ndjson, project } from './helpers/project.js';
import { refit } from './helpers/spawn.js';

/** 50 model lines on PostgreSQL (many instances, one database); 6 on SQLite (one host). */
const linesFor = (dialect: string) =>
  Array.from({ length: dialect === 'postgres' ? 50 : 6 }, (_, i) => `line${String(i).padStart(2, '0')}`);
const config = (lines: string[]) =>
  `models:\n${lines.map((m) => `  ${m}:\n    triggers:\n      rules:\n        - { signal: misclassified, op: ">=", value: 2 }\n    budget:\n      capacity: 1\n      refill: 1/24h\n`).join('')}`;

function events(lines: string[]): string {
  const rows: object[] = [];
  for (const m of lines) {
    for (let i = 0; i < 200; i++) {
      rows.push({
        type: 'prediction',
        id: `${m}-${i}`,
        model: m,
        version: '1',
        input: { text: `t${i}` },
        prediction: 'x',
        confidence: 0.5,
        ts: '2026-11-22T00:00:00Z',
      });
      rows.push({
        type: 'feedback',
        prediction_id: `${m}-${i}`,
        model: m,
        label: i % 4 === 0 ? 'y' : 'x',
        ts: '2026-11-22T00:01:00Z',
      });
    }
  }
  return ndjson(rows);
}

describe.each(DIALECTS)('many processes on one store (%s)', (dialect) => {
  let store: TestStoreUrl | undefined;
  afterEach(async () => {
    await store?.cleanup();
  });

  it('concurrent ingests store each event once; 4 instances running at once do every side effect exactly once per line', async () => {
    const LINES = linesFor(dialect);
    store = await freshStoreUrl(dialect);
    const dir = project(config(LINES));
    writeFileSync(join(dir, 'events.ndjson'), events(LINES));
    const env = { REFIT_STORE: store.url };

    const ingests = await Promise.all(
      [1, 2, 3].map(() => refit(['ingest', 'events.ndjson', '--json', '--batch-size', '100'], { cwd: dir, env })),
    );
    for (const r of ingests) expect(r.code, r.stderr).toBe(0);
    const accepted = ingests.map((r) => JSON.parse(r.stdout).accepted as number);
    expect(accepted.reduce((x, y) => x + y, 0)).toBe(LINES.length * 400);

    const runs = await Promise.all([1, 2, 3, 4].map(() => refit(['run', '--json'], { cwd: dir, env })));
    for (const r of runs) expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);

    const s = await openStore(store.url);
    try {
      // The datasets consumed the evidence: nothing is counted twice and nothing is left over.
      for (const m of LINES) expect((await readEvidenceCounts(s, m, 0)).misclassified).toBe(0);
      const all = await s.db.selectFrom('runs').select(['model', 'state']).execute();
      expect(all.map((r) => r.model).sort()).toEqual(LINES);
      expect(all.every((r) => r.state === 'succeeded')).toBe(true);
      const budgets = await s.db.selectFrom('budget_state').select(['model', 'tokens']).execute();
      expect(budgets.every((b) => b.tokens === 0)).toBe(true);
      const count = async (table: 'datasets' | 'training_jobs' | 'model_versions') =>
        (await s.db.selectFrom(table).select('model').execute()).map((r) => r.model).sort();
      expect(await count('datasets')).toEqual(LINES);
      expect(await count('training_jobs')).toEqual(LINES);
      expect(await count('model_versions')).toEqual(LINES);
      const moves = await s.db
        .selectFrom('alias_history')
        .select(['model', 'alias'])
        .where('alias', '=', 'champion')
        .execute();
      expect(moves.map((m) => m.model).sort()).toEqual(LINES);
      const decisions = await s.db.selectFrom('decisions').select(['model', 'action']).execute();
      expect(decisions.filter((d) => d.action === 'retrain')).toHaveLength(LINES.length);
      expect(decisions.filter((d) => d.action === 'promote')).toHaveLength(LINES.length);
    } finally {
      await s.close();
    }
  }, 300_000);
});
