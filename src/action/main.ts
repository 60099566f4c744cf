/**
 * The Action's entry (action.yml `runs.main`, bundled into action/index.js): SQLite through
 * WebAssembly (the bundle carries no native module), then the Action, its exit code the step's.
 */
import { runAction } from './run-action.js';

process.env.REFIT_SQLITE ??= 'wasm';
process.exitCode = await runAction();
