/**
 * `refit demo [DIR]`: the main job on the embedded default — three years of production replayed
 * on real data through refit (SQLite in DIR), with a progress bar per phase on stderr, what
 * happens said as it happens, then a summary table (or `--json`) and the HTML report's path.
 */
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { parseDuration } from '../../core/duration.js';
import { UsageError } from '../../core/errors.js';
import { parsePolicy, POLICIES_HELP } from '../../demo/project.js';
import { runDemo, type DemoResult } from '../../demo/run-demo.js';
import type { CliContext } from '../context.js';

interface DemoFlags {
  speed?: string;
  fresh?: boolean;
  quick?: boolean;
  policy: string;
}

/** "1d" → one simulated day per real second (simulated ms per real ms). */
function speedOf(text: string | undefined): number | null {
  if (text === undefined || text === 'max') return null;
  const perSecond = parseDuration(text);
  if (perSecond === null || perSecond <= 0) {
    throw new UsageError(`--speed expects simulated time per real second, e.g. 1d or 12h (or max), got "${text}"`);
  }
  return perSecond / 1000;
}

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(
      'replay three years of production on real data (SpamAssassin, seattle-weather) through refit, and report',
    )
    .argument('[dir]', 'demo folder', 'refit-demo')
    .option('--speed <time>', 'simulated time per real second, e.g. 1d (default: as fast as the machine allows)')
    .option('--fresh', 'start over in a folder that already holds a demo')
    .option('--quick', 'one simulated year and a third of the mail (about a third of the time)')
    .option('--policy <policy>', `retrain policy: ${POLICIES_HELP}`, 'refit')
    .action(async (dir: string, flags: DemoFlags) => {
      const speed = speedOf(flags.speed);
      const policy = parsePolicy(flags.policy);
      const json = ctx.globals().json === true;
      const progress = progressOn(ctx.io.stderr as NodeJS.WriteStream);
      const say = (text: string) => (json ? progress.note(text) : progress.note(text, ctx.io.stdout));
      const result = await runDemo(resolve(ctx.io.cwd, dir), {
        speed,
        policy,
        fresh: flags.fresh,
        quick: flags.quick,
        onPhase: (phase, total) => progress.phase(phase, total),
        onProgress: (done) => progress.update(done),
        onNote: (text, atMs) => say(`${new Date(atMs).toISOString().slice(0, 10)}  ${text}`),
      });
      progress.stop();
      if (json) return void ctx.io.stdout.write(JSON.stringify(jsonOf(result), null, 2) + '\n');
      ctx.io.stdout.write(summary(result) + '\n');
    });
}

function jsonOf(r: DemoResult) {
  const lines = Object.fromEntries(
    Object.values(r.lines).map((l) => [
      l.model,
      {
        retrains: l.retrains,
        promotions: l.promotions,
        rejections: l.rejections,
        rollbacks: l.rollbacks,
        served: l.served,
        mean_accuracy: l.meanAccuracy,
        accuracy: l.accuracy.map((p) => ({
          week: new Date(p.atMs).toISOString().slice(0, 10),
          served: p.served,
          accuracy: p.accuracy,
        })),
      },
    ]),
  );
  return { lines, report: r.report, chart: r.chart, elapsed_s: Math.round(r.elapsedMs / 1000) };
}

function summary(r: DemoResult): string {
  const t = new Table({
    head: [
      'line',
      'served',
      'accuracy',
      'first 8 weeks',
      'last 8 weeks',
      'retrains',
      'promotions',
      'rejections',
      'rollbacks',
    ],
    style: { head: [], border: [] },
  });
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const span = (points: { served: number; accuracy: number }[]) => {
    const served = points.reduce((s, p) => s + p.served, 0);
    return served ? pct(points.reduce((s, p) => s + p.accuracy * p.served, 0) / served) : '—';
  };
  for (const l of Object.values(r.lines)) {
    const first = span(l.accuracy.slice(0, 8));
    const last = span(l.accuracy.slice(-8));
    t.push([l.model, l.served, pct(l.meanAccuracy), first, last, l.retrains, l.promotions, l.rejections, l.rollbacks]);
  }
  const seconds = (r.elapsedMs / 1000).toFixed(0);
  return `\n${t.toString()}\n\nreplayed in ${seconds} s · report: ${r.report}\n(chart: ${r.chart})`;
}

/** A progress bar per phase on a terminal; phase lines otherwise. Notes go above the bar. */
function progressOn(stream: NodeJS.WriteStream) {
  const tty = stream.isTTY === true;
  let bar: cliProgress.SingleBar | null = null;
  let name = '';
  return {
    phase(phase: string, total: number) {
      bar?.stop();
      name = phase;
      if (!tty) return void stream.write(`${phase} (${total})\n`);
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${phase.padEnd(22)} [{bar}] {percentage}% · {value}/{total}`,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    update(done: number) {
      bar?.update(done);
    },
    note(text: string, out: NodeJS.WritableStream = stream) {
      if (tty && bar && out === stream) {
        stream.write('\r\x1b[K' + text + '\n');
        bar.render();
      } else if (tty && bar) {
        stream.write('\r\x1b[K');
        out.write(text + '\n');
        bar.render();
      } else out.write(text + '\n');
    },
    stop() {
      bar?.stop();
      if (!tty && name) stream.write('done\n');
    },
  };
}
