/**
 * Fuzzing what refit reads from people and other programs (fast-check): config files with a
 * secret in the environment, HTTP bodies of POST /v1/feedback, dataset versions as an external
 * preparer publishes them (dataset_metadata.json and split files), and prediction files of
 * `refit evaluate`. Every input gets a clear answer — accepted, a config error (exit 2), a 4xx, a
 * failed report — never a crash, a 5xx or a stack trace; the good events beside bad ones are
 * stored; the secret is never printed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, openApp } from '../../src/app.js';
import type { AppContext } from '../../src/app-context.js';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { startService, type Service } from '../../src/service/service.js';
import { cli, project } from '../helpers/project.js';

const RUNS = Number(process.env.REFIT_FUZZ_RUNS ?? 100);
const SECRET = 'sk-fuzz-secret-7d1f0c9a';
const STACK = /\n\s+at .*[(\s].*:\d+:\d+\)?/;

const VALID = {
  secrets: ['HOOK_TOKEN'],
  notify: [{ kind: 'webhook', url: 'https://hooks.example.com/x', secret: '${HOOK_TOKEN}' }],
  models: {
    spam: {
      labels: ['ham', 'spam'],
      budget: { capacity: 3, refill: '1/1d' },
      triggers: { rules: [{ signal: 'misclassified', op: '>=', value: 40 }] },
      gate: [{ metric: 'f1_macro', min: 0.8 }],
    },
  },
};

/** A path into VALID and a value to put there (or a key to add). */
const mutation = fc.record({
  path: fc.constantFrom(
    ['secrets'],
    ['notify', 0, 'kind'],
    ['notify', 0, 'url'],
    ['notify', 0, 'secret'],
    ['models', 'spam', 'labels'],
    ['models', 'spam', 'budget', 'capacity'],
    ['models', 'spam', 'budget', 'refill'],
    ['models', 'spam', 'budget', 'capcity'],
    ['models', 'spam', 'triggers', 'rules', 0, 'signal'],
    ['models', 'spam', 'triggers', 'rules', 0, 'op'],
    ['models', 'spam', 'triggers', 'rules', 0],
    ['models', 'spam', 'gate', 0, 'metric'],
    ['models', 'spam', 'task'],
    ['models', 'spam', 'train'],
    ['models', '__proto__'],
    ['models', 'constructor'],
    ['store'],
  ) as fc.Arbitrary<(string | number)[]>,
  value: fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom('${HOOK_TOKEN}', '${MISSING}', '${HOOK_TOKEN:-x}', 'postgres://u:${HOOK_TOKEN}@h/db'),
  ),
});

function mutate(base: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(base));
  let at = copy;
  for (const k of path.slice(0, -1)) {
    if (at[k] === null || typeof at[k] !== 'object') at[k] = typeof k === 'number' ? [] : {};
    at = at[k];
  }
  Object.defineProperty(at, path.at(-1)!, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

describe('fuzzing config files', () => {
  it('every mutation loads or is a ConfigError naming file and line; the secret is never printed', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const config = mutations.reduce((c, m) => mutate(c, m.path, m.value), VALID as unknown);
        const dir = project(stringify(config));
        try {
          loadConfig({ cwd: dir, env: { HOOK_TOKEN: SECRET } });
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          const text = (err as ConfigError).message;
          expect(text).not.toContain(SECRET);
          for (const issue of (err as ConfigError).issues) expect(issue).toMatch(/^refit\.yaml(:\d+)*: /);
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

describe('fuzzing HTTP bodies', () => {
  const INGEST = 'ingest-token-0123456789abcdef';
  let app: AppContext;
  let svc: Service;
  beforeAll(async () => {
    const dir = project(
      `serve:\n  tokens:\n    - { token: "${INGEST}", scopes: [ingest] }\nmodels:\n  spam:\n    labels: [ham, spam]\n`,
    );
    app = await openApp({ cwd: dir, env: {} });
    svc = await startService(app, { port: 0 });
  });
  afterAll(async () => {
    await svc?.stop();
    if (app) await closeApp(app);
  });

  it('POST /v1/feedback answers every body with 2xx or 4xx, and keeps the good events of a mixed batch', async () => {
    let n = 0;
    const good = () => ({ type: 'example', id: `g${n++}`, model: 'spam', input: { text: 'hello' }, label: 'ham' });
    const junk = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.object({ maxDepth: 3 }));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.array(junk, { maxLength: 6 }).map((bad) => ({ bad, body: JSON.stringify([good(), ...bad, good()]) })),
          junk.map((bad) => ({ bad: [bad], body: JSON.stringify(bad) })),
          fc.string({ maxLength: 200 }).map((s) => ({ bad: [s], body: s })),
        ),
        async ({ body }) => {
          const res = await fetch(`${svc.url}/v1/feedback`, {
            method: 'POST',
            headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
            body,
          });
          expect(res.status, body.slice(0, 200)).toBeLessThan(500);
          const text = await res.text();
          expect(text).not.toMatch(STACK);
          if (body.startsWith('[{"type":"example","id":"g')) {
            const ids = [...body.matchAll(/"id":"(g\d+)"/g)].map((m) => m[1]!);
            const stored = await app.store.db.selectFrom('examples').select('id').where('id', 'in', ids).execute();
            expect(stored.map((r) => r.id).sort()).toEqual([...new Set(ids)].sort());
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("fuzzing a preparer's dataset versions and prediction files", () => {
  const line = fc.oneof(
    fc.constant(JSON.stringify({ id: 'a', input: { text: 'x' }, label: 'ham' })),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 40 }).map((s) => s.replace(/\n/g, ' ')),
  );
  const metadata = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc
      .record(
        {
          dataset_name: fc.string(),
          version_tag: fc.oneof(fc.string(), fc.integer()),
          num_samples: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
          splits: fc.dictionary(fc.constantFrom('train', 'eval', 'test', 'x'), fc.jsonValue({ maxDepth: 1 })),
          content_sha256: fc.string(),
        },
        { requiredKeys: [] },
      )
      .map((m) => JSON.stringify(m)),
    fc.string({ maxLength: 50 }),
  );

  it('refit validate reports on any published version: exit 0 or 1 with its checks, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        metadata,
        fc.dictionary(fc.constantFrom('train', 'eval', 'test'), fc.array(line, { maxLength: 8 })),
        async (meta, splits) => {
          const dir = project('models:\n  spam:\n    labels: [ham, spam]\n');
          const version = join(dir, 'v1');
          mkdirSync(version);
          writeFileSync(join(version, 'dataset_metadata.json'), meta);
          for (const [split, lines] of Object.entries(splits))
            writeFileSync(join(version, `${split}.jsonl`), lines.join('\n'));
          const r = await cli(['validate', 'v1', '--json'], { cwd: dir });
          expect([0, 1], r.stderr).toContain(r.code);
          expect(r.stderr).not.toMatch(STACK);
          const report = JSON.parse(r.stdout);
          expect(report.checks.length).toBeGreaterThan(0);
          if (r.code === 1) expect(report.failures.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: Math.max(10, Math.round(RUNS / 2)) },
    );
  });

  it('refit evaluate answers any prediction file with metrics or an error naming the row', async () => {
    const row = fc.record(
      {
        label: fc.oneof(fc.constantFrom('ham', 'spam'), fc.jsonValue({ maxDepth: 1 })),
        prediction: fc.oneof(fc.constantFrom('ham', 'spam'), fc.jsonValue({ maxDepth: 1 })),
        proba: fc.oneof(fc.double(), fc.dictionary(fc.constantFrom('ham', 'spam', 'x'), fc.double()), fc.string()),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 10 }), async (rows) => {
        const dir = project('models:\n  spam: {}\n', {
          'p.ndjson': rows.map((r) => JSON.stringify(r)).join('\n') + '\n',
        });
        const r = await cli(['evaluate', '--predictions', 'p.ndjson', '--json'], { cwd: dir });
        expect([0, 1, 2], r.stderr).toContain(r.code);
        expect(r.stderr).not.toMatch(STACK);
        if (r.code !== 0) expect(r.stderr).toMatch(/p\.ndjson|has no rows|row \d+/);
      }),
      { numRuns: RUNS },
    );
  });
});
