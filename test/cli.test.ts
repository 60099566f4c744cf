/**
 * The CLI as a user meets it: init → ingest → plan → run → status, exit codes, bad rows with
 * file:line, CSV and stdin, --json, DRY_RUN, GitHub Actions output, secrets never printed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/core/ports/clock.js';
import { cli, ndjson, project } from './helpers/project.js';
import { tempDir } from './helpers/stores.js';

describe('refit init → ingest → plan → run → status', () => {
  it('a new user gets one retrain and one skip explained in plain words', async () => {
    const dir = tempDir();
    const init = await cli(['init'], { cwd: dir });
    expect(init.code).toBe(0);
    for (const f of ['refit.yaml', 'events/sample.ndjson', '.gitignore', '.env.example'])
      expect(existsSync(join(dir, f))).toBe(true);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toContain('.refit/');
    expect((await cli(['init'], { cwd: dir })).code).toBe(2); // refuses to overwrite

    const ingest = await cli(['ingest', 'events/sample.ndjson'], { cwd: dir });
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(ingest.stdout).toContain(
      '302 accepted (166 predictions, 126 feedback, 10 examples), 0 duplicate, 0 rejected',
    );
    const again = await cli(['ingest', 'events/sample.ndjson'], { cwd: dir });
    expect(again.stdout).toContain('0 accepted (0 predictions, 0 feedback, 0 examples), 302 duplicate, 0 rejected');

    const plan = await cli(['plan'], { cwd: dir });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('dry run: nothing was recorded');
    expect(plan.stdout).toContain('retrain: misclassified 30 >= 25; budget had 2 of 2 tokens, spends 1');
    expect(plan.stdout).toContain('skip: no trigger met (dataset_len 8 < 25)');

    const planJson = JSON.parse((await cli(['plan', '--json'], { cwd: dir })).stdout);
    expect(
      planJson.outcomes.map((o: { model: string; decision: { action: string } }) => [o.model, o.decision.action]),
    ).toEqual([
      ['spam', 'retrain'],
      ['urgency', 'skip'],
    ]);
    expect(planJson.outcomes[0].decision.signals).toMatchObject({
      misclassified: 30,
      correct: 70,
      sampled_correct: 30,
      new_examples: 10,
      dataset_len: 70,
    });

    const dry = await cli(['run', '--json'], { cwd: dir, env: { DRY_RUN: 'true' } });
    expect(JSON.parse(dry.stdout)).toMatchObject({ command: 'plan', dryRun: true });

    const run = JSON.parse((await cli(['run', '--json', '--no-advance'], { cwd: dir })).stdout);
    expect(run.dryRun).toBe(false);
    expect(run.outcomes[0].runId).toMatch(/^run_/);

    const status = await cli(['status', '--json'], { cwd: dir, clock: new ManualClock(Date.now() - 1000) });
    const st = JSON.parse(status.stdout);
    expect(st.models[0]).toMatchObject({
      model: 'spam',
      predictions: 126,
      reviewed: 106,
      examples: 10,
      budget: { tokens: 1, capacity: 2 },
    });
    expect(st.models[0].runsInFlight).toHaveLength(1);
    expect(st.models[0].lastDecisions[0]).toMatchObject({ action: 'retrain', runId: run.outcomes[0].runId });
  });

  it('refit run goes around the whole loop: dataset, training, evaluation, gate, registry, champion', async () => {
    const dir = tempDir();
    await cli(['init'], { cwd: dir });
    await cli(['ingest', 'events/sample.ndjson'], { cwd: dir });
    const r = await cli(['run', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.runs).toHaveLength(1);
    expect(out.runs[0]).toMatchObject({ model: 'spam', state: 'succeeded' });
    expect(out.runs[0].outcome).toMatch(
      /^spam v1 retrained on v\d{8}_\d{6} and deployed: f1_macro \d\.\d{3} \(first model\)$/,
    );
    const models = JSON.parse((await cli(['models', 'spam', '--json'], { cwd: dir })).stdout);
    expect(models[0]).toMatchObject({ version: 1, aliases: ['champion'], lineage: { run: out.runs[0].runId } });
    const st = JSON.parse((await cli(['status', '--json'], { cwd: dir })).stdout).models[0];
    expect(st.runsInFlight).toEqual([]);
    expect(st.lastDecisions.map((d: { action: string }) => d.action)).toEqual(
      expect.arrayContaining(['retrain', 'bless', 'promote']),
    );
    // The evidence was consumed by the dataset: the next tick skips.
    const next = JSON.parse((await cli(['run', '--json'], { cwd: dir })).stdout);
    expect(next.outcomes[0].decision.action).toBe('skip');
  });

  it('--force queues a manual retrain that the triggers would skip', async () => {
    const dir = tempDir();
    await cli(['init'], { cwd: dir });
    await cli(['ingest', 'events/sample.ndjson'], { cwd: dir });
    const r = JSON.parse(
      (await cli(['run', 'urgency', '--force', 'urgency', '--json', '--no-advance'], { cwd: dir })).stdout,
    );
    expect(r.outcomes).toHaveLength(1);
    expect(r.outcomes[0].decision).toMatchObject({ action: 'retrain', forced: true });
    expect((await cli(['run', '--force', 'nope'], { cwd: dir })).code).toBe(2);
  });
});

const CONFIG = `models:\n  spam:\n    labels: [ham, spam]\n`;

describe('refit ingest', () => {
  it('keeps the good rows, reports each bad one with file:line, field and reason, exits 1', async () => {
    const good1 = {
      type: 'prediction',
      id: 'p1',
      model: 'spam',
      input: { text: 'a' },
      prediction: 'spam',
      confidence: 0.9,
      ts: '2026-11-22T03:12:00Z',
    };
    const good2 = { type: 'feedback', prediction_id: 'p1', model: 'spam', label: 'ham', reviewer_confidence: 0.95 };
    const lines = [
      JSON.stringify(good1),
      '{not json',
      JSON.stringify({ ...good1, id: 'p2', model: 'nope' }),
      JSON.stringify({ ...good1, id: 'p3', confidence: 1.5 }),
      '',
      JSON.stringify({ ...good2, label: 'eggs' }),
      JSON.stringify(good2),
      JSON.stringify({ ...good1, id: 'p4', ts: 'yesterday' }),
    ];
    const dir = project(CONFIG, { 'events.ndjson': lines.join('\n') + '\n' });
    const r = await cli(['ingest', 'events.ndjson'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('2 accepted (1 predictions, 1 feedback, 0 examples), 0 duplicate, 5 rejected');
    expect(r.stdout).toContain('events.ndjson:2: not valid JSON');
    expect(r.stdout).toContain(
      'events.ndjson:3: model: unknown model line "nope": add it under "models:" in refit.yaml',
    );
    expect(r.stdout).toContain('events.ndjson:4: confidence: expected a number between 0 and 1, got 1.5');
    expect(r.stdout).toContain('events.ndjson:6: label: unknown label "eggs" for model line "spam" (known: ham, spam)');
    expect(r.stdout).toContain('events.ndjson:8: ts: expected an ISO-8601 time');
    expect(r.stderr).toContain('refit: 5 row(s) rejected');
    const status = JSON.parse((await cli(['status', '--json'], { cwd: dir })).stdout);
    expect(status.models[0]).toMatchObject({ predictions: 1, reviewed: 1 });
  });

  it('DRY_RUN validates without storing', async () => {
    const dir = project(CONFIG, {
      'e.ndjson': ndjson([
        { type: 'example', id: 'e1', model: 'spam', input: { text: 'x' }, label: 'ham' },
        { type: 'example', id: 'e2', model: 'spam', label: 'ham' },
      ]),
    });
    const r = await cli(['ingest', 'e.ndjson', '--dry-run'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('checked (dry run, nothing stored) e.ndjson: 1 valid');
    expect(r.stdout).toContain('e.ndjson:2: input: required');
    const st = JSON.parse((await cli(['status', '--json'], { cwd: dir })).stdout);
    expect(st.models[0].examples).toBe(0);
  });

  it('--max-errors stops early', async () => {
    const bad = Array.from({ length: 50 }, () => '{"type":"nope"}').join('\n');
    const dir = project(CONFIG, { 'bad.ndjson': bad });
    const r = JSON.parse((await cli(['ingest', 'bad.ndjson', '--max-errors', '3', '--json'], { cwd: dir })).stdout);
    expect(r).toMatchObject({ rejected: 3, stoppedEarly: true, read: 3 });
  });

  it('reads CSV with input.FIELD columns and NDJSON from stdin', async () => {
    const csv =
      'type,id,model,input.text,prediction,confidence,ts\nprediction,c1,spam,hello there,ham,0.8,2026-11-22T03:12:00Z\nprediction,c2,spam,"win, win",spam,oops,2026-11-22T03:12:00Z\n';
    const dir = project(CONFIG, { 'preds.csv': csv });
    const r = await cli(['ingest', 'preds.csv'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('1 accepted');
    expect(r.stdout).toContain('preds.csv:3: confidence: expected a number between 0 and 1, got "oops"');
    const stdin = ndjson([{ type: 'feedback', prediction_id: 'c1', model: 'spam', label: 'spam' }]);
    const s = await cli(['ingest', '-'], { cwd: dir, stdin });
    expect(s.code).toBe(0);
    expect(s.stdout).toContain('1 accepted (0 predictions, 1 feedback, 0 examples)');
    expect(s.stdout).toContain('1 predictions matched');
  });

  it('right after a retrain spends a token, refit run says what is left, as status does', async () => {
    const dir = tempDir();
    await cli(['init'], { cwd: dir });
    await cli(['ingest', 'events/sample.ndjson'], { cwd: dir });
    const run = await cli(['run', 'spam', '--no-advance'], { cwd: dir });
    expect(run.stdout).toContain('budget    2 of 2 tokens, 1 left after this retrain · retrain costs 1');
    const st = JSON.parse((await cli(['status', '--json'], { cwd: dir })).stdout);
    expect(st.models[0].budget.tokens).toBeCloseTo(1, 1);
  });

  it('a missing file is a usage error naming it, before anything is ingested', async () => {
    const dir = project(CONFIG, { 'ok.ndjson': '' });
    const r = await cli(['ingest', 'ok.ndjson', 'nope.ndjson'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot read nope.ndjson: no such file — check the path(s); nothing was ingested');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('exit codes and errors', () => {
  it('config errors exit 2 with file:line and path', async () => {
    const dir = project(`models:\n  spam:\n    budget:\n      capacity: -1\n`);
    const r = await cli(['plan'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'refit.yaml:4: models.spam.budget.capacity: Too small: expected number to be >=0, got -1',
    );
  });

  it('unknown options exit 2; --help exits 0', async () => {
    const dir = project(CONFIG);
    expect((await cli(['plan', '--bogus'], { cwd: dir })).code).toBe(2);
    const help = await cli(['run', '--help'], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--force <model>');
  });

  it('an unreachable PostgreSQL store is a clear error without its password', async () => {
    const dir = project(CONFIG);
    const r = await cli(['plan'], { cwd: dir, env: { REFIT_STORE: 'postgres://u:hunter2-secret@127.0.0.1:1/x' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot open the store at postgres://u:***@127.0.0.1:1/x');
    expect(r.stderr).not.toContain('hunter2-secret');
  });
});
