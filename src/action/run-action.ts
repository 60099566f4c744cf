/**
 * The GitHub Action: its inputs (INPUT_* as the runner sets them) become a `refit` command line,
 * run in-process with GitHub output (secrets masked first, log groups per model line, outputs,
 * job summary, annotations); then each run the command touched is reported — per model line
 * `-version`, `-blessed`, `-metrics` and `-tokens` outputs, the run's report in the job summary,
 * and on a pull request one comment, updated in place on later runs.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as core from '@actions/core';
import { parseArgsStringToArgv } from 'string-argv';
import { closeApp, openApp } from '../app.js';
import type { AppContext } from '../app-context.js';
import { runCli } from '../cli/run-cli.js';
import { metricNumber, REPORTED_METRICS } from '../core/metric-names.js';
import { runMarkdown } from '../report/run-report-md.js';
import { trainMarkdown } from '../report/train-report-md.js';
import type { View } from '../report/views.js';
import { readRunStory, type RunStory } from '../report/run-story.js';
import { readStatus } from '../status/status.js';
import { listRuns } from '../stores/runs.js';
import { COMMANDS, INPUT, LINE_OUTPUT, lineOutput, OUTPUT, type ActionCommand } from './io.js';
import { upsertComment } from './pr-comment.js';

export interface ActionInputs {
  command: ActionCommand;
  config: string;
  models: string[];
  args: string[];
  dryRun: boolean;
  wait: string;
  store: string;
  githubToken: string;
  commentOnPr: boolean;
  workingDirectory: string;
}

/** Words of a list input: separated by commas, spaces or new lines. */
const words = (s: string) => s.split(/[\s,]+/).filter(Boolean);

export function readInputs(): ActionInputs {
  // Secrets are masked before anything else can print them.
  const store = core.getInput(INPUT.store);
  const githubToken = core.getInput(INPUT.githubToken);
  for (const s of [store, githubToken]) if (s) core.setSecret(s);
  const command = core.getInput(INPUT.command) || 'run';
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new InputProblem(`input "${INPUT.command}" is "${command}": use one of ${COMMANDS.join(', ')}`);
  }
  return {
    command: command as ActionCommand,
    config: core.getInput(INPUT.config),
    models: words(core.getInput(INPUT.models)),
    // Shell-like words: `--reason "not on a Friday"` is two arguments (no expansion, no operators).
    args: parseArgsStringToArgv(core.getInput(INPUT.args)),
    dryRun: booleanInput(INPUT.dryRun, false),
    wait: core.getInput(INPUT.wait),
    store,
    githubToken,
    commentOnPr: booleanInput(INPUT.commentOnPr, true),
    workingDirectory: core.getInput(INPUT.workingDirectory) || '.',
  };
}

class InputProblem extends Error {}

/** true/false in any case (YAML 1.2 core schema), as @actions/core reads them; the default when empty. */
function booleanInput(name: string, fallback: boolean): boolean {
  const v = core.getInput(name);
  if (!v) return fallback;
  if (/^true$/i.test(v)) return true;
  if (/^false$/i.test(v)) return false;
  throw new InputProblem(`input "${name}" is "${v}": use true or false`);
}

/** The refit command line of the inputs. */
export function commandLine(i: ActionInputs): string[] {
  const argv: string[] = [];
  if (i.config) argv.push('--config', i.config);
  if (i.dryRun) argv.push('--dry-run');
  argv.push(i.command, ...i.models);
  if (i.command === 'run' && i.wait) argv.push('--wait', i.wait);
  return [...argv, ...i.args];
}

/** Runs the Action; its exit code (0 success, 1 a run or gate failed, 2 bad usage or config). */
export async function runAction(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let inputs: ActionInputs;
  try {
    inputs = readInputs();
  } catch (err) {
    if (!(err instanceof InputProblem)) throw err;
    core.setFailed(err.message);
    return 2;
  }
  const cwd = resolve(env.GITHUB_WORKSPACE ?? process.cwd(), inputs.workingDirectory);
  const childEnv: NodeJS.ProcessEnv = { ...env, GITHUB_ACTIONS: 'true' };
  if (inputs.store) childEnv.REFIT_STORE = inputs.store;
  if (inputs.githubToken) childEnv.GITHUB_TOKEN ??= inputs.githubToken;
  if (inputs.dryRun) childEnv.DRY_RUN = 'true';
  const startedMs = Date.now();
  const trainings: string[] = [];
  const onView = (v: View) => {
    if (v.kind === 'training') trainings.push(trainMarkdown(v));
  };
  const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: childEnv, cwd, onView };
  const code = await runCli(commandLine(inputs), io);
  const reported = inputs.command === 'train' ? commentTraining(inputs, childEnv, trainings.join('\n')) : null;
  const runs = !inputs.dryRun && REPORTED.has(inputs.command) ? reportRuns(inputs, childEnv, cwd, startedMs) : null;
  await (reported ?? runs)?.catch((err: Error) => core.warning(`could not report: ${err.message}`));
  if (code !== 0) core.setFailed(`refit ${inputs.command} exited with code ${code}`);
  return code;
}

const REPORTED = new Set<ActionCommand>(['run', 'report', 'approve', 'reject']);

async function reportRuns(inputs: ActionInputs, env: NodeJS.ProcessEnv, cwd: string, sinceMs: number) {
  const app = await openApp({ cwd, env, path: inputs.config || undefined });
  try {
    const stories = await storiesOf(app, inputs, sinceMs);
    for (const s of stories) setLineOutputs(s);
    if (inputs.command !== 'report') await setTokenOutputs(app);
    if (stories.length === 0) return;
    const markdown = stories.map(runMarkdown).join('\n---\n\n');
    core.setOutput(OUTPUT.report, markdown);
    // `refit report` has already put its report in the summary.
    if (inputs.command !== 'report') await core.summary.addRaw(markdown).write();
    await commentOnPullRequest(inputs, env, markdown);
  } finally {
    await closeApp(app);
  }
}

/** `train` on a pull request: the candidate against the champion (the job summary already has it). */
async function commentTraining(inputs: ActionInputs, env: NodeJS.ProcessEnv, markdown: string): Promise<void> {
  if (!markdown) return;
  core.setOutput(OUTPUT.report, markdown);
  await commentOnPullRequest(inputs, env, markdown);
}

/** One comment per pull request, updated in place (found by its hidden marker). */
async function commentOnPullRequest(inputs: ActionInputs, env: NodeJS.ProcessEnv, markdown: string): Promise<void> {
  const pr = pullRequestOf(env);
  if (!pr || !inputs.commentOnPr) return;
  const token = inputs.githubToken || env.GITHUB_TOKEN;
  if (!token) return core.warning('no github-token: the report is not commented on the pull request');
  const apiUrl = env.GITHUB_API_URL ?? 'https://api.github.com';
  const c = await upsertComment({ apiUrl, token, repo: pr.repo, number: pr.number }, markdown);
  core.setOutput(OUTPUT.commentUrl, c.url);
  core.info(`${c.action} the refit comment on ${pr.repo}#${pr.number}: ${c.url}`);
}

/**
 * The runs to report: for `report`, the one asked for (or the latest); else each line's latest run
 * the command touched.
 */
async function storiesOf(app: AppContext, inputs: ActionInputs, sinceMs: number): Promise<RunStory[]> {
  if (inputs.command === 'report') {
    const runId = inputs.args.find((a) => !a.startsWith('-'));
    return [await readRunStory(app, runId, inputs.models[0])];
  }
  const touched = await listRuns(app.store, { updatedSinceMs: sinceMs, limit: 100 });
  const latest = new Map<string, string>();
  for (const r of touched) if (!latest.has(r.model)) latest.set(r.model, r.id);
  const stories: RunStory[] = [];
  for (const id of latest.values()) stories.push(await readRunStory(app, id));
  return stories.sort((a, b) => (a.run.model < b.run.model ? -1 : 1));
}

function setLineOutputs(s: RunStory): void {
  const model = s.run.model;
  if (s.version !== null) core.setOutput(lineOutput(model, LINE_OUTPUT.version), String(s.version));
  if (s.gate) core.setOutput(lineOutput(model, LINE_OUTPUT.blessed), String(s.gate.blessed));
  if (s.evaluation) {
    const m = s.evaluation.candidate;
    const picked = REPORTED_METRICS.map((k) => [k, metricNumber(m, k)] as const).filter(([, v]) => v !== null);
    core.setOutput(lineOutput(model, LINE_OUTPUT.metrics), JSON.stringify(Object.fromEntries(picked)));
  }
  core.setOutput(lineOutput(model, LINE_OUTPUT.run), s.run.id);
  core.setOutput(lineOutput(model, LINE_OUTPUT.state), s.run.state);
}

/** `<model>-tokens`: the retrain budget left on every line after the command (the first seed's `tokens`). */
async function setTokenOutputs(app: AppContext): Promise<void> {
  const status = await readStatus(app);
  for (const m of status.models) core.setOutput(lineOutput(m.model, LINE_OUTPUT.tokens), m.budget.tokens.toFixed(2));
}

/** The pull request of a `pull_request` or `pull_request_target` event, from the event payload. */
export function pullRequestOf(env: NodeJS.ProcessEnv): { repo: string; number: number } | null {
  const name = env.GITHUB_EVENT_NAME ?? '';
  if (!name.startsWith('pull_request') || !env.GITHUB_EVENT_PATH) return null;
  const payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as {
    pull_request?: { number?: number };
    repository?: { full_name?: string };
  };
  const number = payload.pull_request?.number;
  const repo = payload.repository?.full_name ?? env.GITHUB_REPOSITORY;
  return typeof number === 'number' && repo ? { repo, number } : null;
}
