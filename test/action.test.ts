/**
 * The GitHub Action as a runner runs it: the committed bundle (action/index.js, no native module:
 * SQLite through WebAssembly) in a real Node process, its inputs as INPUT_* variables, and
 * GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_EVENT_PATH and GITHUB_API_URL pointing at files and
 * a local GitHub API. action.yml's inputs are the ones the Action reads.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMENT_MARKER, INPUT, LINE_OUTPUT, OUTPUT } from '../src/action/io.js';
import { actionsEnv } from './helpers/actions-runner.js';
import { cli } from './helpers/project.js';
import { Receivers } from './helpers/receivers.js';
import { runNode } from './helpers/spawn.js';
import { tempDir } from './helpers/stores.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE = join(ROOT, 'action', 'index.js');

/** `INPUT_<NAME>` as the runner names them: upper case, spaces as underscores, hyphens kept. */
function inputs(values: Record<string, string>): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]));
}

const runBundle = (env: NodeJS.ProcessEnv) => runNode(BUNDLE, [], { env });

let gh: Receivers;
beforeAll(async () => {
  gh = await new Receivers().start();
});
afterAll(async () => gh.stop());

describe('action.yml', () => {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'));

  it('declares exactly the inputs the Action reads, and the outputs it sets', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.values(INPUT).sort());
    for (const name of Object.keys(action.outputs)) expect(Object.values(OUTPUT)).toContain(name);
    expect(action.runs).toEqual({ using: 'node24', main: 'action/index.js' });
  });

  it('is a valid action manifest for GitHub', async () => {
    const { parseAction } = await import('@actions/workflow-parser/actions/action-parser');
    const { NoOperationTraceWriter } = await import('@actions/workflow-parser');
    const content = readFileSync(join(ROOT, 'action.yml'), 'utf8');
    const result = parseAction({ name: 'action.yml', content }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    expect(result.value).toBeTruthy();
  });
});

describe('the Action on a runner', () => {
  it('runs the loop, sets per-line outputs, writes the report to the summary and one PR comment it updates', async () => {
    const dir = tempDir('refit-action-');
    await cli(['init'], { cwd: dir });
    await cli(['ingest', 'events/sample.ndjson'], { cwd: dir });
    const event = join(dir, 'event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { number: 7 }, repository: { full_name: 'acme/models' } }));
    gh.issues.push({ number: 7, title: 'Tune the trainer', body: '', labels: [], state: 'open', comments: [] });
    const runner = actionsEnv(dir, {
      GITHUB_WORKSPACE: dir,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'acme/models',
      GITHUB_API_URL: gh.url,
    });
    const token = gh.githubToken;
    const r = await runBundle({
      ...runner.env,
      ...inputs({ [INPUT.command]: 'run', [INPUT.wait]: '5m', [INPUT.githubToken]: token }),
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // The token is masked before anything else is printed, and printed nowhere else.
    expect(r.stdout.startsWith(`::add-mask::${token}`)).toBe(true);
    expect((r.stdout + r.stderr).split(token)).toHaveLength(2);

    const out = runner.outputs();
    const line = (suffix: string) => out[`spam-${suffix}`];
    expect(line(LINE_OUTPUT.decision)).toBe('retrain');
    expect(line(LINE_OUTPUT.state)).toBe('succeeded');
    expect(line(LINE_OUTPUT.run)).toMatch(/^run_\w+$/);
    expect(line(LINE_OUTPUT.version)).toBe('1');
    expect(line(LINE_OUTPUT.blessed)).toBe('true');
    const metrics = JSON.parse(line(LINE_OUTPUT.metrics) ?? '{}');
    expect(metrics.accuracy).toBeGreaterThan(0);
    expect(metrics.accuracy).toBeLessThanOrEqual(1);
    // One token of two spent on spam's retrain; urgency did not retrain.
    expect(Number(line(LINE_OUTPUT.tokens))).toBeCloseTo(1, 1);
    expect(out['urgency-decision']).toBe('skip');
    expect(Number(out['urgency-tokens'])).toBeCloseTo(1, 1);
    const decisions = JSON.parse(out[OUTPUT.decisions] ?? '{}');
    expect(decisions.spam).toMatchObject({ decision: 'retrain', state: 'succeeded' });

    // The run's report: in the output, the job summary and one comment on the pull request.
    const report = out[OUTPUT.report] ?? '';
    expect(report).toContain(line(LINE_OUTPUT.run));
    expect(report).toMatch(/gate/i);
    expect(runner.summary()).toContain(report.split('\n')[0]);
    const pr = gh.issues.find((i) => i.number === 7)!;
    expect(pr.comments).toHaveLength(1);
    expect(pr.comments[0]!.body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(out[OUTPUT.commentUrl]).toBe(pr.comments[0]!.html_url);

    // A later run on the same pull request updates that comment in place.
    runner.clear();
    const again = await runBundle({
      ...runner.env,
      ...inputs({ [INPUT.command]: 'report', [INPUT.githubToken]: token }),
    });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(pr.comments).toHaveLength(1);
    expect(gh.requests.filter((q) => q.method === 'PATCH' && q.path.includes('/issues/comments/'))).toHaveLength(1);
    expect(runner.outputs()[OUTPUT.commentUrl]).toBe(pr.comments[0]!.html_url);

    // The store the bundle wrote through WebAssembly is the same SQLite file the CLI reads natively.
    const status = JSON.parse((await cli(['status', '--json'], { cwd: dir })).stdout);
    const spam = status.models.find((m: { model: string }) => m.model === 'spam');
    expect(spam.budget.tokens).toBeCloseTo(1, 1);
    expect(spam.lastDecisions.at(-1)).toMatchObject({ action: 'retrain' });
  }, 120_000);

  it('refuses an unknown command and a bad boolean with a failed step, exit 2', async () => {
    const dir = tempDir('refit-action-');
    const runner = actionsEnv(dir, { GITHUB_WORKSPACE: dir });
    const r = await runBundle({ ...runner.env, ...inputs({ [INPUT.command]: 'retrain' }) });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('::error::input "command" is "retrain": use one of plan, run, report');
    const b = await runBundle({ ...runner.env, ...inputs({ [INPUT.command]: 'plan', [INPUT.dryRun]: 'yes' }) });
    expect(b.code).toBe(2);
    expect(b.stdout).toContain('::error::input "dry-run" is "yes": use true or false');
  }, 30_000);

  it('a config error is an annotation on its file and line; the store secret never shows', async () => {
    const dir = tempDir('refit-action-');
    writeFileSync(join(dir, 'refit.yaml'), 'models:\n  spam:\n    budget:\n      capacity: two\n');
    const runner = actionsEnv(dir, { GITHUB_WORKSPACE: dir });
    const store = 'postgres://refit:db-password-never-shown@127.0.0.1:1/refit';
    const r = await runBundle({ ...runner.env, ...inputs({ [INPUT.command]: 'plan', [INPUT.store]: store }) });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('::error title=refit config,file=refit.yaml,line=4::models.spam.budget.capacity');
    expect((r.stdout + r.stderr).split('db-password-never-shown')).toHaveLength(2); // only in add-mask
  }, 30_000);

  it('approve and reject take their run and a quoted reason from args', async () => {
    const { commandLine } = await import('../src/action/run-action.js');
    const base = { config: '', models: [], dryRun: false, wait: '', store: '', githubToken: '' };
    const more = { commentOnPr: false, workingDirectory: '.' };
    const { parseArgsStringToArgv } = await import('string-argv');
    const args = parseArgsStringToArgv('run_01ABC --reason "not on a Friday"');
    expect(commandLine({ ...base, ...more, command: 'reject', args })).toEqual([
      'reject',
      'run_01ABC',
      '--reason',
      'not on a Friday',
    ]);
  });
});
