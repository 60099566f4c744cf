/** What every use case receives: the loaded config, the open store, the clock and a logger. */
import type { RefitConfig } from './config/config.js';
import type { Clock } from './core/ports/clock.js';
import type { Logger } from './core/ports/logger.js';
import type { Store } from './stores/store.js';

export interface AppContext {
  config: RefitConfig;
  store: Store;
  clock: Clock;
  logger: Logger;
  /**
   * Aborts when the process is asked to stop (Ctrl-C, SIGTERM): a running step stops its trainer,
   * and its run is released to resume from that step, not failed. Absent for in-process callers.
   */
  interrupt?: AbortSignal;
}
