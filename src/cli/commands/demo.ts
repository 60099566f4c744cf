/**
 * `refit demo [DIR]`: the main job on the embedded default — scaffolds a project (SQLite store,
 * bundled sample events), ingests the events, shows the plan, runs one tick and the status.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { currentActor, closeApp, openApp } from '../../app.js';
import { decideAll } from '../../decide/decide-all.js';
import { ingestFiles } from '../../ingest/ingest.js';
import { initProject } from '../../init/init.js';
import { readStatus } from '../../status/status.js';
import { runTick, workerId } from '../../pipeline/tick.js';
import { listVersions } from '../../stores/versions.js';
import type { CliContext } from '../context.js';

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(
      'scaffold a demo project, ingest its sample events, plan, run one tick (dataset, training, gate, registry, champion) and show the status',
    )
    .argument('[dir]', 'demo folder', 'refit-demo')
    .action(async (dir: string) => {
      const root = resolve(ctx.io.cwd, dir);
      const reporter = ctx.reporter();
      if (!existsSync(join(root, 'refit.yaml'))) initProject(root);
      reporter.report({ kind: 'message', text: `demo project in ${root} (SQLite store at .refit/refit.db)\n` });
      const env = { ...ctx.io.env, REFIT_STORE: '' };
      const app = await openApp({
        path: join(root, 'refit.yaml'),
        cwd: root,
        env,
        clock: ctx.io.clock,
        logger: ctx.logger(),
      });
      try {
        reporter.report({ kind: 'message', text: '$ refit ingest events/sample.ndjson' });
        reporter.report({ kind: 'ingest', summary: await ingestFiles(app, [join(root, 'events', 'sample.ndjson')]) });
        reporter.report({ kind: 'message', text: '\n$ refit plan' });
        reporter.report({
          kind: 'decide',
          command: 'plan',
          result: await decideAll(app, { dryRun: true, actor: currentActor(ctx.io.env) }),
        });
        reporter.report({ kind: 'message', text: '\n$ refit run' });
        const dryRun = ctx.dryRun() || app.config.dryRun;
        const actor = currentActor(ctx.io.env);
        const tick = await runTick(app, { dryRun, actor, owner: workerId(), advanceMs: 0 });
        reporter.report({ kind: 'decide', command: 'run', result: tick.decisions, runs: tick.runs });
        reporter.report({ kind: 'message', text: '\n$ refit models' });
        reporter.report({ kind: 'versions', versions: await listVersions(app.store) });
        reporter.report({ kind: 'message', text: '\n$ refit status' });
        reporter.report({ kind: 'status', status: await readStatus(app) });
      } finally {
        await closeApp(app);
      }
    });
}
