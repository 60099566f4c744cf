/**
 * The stable ids of a run's steps: the keys of their stored results (`steps.step_id`), of the
 * fault-test failpoints (`before:train`) and of the timeline. Renaming one orphans stored runs.
 */
export const STEP = {
  prepare: 'prepare',
  fetchDataset: 'fetch-dataset',
  publishDataset: 'publish-dataset',
  validate: 'validate',
  train: 'train',
  evaluate: 'evaluate',
  gate: 'gate',
  register: 'register',
  approve: 'approve',
  deploy: 'deploy',
  verify: 'verify',
  rollback: 'rollback',
  notify: 'notify',
} as const;

export type StepId = (typeof STEP)[keyof typeof STEP];
