/** `refit serve`: the long-running service; SIGTERM / SIGINT shut it down gracefully. */
import type { Command } from 'commander';
import { closeApp, openApp } from '../../app.js';
import { UsageError } from '../../core/errors.js';
import type { CliContext } from '../context.js';

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('run the service: scheduler of ticks, HTTP API (ingestion, runs, models), /metrics, /openapi.json')
    .option('--port <port>', 'listen port (default serve.port, 8080)', (v) => Number(v))
    .option('--host <host>', 'listen address (default serve.host, 127.0.0.1)')
    .action(async (opts: { port?: number; host?: string }) => {
      if (opts.port !== undefined && !(Number.isInteger(opts.port) && opts.port >= 0 && opts.port < 65536))
        throw new UsageError('--port expects a port number');
      const g = ctx.globals();
      const app = await openApp({
        path: g.config,
        env: ctx.io.env,
        cwd: ctx.io.cwd,
        overrides: { store: g.store },
        clock: ctx.io.clock,
        logger: ctx.logger(),
      });
      if (app.config.serve.tokens.length === 0)
        app.logger.warn('serve.tokens is empty: every /v1 route will answer 401');
      const { startService } = await import('../../service/service.js');
      const service = await startService(app, { port: opts.port, host: opts.host });
      ctx.io.stdout.write(`refit serve listening on ${service.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          void service
            .stop()
            .then(() => closeApp(app))
            .then(resolve);
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
    });
}
