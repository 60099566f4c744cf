/** `refit init`: scaffolds a working project in a folder — config, sample events, .gitignore, .env.example. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { sampleEvents } from './sample-events.js';

export const SAMPLE_CONFIG = `# refit.yaml — see https://github.com/refit/refit#configuration
# JSON Schema for editors: node_modules/refit/schema/refit.schema.json
version: 1
store: \${REFIT_STORE:-sqlite:./.refit/refit.db}

guards:
  max_runs_in_flight: 2          # across all model lines and instances

models:
  spam:
    task: text-classification
    labels: [ham, spam]
    evidence:
      min_reviewer_confidence: 0.7   # feedback from unsure reviewers is not evidence
      correct_ratio: 1.0             # correct rows sampled per misclassified row
      window: 500                    # online accuracy over the last 500 reviewed predictions
      baseline_accuracy: 0.95        # accuracy_drop is measured against this
      # external_count:              # a count from your own database (third seed)
      #   url: \${REVIEWS_DB_URL}
      #   query: SELECT count(*) FROM reviews WHERE predicted <> corrected AND model = 'spam'
    triggers:
      combine: any
      min_interval: 6h
      rules:
        - { signal: misclassified, op: ">=", value: 25 }
        - { signal: online_accuracy, op: "<", value: 0.8, consecutive: 3 }
        - { cron: "0 3 * * 1" }      # weekly refresh, Monday 03:00 UTC
    budget:
      capacity: 2
      refill: 1/12h
      cost: 1
      max_retrains_per_day: 2
    dataset:
      splits: { train: 0.6, eval: 0.1, test: 0.3 }   # a test split big enough to judge a candidate
    gate:                                              # what a candidate must pass to be promoted
      - { metric: f1_macro, min: 0.8 }               # value threshold (inclusive)
      - { metric: f1_macro, min_change: 0 }          # not worse than the champion on the same holdout
      - { metric: recall, class: spam, min: 0.7 }    # per-class floor: catch at least 70% of spam

  urgency:
    task: text-classification
    labels: [low, high]
    evidence:
      min_reviewer_confidence: 0.7
    triggers:
      rules:
        - { signal: dataset_len, op: ">=", value: 25 }
    budget:
      capacity: 1
      refill: 1/24h
    dataset:
      splits: { train: 0.6, eval: 0.1, test: 0.3 }
    gate:
      - { metric: accuracy, min: 0.75 }
      - { metric: accuracy, min_change: 0 }
      - { metric: recall, class: high, min: 0.8 }     # never miss most urgent tickets
`;

const GITIGNORE = `.refit/\n.env\n`;
const ENV_EXAMPLE = `# Copy to .env; values here are interpolated into refit.yaml as \${NAME}.\n# REFIT_STORE=postgres://refit:secret@127.0.0.1:5432/refit\n# REVIEWS_DB_URL=postgres://reader:secret@db.internal:5432/support\n`;

export interface InitResult {
  dir: string;
  written: string[];
}

export function initProject(dir: string, options: { force?: boolean } = {}): InitResult {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['refit.yaml', SAMPLE_CONFIG],
    [join('events', 'sample.ndjson'), sampleEvents().join('\n') + '\n'],
    ['.gitignore', GITIGNORE],
    ['.env.example', ENV_EXAMPLE],
  ];
  const clash = files.map(([f]) => f).filter((f) => existsSync(join(dir, f)));
  if (clash.length > 0 && !options.force) {
    throw new UsageError(
      `refusing to overwrite ${clash.join(', ')} in ${dir}: use an empty folder, or pass --force to overwrite`,
    );
  }
  mkdirSync(join(dir, 'events'), { recursive: true });
  for (const [f, content] of files) writeFileSync(join(dir, f), content);
  return { dir, written: files.map(([f]) => f) };
}
