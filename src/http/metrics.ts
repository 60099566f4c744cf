/**
 * `/metrics`: Prometheus exposition through prom-client — its default process metrics, the
 * counters of this process (ingested events, served predictions, HTTP requests), and gauges read
 * from the store at scrape time: runs by state, finished step durations, budget tokens, champion
 * versions, online accuracy per line and version, production drift share, dataset rows, and
 * notifications by channel and state. O(model lines) queries per scrape.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { AppContext } from '../app-context.js';
import { checkBudget } from '../core/budget.js';
import { allAliases } from '../stores/aliases.js';
import { latestDataset } from '../stores/datasets.js';
import { readDecisionFacts } from '../stores/decision-facts.js';
import { driftState, versionAccuracy } from '../stores/monitoring.js';
import { countDeliveries } from '../stores/notifications.js';
import { countRuns } from '../stores/runs.js';
import { stepDurations } from '../stores/steps.js';

export interface ProcessCounters {
  ingested: number;
  requests: number;
  predictions: number;
}

/** One registry per server: the process counters are read from `counters` at scrape time. */
export function metricsRegistry(app: AppContext, counters: ProcessCounters): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'refit_process_' });
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  counter('refit_ingested_events_total', 'Events accepted over HTTP by this process.', () => counters.ingested);
  counter('refit_predictions_served_total', 'Predictions answered by this process.', () => counters.predictions);
  counter('refit_http_requests_total', 'HTTP requests served by this process.', () => counters.requests);
  storeGauges(app, registry);
  return registry;
}

function gauge(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  fill: (g: Gauge) => Promise<void>,
) {
  return new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      await fill(this);
    },
  });
}

function storeGauges(app: AppContext, registry: Registry): void {
  const { store } = app;
  const lines = () => Object.values(app.config.models);
  gauge(registry, 'refit_runs', 'Runs by model line and state.', ['model', 'state'], async (g) => {
    for (const r of await countRuns(store)) g.set({ model: r.model, state: r.state }, r.n);
  });
  registry.registerMetric(stepDurationSummary(app) as never);
  gauge(registry, 'refit_budget_tokens', 'Retrain budget tokens available now.', ['model'], async (g) => {
    const now = app.clock.now();
    for (const line of lines()) {
      const facts = await readDecisionFacts(store, line.name, now);
      g.set({ model: line.name }, checkBudget(line.budget, facts.budget, now, 0, false).tokens);
    }
  });
  gauge(registry, 'refit_champion_version', 'Version serving as champion.', ['model'], async (g) => {
    for (const a of await allAliases(store)) if (a.alias === 'champion') g.set({ model: a.model }, a.version);
  });
  gauge(
    registry,
    'refit_online_accuracy',
    'Online accuracy of a version over its monitor window.',
    ['model', 'version'],
    async (g) => {
      const now = app.clock.now();
      for (const a of await allAliases(store)) {
        const line = app.config.models[a.model];
        if (!line || (a.alias !== 'champion' && a.alias !== 'previous')) continue;
        const acc = await versionAccuracy(store, a.model, a.version, line.monitor.window, now);
        if (acc.n > 0) g.set({ model: a.model, version: String(a.version) }, acc.correct / acc.n);
      }
    },
  );
  gauge(
    registry,
    'refit_drift_share',
    'Share of drifted input columns in production (last check).',
    ['model'],
    async (g) => {
      for (const line of lines()) {
        const d = await driftState(store, line.name);
        if (d) g.set({ model: line.name }, d.driftShare);
      }
    },
  );
  gauge(registry, 'refit_dataset_rows', 'Rows of the newest dataset version.', ['model'], async (g) => {
    for (const line of lines()) {
      const d = await latestDataset(store, line.name);
      if (d) g.set({ model: line.name }, d.numSamples);
    }
  });
  gauge(
    registry,
    'refit_notifications',
    'Notifications by channel and delivery state.',
    ['channel', 'state'],
    async (g) => {
      for (const n of await countDeliveries(store)) g.set({ channel: n.channel, state: n.state }, n.n);
    },
  );
}

const STEP_DURATION = 'refit_step_duration_seconds';

/**
 * Durations of finished run steps as a Prometheus summary (`_count` and `_sum` per step and
 * outcome), read from the store: prom-client's own Summary only counts what this process observed.
 */
function stepDurationSummary(app: AppContext) {
  return {
    name: STEP_DURATION,
    help: 'Durations of finished run steps by step and outcome.',
    type: 'summary',
    aggregator: 'sum',
    reset() {},
    async get() {
      const values = [];
      for (const s of await stepDurations(app.store)) {
        const labels = { step: s.step, state: s.state };
        values.push({ metricName: `${STEP_DURATION}_count`, labels, value: s.n });
        values.push({ metricName: `${STEP_DURATION}_sum`, labels, value: s.ms / 1000 });
      }
      return { name: STEP_DURATION, help: this.help, type: 'summary', aggregator: 'sum', values };
    },
  };
}
