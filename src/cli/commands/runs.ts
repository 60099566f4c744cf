/** `refit runs [--model M]` and `refit runs show RUN`: runs with their step timeline. */
import type { Command } from 'commander';
import { NotFoundError } from '../../core/errors.js';
import type { CliContext } from '../context.js';

export interface RunView {
  id: string;
  model: string;
  state: string;
  reason: string;
  outcome: string | null;
  createdMs: number;
  finishedMs: number | null;
  nextCheckMs: number | null;
  steps: {
    step: string;
    state: string;
    attempts: number;
    startedMs: number | null;
    finishedMs: number | null;
    error: string | null;
  }[];
}

export function registerRuns(program: Command, ctx: CliContext): void {
  const runs = program
    .command('runs')
    .description('runs, newest first; `runs show RUN` for one with its steps')
    .option('--model <model>', 'only this model line')
    .option('--limit <n>', 'how many', (v) => Number(v), 20)
    .action(async (opts: { model?: string; limit: number }) => {
      const list = await ctx.withApp(async (app) => {
        let q = app.store.db.selectFrom('runs').selectAll();
        if (opts.model) q = q.where('model', '=', opts.model);
        const rows = await q.orderBy('created_ms', 'desc').limit(opts.limit).execute();
        return Promise.all(rows.map((r) => view(app, r.id)));
      });
      ctx.reporter().report({ kind: 'runs', runs: list });
    });
  runs
    .command('show')
    .argument('<run>')
    .description('one run: decision reason, step timeline with durations and errors, outcome')
    .action(async (id: string) => {
      const run = await ctx.withApp((app) => view(app, id));
      ctx.reporter().report({ kind: 'runs', runs: [run], detail: true });
    });
}

async function view(app: import('../../app-context.js').AppContext, id: string): Promise<RunView> {
  const r = await app.store.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw new NotFoundError(`no run ${id}: see \`refit runs\``);
  const steps = await app.store.db
    .selectFrom('steps')
    .selectAll()
    .where('run_id', '=', id)
    .orderBy('started_ms')
    .execute();
  return {
    id: r.id,
    model: r.model,
    state: r.state,
    reason: r.reason,
    outcome: r.outcome,
    createdMs: Number(r.created_ms),
    finishedMs: r.finished_ms === null ? null : Number(r.finished_ms),
    nextCheckMs: r.next_check_ms === null ? null : Number(r.next_check_ms),
    steps: steps.map((s) => ({
      step: s.step_id,
      state: s.state,
      attempts: s.attempts,
      startedMs: s.started_ms === null ? null : Number(s.started_ms),
      finishedMs: s.finished_ms === null ? null : Number(s.finished_ms),
      error: s.error,
    })),
  };
}
