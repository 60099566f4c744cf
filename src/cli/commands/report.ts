/**
 * `refit report [RUN] [--format md|html|json] [--model M] [--output FILE]`: a run's story on one
 * page (the latest run without RUN) — decision, dataset and validation, training, candidate vs
 * champion, gate, approval, deployment, verification, and the line's accuracy chart.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { runHtml } from '../../report/run-report-html.js';
import { runMarkdown } from '../../report/run-report-md.js';
import { readRunStory } from '../../report/run-story.js';
import type { CliContext } from '../context.js';

type Format = 'md' | 'html' | 'json';

export function registerReport(program: Command, ctx: CliContext): void {
  program
    .command('report')
    .description("a run's story on one page: decision, dataset, training, candidate vs champion, gate, deploy, chart")
    .argument('[run]', 'run id (default: the latest run)')
    .addOption(
      new Option('--format <format>', 'md (GitHub Markdown), html (self-contained) or json')
        .choices(['md', 'html', 'json'])
        .default('md'),
    )
    .option('--model <model>', 'without RUN: the latest run of this model line')
    .option('-o, --output <file>', 'write the report to FILE instead of stdout')
    .action(async (run: string | undefined, opts: { format: Format; model?: string; output?: string }) => {
      const story = await ctx.withApp((app) => readRunStory(app, run, opts.model));
      const markdown = runMarkdown(story);
      const text =
        opts.format === 'html'
          ? runHtml(story)
          : opts.format === 'json'
            ? JSON.stringify(story, null, 2) + '\n'
            : markdown;
      if (opts.output) {
        const file = resolve(ctx.io.cwd, opts.output);
        writeFileSync(file, text);
        ctx.reporter().report({
          kind: 'message',
          text: `wrote the report of ${story.run.id} to ${file}`,
          data: { run: story.run.id, file },
        });
        return;
      }
      ctx.reporter().report({ kind: 'run-report', story, text, markdown });
    });
}
