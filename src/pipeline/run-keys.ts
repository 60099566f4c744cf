/**
 * The idempotency keys of a run's side effects, derived in one place from the run id: a crash
 * between an effect and its record repeats nothing, because the effect is asked for again with
 * the same key and the other side (the store, a job API, a receiver) returns the first one.
 */
export interface RunKeys {
  /** `datasets.build_key` of the dataset version the run builds. */
  datasetBuild: string;
  /** `preparations.key` of an external preparation. */
  preparation: string;
  /** `training_jobs.key`; also the job API's key, the workflow's `refit_key`, the Space's REFIT_KEY. */
  training: string;
  /** `model_versions.registration_key`. */
  registration: string;
  /** `x-refit-delivery` of the deploy webhook. */
  deployDelivery: string;
  /** The outbox event id of a notification of this run. */
  notification(kind: string): string;
  /** The id of a decision the run records (bless, reject, promote, rollback). */
  decision(action: string): string;
}

export function runKeys(runId: string): RunKeys {
  return {
    datasetBuild: runId,
    preparation: runId,
    training: runId,
    registration: runId,
    deployDelivery: `${runId}:deploy`,
    notification: (kind) => `${runId}:${kind}`,
    decision: (action) => `dec_${runId}_${action}`,
  };
}
