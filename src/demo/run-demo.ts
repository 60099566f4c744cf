/**
 * `refit demo [DIR]`: the main job — production replayed on real data through refit (replay.ts),
 * then the HTML report and its chart written into the folder. Returns what the CLI prints.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { Policy } from './project.js';
import { replay, type ReplayOptions, type ReplayResult } from './replay.js';
import { replayChart, replayHtml } from './report.js';
import { buildScenario } from './scenario.js';

export interface DemoOptions extends Pick<ReplayOptions, 'speed' | 'onPhase' | 'onProgress' | 'onNote'> {
  policy?: Policy;
  /** Start over in a folder that already holds a demo. Default false. */
  fresh?: boolean;
  /** One simulated year and a third of the mail (a first look, a CI check). Default false. */
  quick?: boolean;
}

export interface DemoResult extends ReplayResult {
  /** The HTML report and the chart (SVG). */
  report: string;
  chart: string;
  notes: { atMs: number; text: string }[];
}

export async function runDemo(dir: string, options: DemoOptions = {}): Promise<DemoResult> {
  if (existsSync(join(dir, '.refit'))) {
    if (!options.fresh) {
      throw new UsageError(
        `${dir} already holds a demo (.refit/): pass --fresh to start it over, or name another folder`,
      );
    }
    rmSync(join(dir, '.refit'), { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  const notes: { atMs: number; text: string }[] = [];
  const scenario = buildScenario({ quick: options.quick });
  const result = await replay({
    ...options,
    dir,
    scenario,
    onNote(text, atMs) {
      notes.push({ atMs, text });
      options.onNote?.(text, atMs);
    },
  });
  const report = join(dir, 'refit-demo-report.html');
  const chart = join(dir, 'refit-demo-accuracy.svg');
  writeFileSync(report, replayHtml(result, notes));
  writeFileSync(chart, replayChart(result));
  return { ...result, report, chart, notes };
}
