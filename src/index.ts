/** The refit library API for TypeScript users. */
export { TokenBucket, type TokenBucketOptions, type TokenBucketState } from './core/token-bucket.js';
export { checkBudget, retrainCost, type BudgetPolicy, type BudgetState, type BudgetVerdict } from './core/budget.js';
export { decide, type Decision, type DecisionInput } from './core/decide.js';
export type {
  Signals,
  SignalName,
  RefitEvent,
  PredictionEvent,
  FeedbackEvent,
  ExampleEvent,
  RunState,
} from './core/glossary.js';
export {
  RefitError,
  ConfigError,
  UsageError,
  InputError,
  UpstreamUnavailableError,
  UpstreamRejectedError,
  ERROR_POLICY,
  type ErrorCode,
  exitCodeFor,
} from './core/errors.js';
export { ManualClock, systemClock, type Clock } from './core/ports/clock.js';
export type { Logger } from './core/ports/logger.js';
export { loadConfig, type LoadOptions } from './config/load.js';
export type { RefitConfig, ModelLineConfig } from './config/config.js';
export { configSchema } from './config/schema.js';
export { openStore, type Store } from './stores/store.js';
export { openApp, closeApp } from './app.js';
export type { AppContext } from './app-context.js';
export { ingestFiles, type IngestSummary, type IngestOptions } from './ingest/ingest.js';
export { decideAll, type DecideResult, type DecideOptions } from './decide/decide-all.js';
export { runTick, type TickOptions, type TickResult } from './pipeline/tick.js';
export { readStatus, type StatusReport } from './status/status.js';
export { initProject } from './init/init.js';
export { runCli } from './cli/run-cli.js';
