/**
 * The registry on SQLite and PostgreSQL: monotonic versions, idempotent registration, verified
 * artifacts, MLflow alias rules, promote / rollback with history, and several processes
 * promoting at once leaving one consistent history.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app-context.js';
import { ManualClock } from '../src/core/ports/clock.js';
import { trainModel } from '../src/ml/train/model.js';
import { getVersion, openArtifact, promote, registerVersion, rollback, setAlias } from '../src/registry/registry.js';
import { recordCandidateOutcome } from '../src/stores/candidate-outcome.js';
import { aliasHistory } from '../src/stores/aliases.js';
import { listVersions } from '../src/stores/versions.js';
import { DIALECTS, tempDir } from './helpers/stores.js';
import { cli, project } from './helpers/project.js';
import { refit } from './helpers/spawn.js';
import { storeFixture } from './helpers/fixture.js';

const T0 = Date.parse('2026-11-22T10:00:00Z');
const CONFIG = 'models:\n  spam:\n    labels: [ham, spam]\n    budget: { capacity: 2 }\n';

/** A small model refit can serve (the promotion commands refuse one it cannot), distinct per `content`. */
const servable = JSON.stringify(
  trainModel(
    [0, 1, 2, 3].map((i) => ({ input: { text: i % 2 ? 'win prize' : 'notes' }, label: i % 2 ? 'spam' : 'ham' })),
    'text-classification',
    { maxIter: 2, minDf: 1 },
  ),
);

function artifact(content: string): string {
  const dir = tempDir('refit-art-');
  mkdirSync(join(dir, 'model'));
  writeFileSync(join(dir, 'model', 'weights.json'), content);
  writeFileSync(join(dir, 'model', 'vocab.txt'), 'a\nb\n');
  return join(dir, 'model');
}

function servableArtifact(content: string): string {
  const dir = artifact(content);
  writeFileSync(join(dir, 'model.json'), servable);
  return dir;
}

describe.each(DIALECTS)('registry (%s)', (dialect) => {
  const stores = storeFixture(dialect);
  async function app(): Promise<{ a: AppContext; dir: string; url: string }> {
    const dir = project(CONFIG);
    const a = await stores.open(dir, { clock: new ManualClock(T0) });
    return { a, dir, url: await stores.url(dir) };
  }

  it('versions are monotonic; a registration key registers once; the artifact is hashed and verified', async () => {
    const { a } = await app();
    const v1 = await registerVersion(a, {
      model: 'spam',
      artifactPath: artifact('{"w":1}'),
      registrationKey: 'run_1',
      datasetTag: 'v20261122_100000',
      metrics: { f1_macro: 0.9 },
      actor: 't',
    });
    const again = await registerVersion(a, {
      model: 'spam',
      artifactPath: artifact('{"w":9}'),
      registrationKey: 'run_1',
      actor: 't',
    });
    const v2 = await registerVersion(a, { model: 'spam', artifactPath: artifact('{"w":2}'), actor: 't' });
    expect([v1.version, again.version, v2.version]).toEqual([1, 1, 2]);
    expect(v1.artifact.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(v1.artifact.size).toBe(11);
    expect(await openArtifact(a, v1)).toContain(join('models', 'spam', 'v1'));
    expect((await listVersions(a.store, { model: 'spam' })).map((v) => v.version)).toEqual([2, 1]);
  });

  it('a corrupted artifact is refused with a clear error', async () => {
    const { a } = await app();
    const v = await registerVersion(a, { model: 'spam', artifactPath: artifact('{"w":1}'), actor: 't' });
    appendFileSync(join(v.artifact.uri.slice('file:'.length), 'weights.json'), ' ');
    await expect(openArtifact(a, v)).rejects.toThrow(
      /artifact file:.*v1\/model is corrupted: sha256 .* does not match the registered .*; it will not be loaded or served/,
    );
  });

  it('promote, promote, rollback: aliases and their history; rejected candidates reset on promotion', async () => {
    const { a } = await app();
    for (const c of ['1', '2', '3']) await registerVersion(a, { model: 'spam', artifactPath: artifact(c), actor: 't' });
    await recordCandidateOutcome(a.store, 'spam', 'rejected', 2, T0);
    expect((await promote(a, 'spam', 1, 'alice', 'first model')).moves).toEqual([
      { alias: 'champion', from: null, to: 1 },
    ]);
    await setAlias(a, 'spam', 'challenger', 2, 'bob', 'shadow traffic');
    await promote(a, 'spam', 2, 'bob', 'F1 0.962 vs 0.941');
    expect((await getVersion(a, 'spam', 2)).aliases).toEqual(['champion']);
    expect((await getVersion(a, 'spam', 1)).aliases).toEqual(['previous']);
    expect((await promote(a, 'spam', 2, 'bob', 'again')).changed).toBe(false);
    const rb = await rollback(a, 'spam', 'monitor', 'online accuracy 0.81 < 0.90 of v1');
    expect(rb.moves).toEqual([
      { alias: 'champion', from: 2, to: 1 },
      { alias: 'previous', from: 1, to: null },
    ]);
    await expect(rollback(a, 'spam', 'x', 'y')).rejects.toThrow(/no previous champion to roll back to/);
    const h = await aliasHistory(a.store, 'spam');
    expect(h.map((e) => [e.seq, e.alias, e.from, e.to, e.action])).toEqual([
      [1, 'champion', null, 1, 'promote'],
      [2, 'challenger', null, 2, 'set-alias'],
      [3, 'previous', null, 1, 'promote'],
      [4, 'champion', 1, 2, 'promote'],
      [5, 'challenger', 2, null, 'promote'],
      [6, 'champion', 2, 1, 'rollback'],
      [7, 'previous', 1, null, 'rollback'],
    ]);
    expect(h[3]).toMatchObject({ actor: 'bob', reason: 'F1 0.962 vs 0.941' });
    expect(
      (await a.store.db.selectFrom('budget_state').select('rejections').executeTakeFirstOrThrow()).rejections,
    ).toBe(0);
  });

  it('alias names follow MLflow: pattern and reserved names', async () => {
    const { a } = await app();
    await registerVersion(a, { model: 'spam', artifactPath: artifact('1'), actor: 't' });
    await expect(setAlias(a, 'spam', 'my alias', 1, 't', 'r')).rejects.toThrow(/invalid alias "my alias"/);
    await expect(setAlias(a, 'spam', 'latest', 1, 't', 'r')).rejects.toThrow(/reserved/);
    await expect(setAlias(a, 'spam', 'v12', 1, 't', 'r')).rejects.toThrow(/reserved/);
    await expect(setAlias(a, 'spam', 'champion', 1, 't', 'r')).rejects.toThrow(/refit promote/);
    expect((await setAlias(a, 'spam', 'canary-eu', 1, 't', 'r')).changed).toBe(true);
    await expect(promote(a, 'spam', 7, 't', 'r')).rejects.toThrow(/spam has no version 7/);
  });

  it('several processes promoting at once leave one consistent alias history', async () => {
    const { a, dir, url } = await app();
    for (const c of ['1', '2', '3', '4'])
      await registerVersion(a, { model: 'spam', artifactPath: servableArtifact(c), actor: 't' });
    const env = { REFIT_STORE: url };
    const results = await Promise.all(
      ['1', '2', '3', '4', '2', '3'].map((v) => refit(['promote', 'spam', v, '--json'], { cwd: dir, env })),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const h = (await aliasHistory(a.store, 'spam')).filter((e) => e.alias === 'champion');
    // Each move starts where the previous one ended: no lost update.
    for (let i = 1; i < h.length; i++) expect(h[i]!.from).toBe(h[i - 1]!.to);
    expect(h[0]!.from).toBeNull();
    const champion = (await listVersions(a.store, { model: 'spam' })).find((v) => v.aliases.includes('champion'))!;
    expect(champion.version).toBe(h[h.length - 1]!.to);
    const seqs = (await aliasHistory(a.store, 'spam')).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
});

describe('refit models / promote / rollback CLI', () => {
  it('registers, lists, shows, promotes, rolls back and prints the history', async () => {
    const dir = project(CONFIG);
    writeFileSync(join(dir, 'metrics.json'), '{"f1_macro": 0.93}');
    const reg = await cli(
      [
        'models',
        'register',
        'spam',
        '--artifact',
        servableArtifact('x'),
        '--metrics',
        'metrics.json',
        '--tag',
        'trainer=builtin',
      ],
      { cwd: dir },
    );
    expect(reg.code, reg.stderr).toBe(0);
    expect(reg.stdout).toContain('spam v1 registered');
    await cli(['models', 'register', 'spam', '--artifact', servableArtifact('y')], { cwd: dir });
    expect((await cli(['promote', 'spam', '1'], { cwd: dir })).stdout).toContain(
      'spam: promote: champion — → v1 (promoted by hand)',
    );
    expect((await cli(['promote', 'spam', 'v2', '--reason', 'better'], { cwd: dir })).stdout).toContain(
      'previous — → v1, champion v1 → v2 (better)',
    );
    const list = await cli(['models', 'spam'], { cwd: dir });
    expect(list.stdout).toMatch(/v2\s+│ champion/);
    expect((await cli(['rollback', 'spam'], { cwd: dir })).stdout).toContain('champion v2 → v1');
    expect((await cli(['rollback', 'spam'], { cwd: dir })).code).toBe(1);
    const hist = await cli(['models', 'history', 'spam', '--json'], { cwd: dir });
    expect(JSON.parse(hist.stdout)).toHaveLength(5);
    const show = JSON.parse((await cli(['models', 'show', 'spam', '1', '--json'], { cwd: dir })).stdout);
    expect(show).toMatchObject({
      version: 1,
      metrics: { f1_macro: 0.93 },
      tags: { trainer: 'builtin' },
      aliases: ['champion'],
    });
    expect((await cli(['promote', 'spam', 'x'], { cwd: dir })).code).toBe(2);
  });

  it('promoting a version refit cannot serve is refused by the CLI, with what to do; the champion stays', async () => {
    const dir = project('models:\n  spam:\n    labels: [ham, spam]\n');
    const good = servableArtifact('g');
    const bare = tempDir('refit-art-');
    writeFileSync(join(bare, 'weights.bin'), 'not a model');
    for (const a of [good, bare]) await cli(['models', 'register', 'spam', '--artifact', a], { cwd: dir });
    expect((await cli(['promote', 'spam', '1'], { cwd: dir })).code).toBe(0);
    const r = await cli(['promote', 'spam', '2'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /spam v2 cannot be served: its artifact has no model\.json\. Register a model refit can load/,
    );
    expect(r.stderr).toMatch(/set models\.spam\.train\.predict_command/);
    const list = await cli(['models', 'spam'], { cwd: dir });
    expect(list.stdout).toMatch(/v1\s+│ champion/);
  });
});
