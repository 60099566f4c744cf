/**
 * The CLI: parses arguments, calls one library function per verb, maps the outcome to an exit
 * code (0 success or nothing to do, 1 a run failed or rows were rejected, 2 bad usage or config).
 * In-process and injectable (`io`) so tests call it without spawning.
 */
import { Command, CommanderError, Option } from 'commander';
import { exitCodeFor, RefitError } from '../core/errors.js';
import { redact } from '../config/secrets.js';
import { createCliContext, type CliContext, type CliIO } from './context.js';
import { registerApproval } from './commands/approval.js';
import { registerCancel, registerDecide } from './commands/decide.js';
import { registerDemo } from './commands/demo.js';
import { registerDrift } from './commands/drift.js';
import { registerDatasets } from './commands/datasets.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerModels } from './commands/models.js';
import { registerTrain } from './commands/train.js';
import { registerLogs } from './commands/logs.js';
import { registerReport } from './commands/report.js';
import { registerRuns } from './commands/runs.js';
import { registerServe } from './commands/serve.js';
import { registerIngest } from './commands/ingest.js';
import { registerInit } from './commands/init.js';
import { registerStatus } from './commands/status.js';

export const VERSION = '0.1.0';

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const program = new Command('refit');
  program
    .description('refit — continuous training: watch a deployed model, decide when a retrain is worth it, and do it')
    .version(VERSION)
    .option('-c, --config <path>', 'config file (default: $REFIT_CONFIG or ./refit.yaml)')
    .option('--store <url>', 'store URL, overrides config and $REFIT_STORE (sqlite:PATH or postgres://...)')
    .option('--json', 'print the result as JSON on stdout')
    .addOption(
      new Option('--log-format <format>', 'log lines on stderr (default: pretty on a TTY, json otherwise)').choices([
        'json',
        'pretty',
      ]),
    )
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['debug', 'info', 'warn', 'error', 'silent'])
        .default('info'),
    )
    .option('--dry-run', 'compute and print everything, trigger nothing (also DRY_RUN=true)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  const ctx = createCliContext(program, io);
  registerInit(program, ctx);
  registerIngest(program, ctx);
  registerDecide(program, ctx);
  registerCancel(program, ctx);
  registerApproval(program, ctx);
  registerStatus(program, ctx);
  registerDemo(program, ctx);
  registerDrift(program, ctx);
  registerDatasets(program, ctx);
  registerEvaluate(program, ctx);
  registerModels(program, ctx);
  registerTrain(program, ctx);
  registerRuns(program, ctx);
  registerReport(program, ctx);
  registerLogs(program, ctx);
  registerServe(program, ctx);
  const configure = (cmd: Command): void => {
    for (const c of cmd.commands) {
      c.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
      configure(c);
    }
  };
  configure(program);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    return failed(err, ctx, io);
  } finally {
    await ctx.closeReporter();
  }
}

/** The exit code of a failed command, after saying what failed (stack traces only for the unexpected). */
function failed(err: unknown, ctx: CliContext, io: CliIO): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
      return 0;
    return 2;
  }
  const secrets = ctx.secretValues();
  if (err instanceof RefitError) {
    // Rows rejected and failed lines were already reported in full; repeat the one-line verdict.
    io.stderr.write(`refit: ${redact(err.message, secrets)}\n`);
    ctx.reportFailure(err);
    return exitCodeFor(err);
  }
  const msg = err instanceof Error ? (err.stack ?? err.message) : String(err);
  io.stderr.write(`refit: unexpected error: ${redact(msg, secrets)}\n`);
  return 1;
}
