/**
 * The Action's contract in one place: the input names of action.yml and the output names it
 * sets (per model line `<model>-<suffix>`, and `decisions`). action.yml is checked against these
 * by a test, so the two cannot drift apart.
 */

export const INPUT = {
  command: 'command',
  config: 'config',
  models: 'models',
  args: 'args',
  dryRun: 'dry-run',
  wait: 'wait',
  store: 'store',
  githubToken: 'github-token',
  commentOnPr: 'comment-on-pr',
  workingDirectory: 'working-directory',
} as const;

/** The commands the Action runs (the CLI verbs of the same name). */
export const COMMANDS = ['plan', 'run', 'report', 'ingest', 'evaluate', 'train', 'approve', 'reject'] as const;
export type ActionCommand = (typeof COMMANDS)[number];

/** Per model line: `${model}-${suffix}`. */
export const LINE_OUTPUT = {
  decision: 'decision',
  reason: 'reason',
  run: 'run',
  state: 'state',
  outcome: 'outcome',
  version: 'version',
  blessed: 'blessed',
  metrics: 'metrics',
  tokens: 'tokens',
} as const;

export const OUTPUT = {
  /** JSON: per model line {decision, run, reason, state, outcome}. */
  decisions: 'decisions',
  /** The Markdown report of the runs (what the job summary and the PR comment show). */
  report: 'report',
  /** URL of the pull-request comment, when one was written. */
  commentUrl: 'comment-url',
  /** ingest: rows accepted and rejected. */
  accepted: 'accepted',
  rejected: 'rejected',
  /** drift: whether the dataset drifted; datasets build: the version built. */
  datasetDrift: 'dataset-drift',
  datasetVersion: 'dataset-version',
} as const;

export function lineOutput(model: string, suffix: (typeof LINE_OUTPUT)[keyof typeof LINE_OUTPUT]): string {
  return `${model}-${suffix}`;
}

/** The hidden line that marks refit's pull-request comment, so later runs update it in place. */
export const COMMENT_MARKER = '<!-- refit-report -->';
