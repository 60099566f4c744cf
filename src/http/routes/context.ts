/** What every route module receives: the app, the scope guard, the serving table, counters, the tick lock. */
import type { AppContext } from '../../app-context.js';
import type { ServingRouter } from '../../serving/router.js';
import type { Scope } from '../auth.js';
import type { preHandlerAsyncHookHandler } from 'fastify';

export interface Counters {
  ingested: number;
  requests: number;
  predictions: number;
}

export interface RouteContext {
  app: AppContext;
  /** Worker id used for run leases. */
  owner: string;
  /** Runs tick work serially with the scheduler (decide + advance) in this process. */
  serialize: <T>(fn: () => Promise<T>) => Promise<T>;
  serving: ServingRouter;
  counters: Counters;
  auth(scope: Scope): preHandlerAsyncHookHandler;
}
