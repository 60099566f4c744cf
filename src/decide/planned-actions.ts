/**
 * What a retrain of a model line will do, concretely — which Space is restarted, which URL is
 * polled for which size, where training runs, where the version goes — so a dry run (`plan`,
 * `DRY_RUN=true`) names the actions it would take and a real run shows them before it starts.
 * Secret URLs are shown by host only.
 */
import { formatDuration } from '../core/duration.js';
import type { Signals } from '../core/glossary.js';
import type { ModelLineConfig } from '../config/config.js';
import type { AppContext } from '../app-context.js';
import { describePreparer, metadataUrl } from '../datasets/external/metadata-source.js';

const host = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
};

export function plannedActions(app: AppContext, line: ModelLineConfig, signals: Signals): string[] {
  return [
    ...prepareActions(app, line, signals),
    trainAction(line),
    evaluateAction(line),
    gateAction(line),
    registerAction(line),
    ...approvalAction(line),
    ...deployActions(line),
    notifyAction(app),
  ];
}

function prepareActions(app: AppContext, line: ModelLineConfig, s: Signals): string[] {
  const p = line.prepare;
  if (p.kind === 'builtin') {
    const out = [
      `build a dataset version from ${s.misclassified} misclassified, ${s.sampled_correct} sampled correct ` +
        `and ${s.new_examples} new example row(s) (${line.dataset.mode})`,
    ];
    if (line.hub.datasetRepo) out.push(`push it to the Hugging Face dataset repo ${line.hub.datasetRepo}`);
    return out;
  }
  const required = Math.max(1, s.dataset_len);
  const every = formatDuration(p.poll.interval);
  const upTo = formatDuration(p.poll.timeout);
  return [
    describePreparer(p).replace(/^./, (c) => c.toUpperCase()),
    `poll ${metadataUrl(p, app.config)} every ${every} (up to ${upTo}) until num_samples >= ${required} and version_tag changes`,
    "fetch the new version's split files beside it and verify their sha256",
  ];
}

function trainAction(line: ModelLineConfig): string {
  const t = line.train;
  switch (t.executor) {
    case 'builtin':
      return `train in process with the built-in trainer${Object.keys(t.params).length ? ` (params ${JSON.stringify(t.params)})` : ''}`;
    case 'command':
      return `train with the command \`${t.command!.join(' ')}\``;
    case 'http':
      return `submit a training job to ${t.http!.url}`;
    case 'github':
      return `dispatch the workflow ${t.github!.workflow} in ${t.github!.repo}@${t.github!.ref} and take its artifact "${t.github!.artifact}"`;
    case 'hf-space':
      return `set REFIT_* variables on the Space ${t.hfSpace!.space}, restart it, and wait for a new commit on ${t.hfSpace!.modelRepo}`;
    case 'kubernetes': {
      const k = t.kubernetes!;
      const where = `${k.namespace}${k.queue ? ` through the Kueue queue ${k.queue}` : ''}`;
      return `upload the version to S3 and create a batch/v1 Job running ${k.image} in namespace ${where}`;
    }
  }
}

function evaluateAction(line: ModelLineConfig): string {
  const by = line.train.predictCommand ? ` with \`${line.train.predictCommand.join(' ')}\`` : '';
  return `score the candidate and the champion${by} on the version's test split`;
}

function gateAction(line: ModelLineConfig): string {
  if (line.gate.length === 0 && line.businessRules.length === 0) {
    return 'gate: none configured — every candidate would be blessed';
  }
  return `gate: ${line.gate.length} rule(s), ${line.businessRules.length} business rule(s)`;
}

function registerAction(line: ModelLineConfig): string {
  const hub = line.hub.modelRepo ? ` and push it to ${line.hub.modelRepo}` : '';
  return `register the blessed candidate as a new version${hub}`;
}

function approvalAction(line: ModelLineConfig): string[] {
  if (line.deploy.approval !== 'required') return [];
  return ["wait for a person's approval (`refit approve RUN` or POST /v1/runs/RUN/approve) before promoting"];
}

function deployActions(line: ModelLineConfig): string[] {
  const d = line.deploy;
  const target =
    d.target === 'serve'
      ? "promote it to champion on refit's own serving"
      : d.target === 'webhook'
        ? `promote it and POST a signed deploy webhook to ${host(d.url!.value)}`
        : `promote it and restart the inference Space ${d.space}`;
  const v = d.verify;
  const health = v.healthUrl ? `wait for ${v.healthUrl} to answer 2xx (up to ${formatDuration(v.timeout)}), ` : '';
  const verify = `${health}send ${v.sanityRequests} sanity request(s); roll back to the previous champion if they disagree`;
  return [target, verify];
}

function notifyAction(app: AppContext): string {
  const kinds = app.config.notify.map((c) => c.kind);
  return kinds.length ? `tell people via ${kinds.join(', ')}` : 'tell nobody (no notify channels configured)';
}
