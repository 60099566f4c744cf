/** `refit models`, `models show|register|history|alias`, `refit promote`, `refit rollback`. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { currentActor } from '../../app.js';
import { InputError, UsageError } from '../../core/errors.js';
import { getVersion, openArtifact, registerVersion, rollback, setAlias } from '../../registry/registry.js';
import { aliasHistory } from '../../stores/aliases.js';
import { listVersions } from '../../stores/versions.js';
import type { CliContext } from '../context.js';
import { promoteServable } from '../../serving/servable.js';

const collect = (v: string, acc: string[]) => [...acc, v];

function versionArg(v: string): number {
  const n = Number(v.replace(/^v/i, ''));
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`"${v}" is not a version: use a number such as 3 (or v3)`);
  return n;
}

export function registerModels(program: Command, ctx: CliContext): void {
  const models = program
    .command('models')
    .description('registered model versions with their aliases; subcommands show, register, history, alias')
    .argument('[model]', 'only this model line')
    .action(async (model?: string) => {
      const versions = await ctx.withApp((app) => listVersions(app.store, { model }));
      ctx.reporter().report({ kind: 'versions', versions });
    });
  registerShow(models, ctx);
  registerRegister(models, ctx);
  registerHistoryAndAlias(models, ctx);
  registerPromoteRollback(program, ctx);
}

function registerShow(models: Command, ctx: CliContext): void {
  models
    .command('show')
    .description('one version: artifact (verified), metrics, lineage, gate, tags')
    .argument('<model>')
    .argument('<version>')
    .action(async (model: string, version: string) => {
      const v = await ctx.withApp(async (app) => {
        const v = await getVersion(app, model, versionArg(version));
        await openArtifact(app, v); // refuses a corrupted artifact
        return v;
      });
      ctx.reporter().report({ kind: 'version', version: v });
    });
}

function registerRegister(models: Command, ctx: CliContext): void {
  models
    .command('register')
    .description('register an artifact (file or directory) as the next version of MODEL')
    .argument('<model>')
    .requiredOption('--artifact <path>', 'model file or directory')
    .option('--metrics <file>', 'JSON file of metrics to record (kept, never trusted for the gate)')
    .option('--dataset <tag>', 'dataset version it was trained on')
    .option('--tag <key=value>', 'a tag (repeatable)', collect, [])
    .option('--key <key>', 'idempotency key: registering twice with one key registers once')
    .action(
      async (
        model: string,
        opts: { artifact: string; metrics?: string; dataset?: string; tag: string[]; key?: string },
      ) => {
        if (ctx.dryRun()) throw new UsageError('models register has no dry run');
        let metrics: Record<string, unknown> = {};
        if (opts.metrics) {
          try {
            metrics = JSON.parse(readFileSync(resolve(ctx.io.cwd, opts.metrics), 'utf8'));
          } catch (err) {
            throw new InputError(`--metrics ${opts.metrics}: ${(err as Error).message}`);
          }
        }
        const tags = Object.fromEntries(
          opts.tag.map((t) => {
            const i = t.indexOf('=');
            if (i < 1) throw new UsageError(`--tag expects KEY=VALUE, got "${t}"`);
            return [t.slice(0, i), t.slice(i + 1)];
          }),
        );
        const v = await ctx.withApp((app) =>
          registerVersion(app, {
            model,
            artifactPath: resolve(ctx.io.cwd, opts.artifact),
            metrics,
            datasetTag: opts.dataset,
            tags,
            registrationKey: opts.key,
            actor: currentActor(ctx.io.env),
            lineage: { source: 'cli' },
          }),
        );
        ctx.reporter().report({ kind: 'version', version: v });
      },
    );
}

function registerHistoryAndAlias(models: Command, ctx: CliContext): void {
  models
    .command('history')
    .description('every alias move of MODEL: which version served when, who moved it and why')
    .argument('<model>')
    .action(async (model: string) => {
      const history = await ctx.withApp((app) => aliasHistory(app.store, model));
      ctx.reporter().report({ kind: 'alias-history', model, history });
    });

  models
    .command('alias')
    .description('point ALIAS (e.g. challenger) at VERSION, or remove it with --delete')
    .argument('<model>')
    .argument('<alias>')
    .argument('[version]')
    .option('--delete', 'remove the alias')
    .option('--reason <text>', 'why', 'set by hand')
    .action(
      async (model: string, alias: string, version: string | undefined, opts: { delete?: boolean; reason: string }) => {
        if (!opts.delete && !version) throw new UsageError('give a VERSION, or --delete');
        const change = await ctx.withApp((app) =>
          setAlias(app, model, alias, opts.delete ? null : versionArg(version!), currentActor(ctx.io.env), opts.reason),
        );
        ctx.reporter().report({ kind: 'alias-change', change });
      },
    );
}

function registerPromoteRollback(program: Command, ctx: CliContext): void {
  program
    .command('promote')
    .description('make VERSION the champion of MODEL (the old champion becomes previous)')
    .argument('<model>')
    .argument('<version>')
    .option('--reason <text>', 'why (recorded)', 'promoted by hand')
    .action(async (model: string, version: string, opts: { reason: string }) => {
      if (ctx.dryRun()) throw new UsageError('promote has no dry run: `refit models MODEL` shows the aliases');
      const change = await ctx.withApp((app) =>
        promoteServable(app, model, versionArg(version), currentActor(ctx.io.env), opts.reason),
      );
      ctx.reporter().report({ kind: 'alias-change', change });
    });

  program
    .command('rollback')
    .description('make the previous champion of MODEL the champion again')
    .argument('<model>')
    .option('--reason <text>', 'why (recorded)', 'rolled back by hand')
    .action(async (model: string, opts: { reason: string }) => {
      if (ctx.dryRun()) throw new UsageError('rollback has no dry run: `refit models MODEL` shows the aliases');
      const change = await ctx.withApp((app) => rollback(app, model, currentActor(ctx.io.env), opts.reason));
      ctx.reporter().report({ kind: 'alias-change', change });
    });
}
