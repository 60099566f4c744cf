/**
 * What every CLI command shares: global options, the reporter picked once for the environment
 * (JSON, GitHub Actions, human), the logger, and opening the app with the layered config.
 */
import type { Command } from 'commander';
import { closeApp, openApp } from '../app.js';
import type { AppContext } from '../app-context.js';
import type { Clock } from '../core/ports/clock.js';
import { createLogger, type LogFormat } from '../logging/pino-logger.js';
import { GitHubReporter } from '../report/github.js';
import { HumanReporter } from '../report/human.js';
import { JsonReporter } from '../report/json.js';
import type { Reporter, View } from '../report/views.js';
import type { Logger } from '../core/ports/logger.js';
import type { RefitError } from '../core/errors.js';
import { explainAnyDiskFull } from '../core/disk-full.js';

export interface GlobalOptions {
  config?: string;
  store?: string;
  json?: boolean;
  logFormat?: LogFormat;
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  dryRun?: boolean;
}

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  clock?: Clock;
  /** Called with every view a command reports (the GitHub Action collects what it comments). */
  onView?: (view: View) => void;
  /** Aborts on Ctrl-C or SIGTERM (the executable's signal handlers). */
  interrupt?: AbortSignal;
}

export interface CliContext {
  io: CliIO;
  globals(): GlobalOptions;
  reporter(): Reporter;
  logger(): Logger;
  /** Opens the app, runs `fn`, closes the app. */
  withApp<T>(fn: (app: AppContext) => Promise<T>): Promise<T>;
  /** DRY_RUN=true or --dry-run. */
  dryRun(): boolean;
  /** Secrets learnt so far (for error messages). */
  secretValues(): readonly string[];
  /** The command failed: the reporter says so where its readers look (GitHub: annotations). */
  reportFailure(err: RefitError): void;
  /** Finishes the reporter's output (groups, summary files) when the command ends. */
  closeReporter(): Promise<void>;
}

/** The reporter for this process's output; `io.onView` sees every view it reports. */
function createReporter(io: CliIO, json: boolean, underActions: boolean): Reporter {
  const reporter = json
    ? new JsonReporter(io.stdout)
    : underActions
      ? new GitHubReporter()
      : new HumanReporter(io.stdout);
  const hook = io.onView;
  if (hook) {
    const report = reporter.report.bind(reporter);
    reporter.report = (view) => {
      report(view);
      hook(view);
    };
  }
  return reporter;
}

export function createCliContext(program: Command, io: CliIO): CliContext {
  let reporter: Reporter | undefined;
  let logger: Logger | undefined;
  const secrets: string[] = [];
  const globals = () => program.opts<GlobalOptions>();
  const underActions = () => io.env.GITHUB_ACTIONS === 'true';
  const ctx: CliContext = {
    io,
    globals,
    reporter() {
      reporter ??= createReporter(io, globals().json === true, underActions());
      return reporter;
    },
    logger() {
      if (!logger) {
        const g = globals();
        const tty = (io.stderr as NodeJS.WriteStream).isTTY === true;
        const r = ctx.reporter();
        // Under GitHub Actions the log lines go to the job log, grouped per model line.
        const grouped = r instanceof GitHubReporter ? r.logSink() : null;
        logger = createLogger({
          format: grouped ? 'json' : (g.logFormat ?? (tty ? 'pretty' : 'json')),
          level: g.logLevel ?? 'info',
          secrets: () => secrets,
          destination: grouped ?? io.stderr,
        });
      }
      return logger;
    },
    secretValues() {
      return secrets;
    },
    reportFailure(err) {
      if (underActions() && !globals().json) {
        const r = ctx.reporter();
        if (r instanceof GitHubReporter) r.failure(err);
      }
    },
    async closeReporter() {
      await reporter?.close?.();
    },
    dryRun() {
      return globals().dryRun === true || /^(1|true|yes)$/i.test(io.env.DRY_RUN ?? '');
    },
    async withApp(fn) {
      const g = globals();
      const app = await openApp({
        path: g.config,
        env: io.env,
        cwd: io.cwd,
        overrides: { store: g.store },
        clock: io.clock,
        logger: ctx.logger(),
      });
      if (io.interrupt) app.interrupt = io.interrupt;
      secrets.push(...app.config.secretValues);
      ctx.reporter().addSecrets(app.config.secretValues);
      try {
        return await fn(app);
      } catch (err) {
        throw explainAnyDiskFull(err, app.config);
      } finally {
        await closeApp(app);
      }
    },
  };
  return ctx;
}
