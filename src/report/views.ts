/** What a command hands to its reporter: one tagged view per kind of result. */
import type { DecideResult } from '../decide/decide-all.js';
import type { MonitorResult } from '../monitor/monitor.js';
import type { IngestSummary } from '../ingest/ingest.js';
import type { StatusReport } from '../status/status.js';
import type { DriftReport } from '../ml/drift/report.js';
import type { DatasetRecord } from '../stores/datasets.js';
import type { ValidationReport } from '../datasets/validate.js';
import type { Preparation } from '../stores/preparations.js';
import type { Metrics } from '../ml/metrics/evaluate-rows.js';
import type { GateReport } from '../core/gate.js';
import type { AliasChange, ModelVersion } from '../registry/registry.js';
import type { AliasHistoryEntry } from '../stores/aliases.js';
import type { TrainingJob } from '../stores/jobs.js';
import type { AdvanceResult } from '../pipeline/advance-run.js';
import type { RunView } from '../stores/runs.js';
import type { RunStory } from './run-story.js';

export type View =
  | {
      kind: 'decide';
      command: 'plan' | 'run';
      result: DecideResult;
      runs?: AdvanceResult[];
      monitored?: MonitorResult[];
    }
  | { kind: 'ingest'; summary: IngestSummary }
  | { kind: 'status'; status: StatusReport }
  | { kind: 'drift'; report: DriftReport }
  | { kind: 'datasets'; datasets: DatasetRecord[] }
  | { kind: 'dataset'; dataset: DatasetRecord; created: boolean }
  | { kind: 'validation'; report: ValidationReport }
  | { kind: 'preparation'; preparation: Preparation }
  | { kind: 'evaluation'; metrics: Metrics; champion: Metrics | null; gate: GateReport | null }
  | { kind: 'versions'; versions: ModelVersion[] }
  | { kind: 'version'; version: ModelVersion }
  | { kind: 'alias-change'; change: AliasChange }
  | { kind: 'alias-history'; model: string; history: AliasHistoryEntry[] }
  | {
      kind: 'training';
      job: TrainingJob;
      metrics: Metrics;
      champion: { version: number; metrics: Metrics } | null;
      gate: GateReport;
      version: ModelVersion | null;
    }
  | { kind: 'runs'; runs: RunView[]; detail?: boolean }
  /** `text` in the asked format; `markdown` for a job summary. */
  | { kind: 'run-report'; story: RunStory; text: string; markdown: string }
  | { kind: 'message'; text: string; data?: unknown };

/** Renders command results. Chosen once per process (human, JSON, GitHub Actions), never by `if`s in commands. */
export interface Reporter {
  /** Secret values learnt after start-up (e.g. from the loaded config) to mask from now on. */
  addSecrets(values: readonly string[]): void;
  report(view: View): void;
  /** Finishes what the reporter writes (groups, files) when the command ends. */
  close?(): void | Promise<void>;
}
