/**
 * Table types of the store, shared by SQLite and PostgreSQL. Times are milliseconds since the
 * epoch (bigint in PostgreSQL, parsed to number), booleans are 0/1 integers, JSON is text.
 */
import type { ColumnType, Generated } from 'kysely';

type Ms = ColumnType<number, number, number>;

export interface ModelLinesTable {
  name: string;
  created_ms: Ms;
  /** Bumped by every decision transaction: taking the row lock serialises decisions per line. */
  lock_version: number;
}

export interface PredictionsTable {
  model: string;
  id: string;
  version: string | null;
  input: string;
  prediction: string;
  confidence: number | null;
  ts_ms: Ms;
  ingested_ms: Ms;
}

export interface FeedbackTable {
  model: string;
  prediction_id: string;
  label: string;
  reviewer_confidence: number | null;
  ts_ms: Ms;
  ingested_ms: Ms;
  /** null until the prediction is known; then 1 (correct) or 0 (misclassified). */
  outcome: number | null;
  /** Version of the model that made the prediction (copied at match time). */
  version: string | null;
  matched_ms: Ms | null;
  /** The dataset version that consumed this row as evidence; null while unused. */
  dataset_tag: string | null;
}

export interface ExamplesTable {
  model: string;
  id: string;
  input: string;
  label: string;
  ts_ms: Ms;
  ingested_ms: Ms;
  dataset_tag: string | null;
}

export interface DatasetsTable {
  model: string;
  tag: string;
  /** Idempotency key of the build (e.g. the run id): one build per key. */
  build_key: string | null;
  created_ms: Ms;
  num_samples: number;
  splits: string;
  content_sha256: string;
  /** Where the files are: a directory path (file:) or a remote URI. */
  location: string;
  metadata: string;
}

/**
 * Evidence counters per model line and reviewer-confidence bucket (floor(confidence × 100), 100
 * for "no confidence given"). `mark_*` hold the totals when the last dataset was built, so
 * "since the last dataset" is `total − mark`, read in O(buckets) whatever the number of events.
 */
export interface EvidenceCountersTable {
  model: string;
  bucket: number;
  misclassified: number;
  correct: number;
  examples: number;
  mark_misclassified: number;
  mark_correct: number;
  mark_examples: number;
}

/** Reviewed predictions per model line, version and hour of the feedback time (time windows). */
export interface AccuracyHourlyTable {
  model: string;
  version: string;
  hour_ms: Ms;
  correct: number;
  total: number;
}

export interface BudgetStateTable {
  model: string;
  tokens: number;
  last_ms: Ms | null;
  rejections: number;
  updated_ms: Ms;
}

export interface TriggerStateTable {
  model: string;
  rule_id: string;
  streak: number;
  updated_ms: Ms;
}

export interface RunsTable {
  id: string;
  model: string;
  state: string;
  reason: string;
  decision_id: string | null;
  forced: number;
  actor: string;
  created_ms: Ms;
  updated_ms: Ms;
  started_ms: Ms | null;
  finished_ms: Ms | null;
  error: string | null;
  lease_owner: string | null;
  lease_until_ms: Ms | null;
  /** A waiting run is advanced again at or after this time. */
  next_check_ms: Ms | null;
  /** One sentence: what the run ended with (promoted v4, rejected: …, failed: …). */
  outcome: string | null;
}

export interface StepsTable {
  run_id: string;
  step_id: string;
  /** The step's place in the pipeline table: the timeline's order. */
  position: number;
  state: string;
  attempts: number;
  started_ms: Ms | null;
  finished_ms: Ms | null;
  result: string | null;
  error: string | null;
}

export interface DecisionsTable {
  id: string;
  model: string;
  at_ms: Ms;
  action: string;
  actor: string;
  reason: string;
  details: string;
  run_id: string | null;
}

export interface LocksTable {
  name: string;
  version: number;
}

export interface PreparationsTable {
  key: string;
  model: string;
  /** pending (not triggered yet) → waiting (triggered, polling) → succeeded | failed */
  state: string;
  required: number;
  baseline_read: number;
  /** version_tag seen before triggering; a new version must differ from it. */
  last_seen_tag: string | null;
  started_ms: Ms;
  deadline_ms: Ms;
  triggered_ms: Ms | null;
  trigger_confirmed_ms: Ms | null;
  next_check_ms: Ms;
  checks: number;
  errors_in_row: number;
  last_status: string | null;
  result: string | null;
  updated_ms: Ms;
}

export interface ModelVersionsTable {
  model: string;
  version: number;
  created_ms: Ms;
  /** Idempotency key of the registration (e.g. the run id): one version per key. */
  registration_key: string | null;
  run_id: string | null;
  dataset_tag: string | null;
  artifact_uri: string;
  artifact_sha256: string;
  artifact_size: number;
  metrics: string;
  params: string;
  lineage: string;
  gate: string | null;
  tags: string;
  actor: string;
}

export interface AliasesTable {
  model: string;
  alias: string;
  version: number;
  updated_ms: Ms;
}

export interface AliasHistoryTable {
  id: string;
  model: string;
  alias: string;
  from_version: number | null;
  to_version: number | null;
  at_ms: Ms;
  /** Order of alias moves per model line (gap-free, unique). */
  seq: number;
  actor: string;
  action: string;
  reason: string;
}

export interface TrainingJobsTable {
  id: string;
  /** Idempotency key: starting twice with one key runs one job. */
  key: string | null;
  model: string;
  executor: string;
  /** running → succeeded | failed */
  state: string;
  dataset_tag: string;
  params: string;
  code_version: string | null;
  started_ms: Ms;
  finished_ms: Ms | null;
  output_dir: string;
  /** What the trainer reported about itself: kept, never trusted for the gate. */
  reported_metrics: string | null;
  logs: string;
  error: string | null;
  /** host:pgid of the command's process group while it runs (cleanup after a dead worker). */
  worker: string | null;
  /** A remote job's handle (JSON: id, status_url, cancel_url). */
  remote: string | null;
}

export interface NotificationsTable {
  /** `<event id>@<channel id>`: one delivery per event and channel. */
  id: string;
  event_id: string;
  channel: string;
  model: string | null;
  kind: string;
  /** The event (JSON): title, text, numbers. Never secrets. */
  payload: string;
  /** pending → sending → delivered | failed (attempts exhausted) */
  state: string;
  attempts: number;
  next_attempt_ms: Ms;
  claimed_until_ms: Ms | null;
  last_error: string | null;
  /** What the channel made: a GitHub issue number, a message id. */
  external_ref: string | null;
  created_ms: Ms;
  delivered_ms: Ms | null;
}

export interface ShadowPredictionsTable {
  model: string;
  id: string;
  version: string;
  prediction: string;
  confidence: number | null;
  ts_ms: Ms;
}

export interface MonitorStateTable {
  model: string;
  /** The champion whose production inputs were compared with its training data. */
  version: number;
  drift_share: number;
  checked_ms: Ms;
  /** The drift report (JSON): per column method, statistic, threshold, verdict. */
  details: string;
}

export interface ApprovalsTable {
  run_id: string;
  model: string;
  /** approved | rejected */
  verdict: string;
  actor: string;
  reason: string;
  at_ms: Ms;
}

export interface MonitorVerdictsTable {
  model: string;
  /** last | acted */
  slot: string;
  at_ms: Ms;
  champion: number | null;
  previous: number | null;
  action: string;
  reason: string;
  /** JSON: accuracies, n, drop, z, p (null without a comparison). */
  numbers: string;
}

export interface Database {
  model_lines: ModelLinesTable;
  predictions: PredictionsTable;
  feedback: FeedbackTable;
  examples: ExamplesTable;
  evidence_counters: EvidenceCountersTable;
  accuracy_hourly: AccuracyHourlyTable;
  budget_state: BudgetStateTable;
  trigger_state: TriggerStateTable;
  runs: RunsTable;
  steps: StepsTable;
  decisions: DecisionsTable;
  locks: LocksTable;
  datasets: DatasetsTable;
  preparations: PreparationsTable;
  model_versions: ModelVersionsTable;
  aliases: AliasesTable;
  alias_history: AliasHistoryTable;
  training_jobs: TrainingJobsTable;
  notifications: NotificationsTable;
  shadow_predictions: ShadowPredictionsTable;
  monitor_state: MonitorStateTable;
  approvals: ApprovalsTable;
  monitor_verdicts: MonitorVerdictsTable;
}

export type { Generated };
