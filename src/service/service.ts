/**
 * `refit serve`: the HTTP API plus a cron scheduler of ticks (decide, advance due runs, monitor,
 * deliver due notifications),
 * serialised so a tick and an HTTP retrain never interleave within one process (other processes
 * coordinate through the store). `stop()` is the graceful shutdown: no new ticks or requests, the
 * work in progress finishes (a run parks at its next step boundary), then the store closes.
 */
import { CronExpressionParser } from 'cron-parser';
import type { AppContext } from '../app-context.js';
import { UsageError } from '../core/errors.js';
import { buildServer } from '../http/server.js';
import { ServingRouter } from '../serving/router.js';
import { runTick, workerId } from '../pipeline/tick.js';

export interface Service {
  url: string;
  /** Runs one tick now (also what the schedule does). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export async function startService(
  app: AppContext,
  opts: { port?: number; host?: string; actor?: string } = {},
): Promise<Service> {
  const owner = workerId();
  let chain: Promise<unknown> = Promise.resolve();
  const serialize = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };
  const serving = new ServingRouter(app);
  const tick = () =>
    serialize(async () => {
      await runTick(app, { dryRun: app.config.dryRun, actor: opts.actor ?? 'scheduler', owner, advanceMs: 0 });
      // Promotions and rollbacks of this tick reach the prediction endpoint now, not at the next poll.
      await serving.refresh();
    }).catch((err) => app.logger.error('tick failed', { error: (err as Error).message }));

  const server = buildServer(app, { owner, serialize, serving });
  const host = opts.host ?? app.config.serve.host;
  const port = opts.port ?? app.config.serve.port;
  try {
    await server.listen({ host, port });
  } catch (err) {
    await server.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new UsageError(
        `${host}:${port} is already in use: stop what listens there, or pick a port with --port or serve.port`,
      );
    }
    if (code === 'EADDRNOTAVAIL' || code === 'EACCES') {
      throw new UsageError(`cannot listen on ${host}:${port} (${code}): check serve.host and serve.port`);
    }
    throw err;
  }
  const address = server.server.address();
  const url = `http://${host}:${typeof address === 'object' && address ? address.port : port}`;
  app.logger.info(`refit serve listening on ${url}`, { schedule: app.config.serve.schedule });

  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    const next = CronExpressionParser.parse(app.config.serve.schedule, { currentDate: new Date(Date.now()), tz: 'UTC' })
      .next()
      .getTime();
    timer = setTimeout(
      () => {
        void tick().then(schedule);
      },
      Math.min(2 ** 31 - 1, Math.max(0, next - Date.now())),
    );
  };
  schedule();

  return {
    url,
    tick: async () => {
      await tick();
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await server.close();
      await chain;
      app.logger.info('refit serve stopped');
    },
  };
}
