/**
 * The demo's production, replayed in time order: two model lines on real data.
 *  - spam: the first champion learns from easy-ham-1 and spam-1; production then serves the rest
 *    of the corpus — easy-ham-2, and increasingly hard-ham-1 and spam-2, whose spam is of a later
 *    vintage: real concept drift. Reviewers label 60% of the served mail, one to three days late.
 *  - weather: the first champion learns from 2012; production predicts each day of 2013–2015 from
 *    that day's measurements, the observed weather arriving the next day: the seasons, and the
 *    dataset's own shift in how days were labelled, are real drift.
 * Deterministic: the same seed gives the same stream.
 */
import type { ExampleEvent } from '../core/glossary.js';
import { mulberry32 } from '../datasets/random.js';
import { seattleWeather, spamAssassin, type Email } from './corpus.js';

const DAY = 86_400_000;

/** One production request: served at `atMs`, its true label known at `feedbackAtMs` (or never). */
export interface ProductionEvent {
  key: string;
  model: 'spam' | 'weather';
  atMs: number;
  input: Record<string, unknown>;
  label: string;
  feedbackAtMs: number | null;
}

export interface Scenario {
  startMs: number;
  endMs: number;
  /** Labelled examples the first champions learn from (ingested at start). */
  initial: ExampleEvent[];
  stream: ProductionEvent[];
}

export const DEMO_START = Date.parse('2013-01-01T00:00:00Z');
export const DEMO_END = Date.parse('2016-01-01T00:00:00Z');

export interface ScenarioOptions {
  /** Default 7. */
  seed?: number;
  /** One simulated year and a third of the mail instead of three years (a first look, a CI check). */
  quick?: boolean;
}

export function buildScenario(options: ScenarioOptions = {}): Scenario {
  const random = mulberry32(options.seed ?? 7);
  const endMs = options.quick ? Date.parse('2014-01-01T00:00:00Z') : DEMO_END;
  const mails = options.quick ? spamAssassin().filter(() => random() < 1 / 3) : spamAssassin();
  const spam = spamStream(mails, random, endMs);
  const weather = weatherStream(endMs);
  const stream = [...spam.stream, ...weather.stream].sort((a, b) => a.atMs - b.atMs || (a.key < b.key ? -1 : 1));
  return { startMs: DEMO_START, endMs, initial: [...spam.initial, ...weather.initial], stream };
}

function spamStream(mails: Email[], random: () => number, endMs: number) {
  const first = mails.filter((m) => m.group === 'easy-ham-1' || m.group === 'spam-1');
  const initial: ExampleEvent[] = first.map((m) => ({
    type: 'example',
    id: m.key,
    model: 'spam',
    input: { text: m.text },
    label: m.label,
    tsMs: DEMO_START - DAY,
  }));
  const later = mails.filter((m) => m.group !== 'easy-ham-1' && m.group !== 'spam-1');
  // When each mail arrives, as a share of the replay: hard ham late (the drift), the rest spread.
  const placed = later.map((m) => {
    const u = random();
    const at = m.group === 'hard-ham-1' ? 0.35 + 0.65 * u : m.group === 'spam-2' ? Math.sqrt(u) : u;
    return { m, at };
  });
  placed.sort((a, b) => a.at - b.at);
  const span = endMs - DEMO_START - 7 * DAY;
  const stream: ProductionEvent[] = placed.map(({ m, at }) => {
    const atMs = DEMO_START + Math.floor(at * span);
    const reviewed = random() < 0.6;
    const delay = DAY + Math.floor(random() * 2 * DAY);
    return {
      key: m.key,
      model: 'spam',
      atMs,
      input: { text: m.text },
      label: m.label,
      feedbackAtMs: reviewed ? atMs + delay : null,
    };
  });
  return { initial, stream };
}

const features = (d: { precipitation: number; temp_max: number; temp_min: number; wind: number }) => ({
  precipitation: d.precipitation,
  temp_max: d.temp_max,
  temp_min: d.temp_min,
  wind: d.wind,
});

function weatherStream(endMs: number) {
  const last = new Date(endMs).toISOString().slice(0, 10);
  const days = seattleWeather();
  const initial: ExampleEvent[] = days
    .filter((d) => d.date < '2013-01-01')
    .map((d) => ({
      type: 'example',
      id: d.date,
      model: 'weather',
      input: features(d),
      label: d.weather,
      tsMs: Date.parse(`${d.date}T12:00:00Z`),
    }));
  const stream: ProductionEvent[] = days
    .filter((d) => d.date >= '2013-01-01' && d.date < last)
    .map((d) => {
      const atMs = Date.parse(`${d.date}T18:00:00Z`);
      return {
        key: d.date,
        model: 'weather',
        atMs,
        input: features(d),
        label: d.weather,
        feedbackAtMs: atMs + DAY / 2,
      };
    });
  return { initial, stream };
}
