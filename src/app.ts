/**
 * The composition root: config → store → context. The one place that picks adapters; entry
 * points (CLI, Action, HTTP) call `openApp` and the use cases, and map results to exit codes.
 */
import { hostname, userInfo } from 'node:os';
import type { AppContext } from './app-context.js';
import { loadConfig, type LoadOptions } from './config/load.js';
import { systemClock, type Clock } from './core/ports/clock.js';
import { silentLogger, type Logger } from './core/ports/logger.js';
import { ensureModelLines } from './stores/decision-facts.js';
import { openStore } from './stores/store.js';

export interface OpenAppOptions extends LoadOptions {
  clock?: Clock;
  logger?: Logger;
}

export async function openApp(options: OpenAppOptions = {}): Promise<AppContext> {
  const config = loadConfig(options);
  const clock = options.clock ?? systemClock;
  const store = await openStore(config.store);
  await ensureModelLines(store, Object.keys(config.models), clock.now());
  return { config, store, clock, logger: options.logger ?? silentLogger };
}

export async function closeApp(app: AppContext): Promise<void> {
  await app.store.close();
}

/** Who is acting, recorded with every decision: the GitHub actor and run, or user@host. */
export function currentActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GITHUB_ACTIONS === 'true')
    return `github:${env.GITHUB_ACTOR ?? 'unknown'} (${env.GITHUB_WORKFLOW ?? 'workflow'} run ${env.GITHUB_RUN_ID ?? '?'})`;
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    /* no passwd entry */
  }
  return `cli:${user}@${hostname()}`;
}
