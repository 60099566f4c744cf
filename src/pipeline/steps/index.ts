/**
 * The pipeline as data: a run walks these steps in order (a step whose condition does not hold
 * is passed over). Each is memoised by its id; a crash anywhere leaves either a finished step
 * (replayed) or an unfinished one whose side effect is idempotent by the run's keys.
 */
import type { AnyStep } from '../step.js';
import { approve } from './approve.js';
import { deploy } from './deploy.js';
import { evaluate } from './evaluate.js';
import { fetchDataset } from './fetch-dataset.js';
import { gate } from './gate.js';
import { notify } from './notify.js';
import { prepare } from './prepare.js';
import { publishDataset } from './publish-dataset.js';
import { register } from './register.js';
import { rollback } from './rollback.js';
import { train } from './train.js';
import { validate } from './validate.js';
import { verify } from './verify.js';

export const PIPELINE: readonly AnyStep[] = [
  prepare,
  fetchDataset,
  publishDataset,
  validate,
  train,
  evaluate,
  gate,
  register,
  approve,
  deploy,
  verify,
  rollback,
  notify,
];
