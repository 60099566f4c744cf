/**
 * `refit train MODEL`: an ad hoc training job on a dataset version (the latest by default; an
 * externally prepared version's files are fetched and verified first), evaluated by refit on
 * the version's test split, optionally registered with its lineage. Remote executors are polled
 * in place here; runs park between polls instead.
 */
import type { AppContext } from '../app-context.js';
import { NotFoundError, UsageError } from '../core/errors.js';
import { localVersion } from '../datasets/external/fetch-version.js';
import { isRemote } from '../executors/remote-executor-for.js';
import { metricLookup, type Metrics } from '../ml/metrics/evaluate-rows.js';
import { evaluateGate, withChecks, withoutDriftShare, type GateReport, type GateRule } from '../core/gate.js';
import { championVersion, openArtifact, registerVersion, type ModelVersion } from '../registry/registry.js';
import { findDataset, latestDataset } from '../stores/datasets.js';
import { newId } from '../stores/ids.js';
import type { TrainingJob } from '../stores/jobs.js';
import { readTestRows, scoreOn } from './evaluate-on-test.js';
import { runLocalTraining } from './local-training.js';
import { trainRemotelyInPlace } from './remote-training.js';

export interface AdHocOptions {
  datasetTag?: string;
  params?: Record<string, unknown>;
  register?: boolean;
  actor: string;
}

export interface AdHocResult {
  job: TrainingJob;
  metrics: Metrics;
  /** The champion scored on the same test split (null when the line has none yet). */
  champion: { version: number; metrics: Metrics } | null;
  /** The line's gate applied to the candidate against that champion (drift_share rules skipped). */
  gate: GateReport;
  version: ModelVersion | null;
}

export async function trainAdHoc(app: AppContext, model: string, options: AdHocOptions): Promise<AdHocResult> {
  const line = Object.hasOwn(app.config.models, model) ? app.config.models[model] : undefined;
  if (!line)
    throw new UsageError(
      `unknown model line "${model}": configured lines are ${Object.keys(app.config.models).join(', ')}`,
    );
  const found = options.datasetTag
    ? await findDataset(app.store, model, { tag: options.datasetTag })
    : await latestDataset(app.store, model);
  if (!found) {
    throw new NotFoundError(
      options.datasetTag
        ? `${model} has no dataset version ${options.datasetTag}: see \`refit datasets ${model}\``
        : `${model} has no dataset version yet: run \`refit datasets build ${model}\` first`,
    );
  }
  const dataset = await localVersion(app, line, found);
  const job = isRemote(line)
    ? await trainRemotelyInPlace(app, line, { dataset, key: newId('adhoc', app.clock.now()), params: options.params })
    : await runLocalTraining(app, line, { dataset, params: options.params });
  const test = readTestRows(dataset.location);
  const source = `test split of ${dataset.tag}`;
  const { metrics } = await scoreOn(app, line, job.outputDir, test, source);
  const current = await championVersion(app, model);
  const champion = current
    ? {
        version: current.version,
        metrics: (await scoreOn(app, line, await openArtifact(app, current), test, source)).metrics,
      }
    : null;
  const gate = adHocGate(line.gate, metrics, champion?.metrics ?? null);
  if (!options.register) return { job, metrics, champion, gate, version: null };
  const version = await registerVersion(app, {
    model,
    artifactPath: job.outputDir,
    registrationKey: job.id,
    datasetTag: job.datasetTag,
    metrics: metrics as unknown as Record<string, unknown>,
    params: job.params,
    lineage: {
      dataset: job.datasetTag,
      training_job: job.id,
      executor: job.executor,
      code_version: job.codeVersion,
      reported_metrics: job.reportedMetrics,
    },
    tags: { executor: job.executor },
    actor: options.actor,
  });
  return { job, metrics, champion, gate, version };
}

/** The gate without the run's drift check: drift_share rules are skipped, and said so. */
function adHocGate(rules: GateRule[], candidate: Metrics, champion: Metrics | null): GateReport {
  const why = "an ad hoc training has no new dataset to compare with the champion's";
  const { judged, skipped } = withoutDriftShare(rules, why);
  const report = evaluateGate(judged, metricLookup(candidate), champion ? metricLookup(champion) : null);
  return withChecks(report, skipped);
}
