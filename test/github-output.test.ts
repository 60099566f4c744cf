/**
 * refit under GitHub Actions (`GITHUB_ACTIONS=true`), as a runner runs it (a real process):
 * secrets masked before anything else, every log line of a model line inside its group, the
 * decision and each run's final state in outputs and the job summary, config errors as
 * annotations with file and line, and DRY_RUN=true from the project's .env honoured — the dry
 * run naming the concrete actions (which Space, which URL).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionsEnv, groups } from './helpers/actions-runner.js';
import { FakeHub, meta } from './helpers/fake-hub.js';
import { cli, project } from './helpers/project.js';
import { refit } from './helpers/spawn.js';
import { tempDir } from './helpers/stores.js';

let hub: FakeHub;
beforeAll(async () => {
  hub = await new FakeHub().start();
});
afterAll(async () => hub.stop());

describe('under GitHub Actions', () => {
  it('groups per model line, writes outputs and a summary with the runs, masks secrets', async () => {
    const dir = tempDir();
    await cli(['init'], { cwd: dir });
    writeFileSync(join(dir, '.env'), 'SLACK_TOKEN=xoxb-very-secret-token\n');
    const yaml = readFileSync(join(dir, 'refit.yaml'), 'utf8').replace(
      'version: 1',
      'version: 1\nsecrets: [SLACK_TOKEN]',
    );
    writeFileSync(join(dir, 'refit.yaml'), yaml);
    await cli(['ingest', 'events/sample.ndjson'], { cwd: dir });
    const gh = actionsEnv(dir);
    const r = await refit(['run'], { cwd: dir, env: gh.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith('::add-mask::xoxb-very-secret-token')).toBe(true);
    expect(r.stdout.split('xoxb-very-secret-token')).toHaveLength(2); // only inside add-mask
    const g = groups(r.stdout);
    const spam = g.get('refit run: spam → retrain')!;
    expect(spam.join('\n')).toContain('misclassified 30 >= 25');
    expect(spam.join('\n')).toMatch(/run run_\w+: succeeded — spam v1 retrained on v\d{8}_\d{6} and deployed/);
    // The run's own log lines (its steps) are inside the line's log group.
    const logs = g.get('refit: spam')!.join('\n');
    for (const step of ['prepare', 'train', 'gate', 'deploy']) expect(logs).toContain(`step ${step}`);
    expect(r.stdout).toMatch(/::notice title=refit spam::retrain: misclassified 30 >= 25/);
    const outputs = gh.output();
    expect(outputs).toMatch(/^spam-decision<<ghadelimiter_[\w-]+\nretrain\nghadelimiter_/m);
    expect(outputs).toMatch(/^urgency-decision<<(ghadelimiter_[\w-]+)\nskip\n\1$/m);
    expect(outputs).toMatch(/^spam-state<<(ghadelimiter_[\w-]+)\nsucceeded\n\1$/m);
    expect(outputs).toContain('spam-run<<');
    const md = gh.summary();
    expect(md).toContain('| model | decision | run | reason |');
    expect(md).toContain('| spam | **retrain** |');
    expect(md).toMatch(/\| run_\w+ \| spam \| \*\*succeeded\*\* \| spam v1 retrained on/);
    const decisions = JSON.parse((await cli(['status', '--json'], { cwd: dir })).stdout).models[0].lastDecisions;
    expect(decisions.at(-1).actor).toBe('github:octocat (workflow run 42)');
  }, 60_000);

  it('the log lines of an external preparation are inside the line group; DRY_RUN in .env names what would be done', async () => {
    const reviews = join(tempDir(), 'reviews.db');
    const BetterSqlite3 = (await import('better-sqlite3')).default;
    new BetterSqlite3(reviews).close();
    const config = `
hub_url: ${hub.url}
models:
  department:
    triggers: { rules: [{ signal: external_count, op: ">=", value: 1 }] }
    evidence: { external_count: { url: "sqlite:${reviews}", query: "SELECT 1" } }
    prepare:
      kind: hf-space
      space: owner/prepare-dataset
      token: "${hub.token}"
      metadata: { dataset: owner/department-data }
`;
    const dir = project(config, { '.env': 'DRY_RUN=true\n' });
    const gh = actionsEnv(dir);
    const dry = await refit(['run'], { cwd: dir, env: gh.env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('dry run: nothing was recorded, spent or queued');
    expect(dry.stdout).toContain('Restart of Space owner/prepare-dataset');
    expect(dry.stdout).toContain(
      `poll ${hub.url}/datasets/owner/department-data/resolve/main/dataset_metadata.json every 30s`,
    );
    expect(hub.count('POST', '/api/spaces/')).toBe(0);
    expect(gh.summary()).toContain('department: what the run would do');
    const status = JSON.parse((await cli(['status', '--json'], { cwd: dir })).stdout);
    expect(status.models[0].runsInFlight).toEqual([]);

    // Without the dry run the Space is restarted, and its log lines land in the line's group.
    writeFileSync(join(dir, '.env'), 'DRY_RUN=false\n');
    hub.metadata = meta('v1', 10);
    const real = await refit(['run'], { cwd: dir, env: gh.env });
    expect(real.code, real.stderr).toBe(0);
    expect(hub.count('POST', '/api/spaces/owner/prepare-dataset/restart')).toBe(1);
    const logs = groups(real.stdout).get('refit: department')!.join('\n');
    expect(logs).toContain('restart of Space owner/prepare-dataset triggered');
    expect(logs).toContain('step prepare');
  }, 60_000);

  it('config errors are annotations on the file and line', async () => {
    const dir = project('models:\n  spam:\n    budget:\n      capacity: two\n');
    const gh = actionsEnv(dir);
    const r = await refit(['plan'], { cwd: dir, env: gh.env });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      '::error title=refit config,file=refit.yaml,line=4::models.spam.budget.capacity: expected number, received string, got "two"',
    );
  });
});
