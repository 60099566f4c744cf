/**
 * Prometheus text exposition of refit's state: runs by state, step durations, budget tokens,
 * champion versions, notifications by state, ingested events and served predictions.
 */
import { sql } from 'kysely';
import type { AppContext } from '../app-context.js';
import { checkBudget } from '../core/budget.js';
import { readDecisionFacts } from '../stores/decision-facts.js';

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export async function prometheusText(
  app: AppContext,
  counters: { ingested: number; requests: number; predictions: number },
): Promise<string> {
  const { db } = app.store;
  const lines: string[] = [];
  const metric = (
    name: string,
    help: string,
    type: 'gauge' | 'counter',
    samples: [Record<string, string>, number][],
  ) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of samples) {
      const l = Object.entries(labels)
        .map(([k, x]) => `${k}="${esc(x)}"`)
        .join(',');
      lines.push(`${name}${l ? `{${l}}` : ''} ${v}`);
    }
  };
  const runs = await db
    .selectFrom('runs')
    .select(['model', 'state', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['model', 'state'])
    .execute();
  metric(
    'refit_runs',
    'Runs by model line and state.',
    'gauge',
    runs.map((r) => [{ model: r.model, state: r.state }, Number(r.n)]),
  );
  // Finished steps: how many and how long, per step id (a summary: _count and _sum in seconds).
  const steps = await db
    .selectFrom('steps')
    .select([
      'step_id',
      'state',
      (eb) => eb.fn.countAll<number>().as('n'),
      sql<number>`SUM(finished_ms - started_ms)`.as('ms'),
    ])
    .where('finished_ms', 'is not', null)
    .groupBy(['step_id', 'state'])
    .execute();
  lines.push(
    '# HELP refit_step_duration_seconds Durations of finished run steps by step and outcome.',
    '# TYPE refit_step_duration_seconds summary',
  );
  for (const r of steps) {
    const l = `step="${esc(r.step_id)}",state="${esc(r.state)}"`;
    lines.push(
      `refit_step_duration_seconds_count{${l}} ${Number(r.n)}`,
      `refit_step_duration_seconds_sum{${l}} ${Number(r.ms) / 1000}`,
    );
  }
  const notes = await db
    .selectFrom('notifications')
    .select(['channel', 'state', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['channel', 'state'])
    .execute();
  metric(
    'refit_notifications',
    'Notifications by channel and delivery state.',
    'gauge',
    notes.map((r) => [{ channel: r.channel, state: r.state }, Number(r.n)]),
  );
  const now = app.clock.now();
  const tokens: [Record<string, string>, number][] = [];
  for (const line of Object.values(app.config.models)) {
    const facts = await readDecisionFacts(db, line.name, now);
    tokens.push([{ model: line.name }, checkBudget(line.budget, facts.budget, now, 0, false).tokens]);
  }
  metric('refit_budget_tokens', 'Retrain budget tokens available now.', 'gauge', tokens);
  const versions = await db
    .selectFrom('aliases')
    .select(['model', 'version'])
    .where('alias', '=', 'champion')
    .execute();
  metric(
    'refit_champion_version',
    'Version serving as champion.',
    'gauge',
    versions.map((v) => [{ model: v.model }, v.version]),
  );
  metric('refit_ingested_events_total', 'Events accepted over HTTP by this process.', 'counter', [
    [{}, counters.ingested],
  ]);
  metric('refit_predictions_served_total', 'Predictions answered by this process.', 'counter', [
    [{}, counters.predictions],
  ]);
  metric('refit_http_requests_total', 'HTTP requests served by this process.', 'counter', [[{}, counters.requests]]);
  return lines.join('\n') + '\n';
}
