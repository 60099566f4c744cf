/**
 * Replaying production through refit, in simulated time: a fresh project (SQLite in its folder),
 * the first champions trained from the initial examples, then every production request sent to
 * the prediction endpoint in time order (in process, through fastify's inject — the same routes
 * `refit serve` answers), reviewer feedback posted to /v1/feedback when it arrives, and one tick
 * (decide, advance runs, monitor, notify) per simulated day. What was served is scored against
 * the true labels as it happens; retrains, promotions, rejections and rollbacks are read back from
 * the store's decisions. The clock is a ManualClock: nothing waits for real unless `speed` asks.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { closeApp, openApp } from '../app.js';
import type { AppContext } from '../app-context.js';
import { ManualClock } from '../core/ports/clock.js';
import { buildServer } from '../http/server.js';
import { runTick, workerId } from '../pipeline/tick.js';
import { ServingRouter } from '../serving/router.js';
import { demoConfig, everyN, type Policy } from './project.js';
import type { ProductionEvent, Scenario } from './scenario.js';
import { injectionsFor, type Injection, type World } from './injections.js';
import { runState } from '../stores/runs.js';
import { LineTally, type LineStats } from './tally.js';

const DAY = 86_400_000;

export interface ReplayOptions {
  /** The demo folder (created; its store starts empty). */
  dir: string;
  scenario: Scenario;
  /** Default "refit": the config's triggers and budget. */
  policy?: Policy;
  /** Simulated milliseconds per real millisecond; null (default) as fast as the machine allows. */
  speed?: number | null;
  /** Default one simulated day. */
  tickEveryMs?: number;
  /** The deliberately bad configurations of the demo (default true; the benchmark turns them off). */
  injections?: boolean;
  onPhase?(phase: string, total: number): void;
  onProgress?(done: number): void;
  /** Something worth telling a person as it happens (an injection, a retrain's outcome), at its simulated time. */
  onNote?(text: string, atMs: number): void;
}

export interface ReplayResult {
  policy: Policy;
  startMs: number;
  endMs: number;
  lines: Record<string, LineStats>;
  elapsedMs: number;
}

interface Replay {
  app: AppContext;
  clock: ManualClock;
  server: FastifyInstance;
  serving: ServingRouter;
  token: string;
  owner: string;
  o: ReplayOptions;
  tallies: Map<string, LineTally>;
  world: World;
  /** Feedback waiting for its time, in time order. */
  pending: ProductionEvent[];
  /** Production events served per line (for every:N). */
  served: Map<string, number>;
  /** Injected faults still in force, each until the runs it parked have ended. */
  faults: { runs: string[]; restore(): void }[];
}

export async function replay(o: ReplayOptions): Promise<ReplayResult> {
  const started = Date.now();
  const policy = o.policy ?? 'refit';
  mkdirSync(o.dir, { recursive: true });
  const world: World = { healthy: true };
  const health = o.injections === false ? null : await healthServer(world);
  const { yaml, token } = demoConfig(policy, health?.url ?? null);
  writeFileSync(join(o.dir, 'refit.yaml'), yaml);
  const clock = new ManualClock(o.scenario.startMs - DAY);
  const app = await openApp({ cwd: o.dir, env: { REFIT_STORE: '' }, clock });
  const serving = new ServingRouter(app);
  const owner = workerId();
  const server = buildServer(app, { owner, serialize: (fn) => fn(), serving, servingPollMs: 3_600_000 });
  await server.ready();
  const lines = Object.keys(app.config.models);
  const tallies = new Map(lines.map((m) => [m, new LineTally(m)]));
  const r: Replay = {
    app,
    clock,
    server,
    serving,
    token,
    owner,
    o,
    tallies,
    world,
    pending: [],
    served: new Map(),
    faults: [],
  };
  try {
    await firstChampions(r);
    await produce(r);
    const stats = await Promise.all([...tallies.values()].map((t) => t.finish(app)));
    return {
      policy,
      startMs: o.scenario.startMs,
      endMs: o.scenario.endMs,
      lines: Object.fromEntries(stats.map((s) => [s.model, s])),
      elapsedMs: Date.now() - started,
    };
  } finally {
    await server.close();
    await closeApp(app);
    await health?.close();
  }
}

/** The weather line's serving host, as far as its health check goes (loopback, answered by the demo). */
async function healthServer(world: World): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.writeHead(world.healthy ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: world.healthy ? 'ok' : 'down' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/health/weather`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function post(r: Replay, url: string, payload: unknown) {
  const res = await r.server.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${r.token}`, 'content-type': 'application/json' },
    payload: JSON.stringify(payload),
  });
  if (res.statusCode >= 300) throw new Error(`POST ${url} → ${res.statusCode}: ${res.body.slice(0, 300)}`);
  return res.json() as Record<string, unknown>;
}

/** The initial examples go in through the ingestion route (in batches under the body limit), then one forced tick. */
async function firstChampions(r: Replay): Promise<void> {
  const { initial } = r.o.scenario;
  r.o.onPhase?.('first champions', initial.length);
  let batch: unknown[] = [];
  let bytes = 0;
  let done = 0;
  const flush = async () => {
    if (batch.length) await post(r, '/v1/feedback', { events: batch });
    done += batch.length;
    r.o.onProgress?.(done);
    batch = [];
    bytes = 0;
  };
  for (const e of initial) {
    const wire = {
      type: 'example',
      id: e.id,
      model: e.model,
      input: e.input,
      label: e.label,
      ts: new Date(e.tsMs).toISOString(),
    };
    const size = JSON.stringify(wire).length;
    if (bytes + size > 700_000) await flush();
    batch.push(wire);
    bytes += size;
  }
  await flush();
  const lines = Object.keys(r.app.config.models);
  const tick = await runTick(r.app, { dryRun: false, actor: 'demo', owner: r.owner, advanceMs: 0, force: lines });
  await r.serving.refresh();
  for (const run of tick.runs) note(r, `${run.model}: first champion — ${run.outcome}`);
  const failed = tick.runs.filter((x) => x.state !== 'succeeded');
  if (failed.length) throw new Error(`the first champions did not train: ${failed.map((x) => x.outcome).join('; ')}`);
}

/** Serves the stream in time order, with feedback, ticks and injections at their times. */
async function produce(r: Replay): Promise<void> {
  const { stream, startMs, endMs } = r.o.scenario;
  const tickEvery = r.o.tickEveryMs ?? DAY;
  const injections: Injection[] = r.o.injections === false ? [] : injectionsFor(startMs, endMs);
  r.o.onPhase?.('replaying production', stream.length);
  let nextTick = startMs;
  let real = Date.now();
  for (const [i, e] of stream.entries()) {
    while (nextTick <= e.atMs) {
      await moveTo(r, nextTick, real);
      real = Date.now();
      await deliverFeedback(r, nextTick);
      for (const inj of injections.filter((x) => !x.done && x.atMs <= nextTick)) await inject(r, inj);
      await tick(r);
      nextTick += tickEvery;
    }
    r.clock.set(e.atMs);
    await serve(r, e);
    if ((i & 63) === 0) r.o.onProgress?.(i + 1);
  }
  r.o.onProgress?.(stream.length);
  await moveTo(r, endMs, real);
  await deliverFeedback(r, endMs);
  await tick(r);
}

/** Moves the clock; with a `speed`, first waits the real time that much simulated time takes. */
async function moveTo(r: Replay, ms: number, lastReal: number): Promise<void> {
  const speed = r.o.speed ?? null;
  if (speed && ms > r.clock.now()) {
    const wait = (ms - r.clock.now()) / speed - (Date.now() - lastReal);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 5000)));
  }
  r.clock.set(Math.max(r.clock.now(), ms));
}

async function serve(r: Replay, e: ProductionEvent): Promise<void> {
  const answer = await post(r, `/v1/models/${e.model}/predict`, { input: e.input });
  const [p] = answer.predictions as { id: string; prediction: string }[];
  r.tallies.get(e.model)!.served(e.atMs, String(p!.prediction) === e.label);
  if (e.feedbackAtMs !== null) r.pending.push({ ...e, key: p!.id, feedbackAtMs: e.feedbackAtMs });
  const n = (r.served.get(e.model) ?? 0) + 1;
  r.served.set(e.model, n);
  const every = everyN(r.o.policy ?? 'refit');
  if (every && n % every === 0) r.tallies.get(e.model)!.forceNext = true;
}

/** Reviewer feedback whose time has come, in one batch through the ingestion route. */
async function deliverFeedback(r: Replay, nowMs: number): Promise<void> {
  const due = r.pending.filter((f) => f.feedbackAtMs! <= nowMs);
  if (due.length === 0) return;
  r.pending = r.pending.filter((f) => f.feedbackAtMs! > nowMs);
  const events = due.map((f) => ({
    type: 'feedback',
    prediction_id: f.key,
    model: f.model,
    label: f.label,
    reviewer_confidence: 0.9,
    ts: new Date(f.feedbackAtMs!).toISOString(),
  }));
  for (let i = 0; i < events.length; i += 500) await post(r, '/v1/feedback', { events: events.slice(i, i + 500) });
}

async function tick(r: Replay): Promise<void> {
  await endFaults(r);
  const force = [...r.tallies.values()].filter((t) => t.forceNext).map((t) => t.model);
  for (const t of r.tallies.values()) t.forceNext = false;
  const result = await runTick(r.app, { dryRun: false, actor: 'demo', owner: r.owner, advanceMs: 0, force });
  await r.serving.refresh();
  for (const run of result.runs) note(r, `${run.model}: ${run.state} — ${run.outcome}`);
  for (const m of result.monitored) {
    if (m.action !== 'none') note(r, `${m.model}: monitor ${m.action.replace('_', ' ')} — ${m.reason}`);
  }
}

async function inject(r: Replay, inj: Injection): Promise<void> {
  inj.done = true;
  note(r, `injecting ${inj.describe}`);
  const restore = inj.apply(r.app, r.world);
  r.tallies.get(inj.model)!.mark(r.clock.now(), 'injected', inj.short);
  const force = [inj.model];
  const result = await runTick(r.app, { dryRun: false, actor: 'demo', owner: r.owner, advanceMs: 0, force });
  await r.serving.refresh();
  for (const run of result.runs) note(r, `${run.model}: ${run.state} — ${run.outcome}`);
  // A run the fault parked (waiting for a health check) is left to later ticks, still under the fault.
  const parked = result.runs.filter((x) => x.state === 'waiting').map((x) => x.runId);
  if (parked.length) r.faults.push({ runs: parked, restore });
  else restore();
}

/** Lifts the faults whose parked runs have ended (after the tick that ended them). */
async function endFaults(r: Replay): Promise<void> {
  const still: Replay['faults'] = [];
  for (const f of r.faults) {
    const states = await Promise.all(f.runs.map((id) => runState(r.app.store, id)));
    if (states.some((s) => s === 'queued' || s === 'running' || s === 'waiting')) still.push(f);
    else f.restore();
  }
  r.faults = still;
}

function note(r: Replay, text: string): void {
  r.o.onNote?.(text, r.clock.now());
}
