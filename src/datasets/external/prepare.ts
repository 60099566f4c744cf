/**
 * External dataset preparation as a durable state machine in the store, advanced one step per
 * call (one tick) — polling never holds a process:
 *   pending  → read the current version_tag (stored before triggering), trigger the preparer once
 *   waiting  → at its next check time, read dataset_metadata.json; done when
 *              num_samples >= required and version_tag differs from the stored one
 *   succeeded | failed (auth, a refused trigger, or the timeout) — with the reason in words.
 * 429/5xx/network errors back off (Retry-After honoured, exponential up to max_backoff).
 */
import type { AppContext } from '../../app-context.js';
import { UsageError } from '../../core/errors.js';
import { formatDuration } from '../../core/duration.js';
import type { ModelLineConfig, PreparePolicy } from '../../config/config.js';
import { redact } from '../../config/secrets.js';
import {
  claimTrigger,
  findPreparation,
  openPreparation,
  updatePreparation,
  type Preparation,
  type PreparationUpdate,
} from '../../stores/preparations.js';
import { describePreparer, metadataUrl, readMetadata, type MetadataRead } from './metadata-source.js';
import { triggerPreparer } from './trigger.js';
import { found } from '../../stores/lost-write.js';

export type { Preparation };

/** One call's view: the line, its policy, the time, and how to record a change. */
interface Pass {
  app: AppContext;
  line: ModelLineConfig;
  policy: PreparePolicy;
  key: string;
  now: number;
  prep: Preparation;
  update(u: PreparationUpdate, log?: 'info' | 'warn' | 'error'): Promise<Preparation>;
}

/**
 * Advances the preparation `key` of `model` by one step and returns its state. The first call
 * creates it with `required` samples.
 */
export async function advancePreparation(app: AppContext, model: string, key: string, required: number) {
  const line = app.config.models[model];
  if (!line) throw new UsageError(`unknown model line "${model}"`);
  const policy = line.prepare;
  if (policy.kind === 'builtin') {
    throw new UsageError(`model line "${model}" prepares its datasets itself (prepare.kind: builtin)`);
  }
  const now = app.clock.now();
  const deadlineMs = now + policy.poll.timeout;
  const prep = await openPreparation(app.store, { key, model, required, nowMs: now, deadlineMs });
  const log = app.logger.child({ model, step: 'prepare' });
  const secrets = [...app.config.secretValues, ...(policy.token ? [policy.token.value] : [])];
  const pass: Pass = {
    app,
    line,
    policy,
    key,
    now,
    prep,
    async update(u, level) {
      if (u.status) u.status = redact(u.status, secrets);
      pass.prep = await updatePreparation(app.store, key, u, now);
      if (level && pass.prep.status) log[level](pass.prep.status);
      return pass.prep;
    },
  };
  if (prep.state === 'succeeded' || prep.state === 'failed') return prep;
  if (now < prep.nextCheckMs) return prep;
  if (now >= prep.deadlineMs) return pass.update({ state: 'failed', status: timeoutMessage(prep, policy) }, 'warn');
  return prep.state === 'pending' ? triggerOnce(pass) : checkOnce(pass);
}

/** pending: record the version there is now, then trigger the preparer — once, whoever claims it. */
async function triggerOnce(pass: Pass): Promise<Preparation> {
  const { app, policy, prep, now } = pass;
  if (!prep.baselineRead) {
    const before = await readMetadata(policy, app.config, now);
    if (before.kind === 'metadata') {
      const m = before.metadata;
      const status = `current version ${m.version_tag} (${m.num_samples} samples) recorded before triggering`;
      await pass.update({ baselineRead: true, lastSeenTag: m.version_tag, status });
    } else if (before.kind === 'not_found') {
      await pass.update({
        baselineRead: true,
        lastSeenTag: null,
        status: 'no dataset_metadata.json yet; any version will be new',
      });
    } else {
      return failOrRetry(pass, before, 'reading the current version before triggering');
    }
  }
  if (!(await claimTrigger(app.store, pass.key, now, now + policy.poll.interval))) {
    return found(await findPreparation(app.store, pass.key), `preparation ${pass.key}`);
  }
  const res = await triggerPreparer(
    policy,
    { config: app.config, model: pass.line.name, key: pass.key, required: prep.required },
    now,
  );
  const what = describePreparer(policy);
  if (res.kind !== 'ok') return pass.update({ state: 'failed', status: `${what} failed: ${res.message}` }, 'error');
  const status =
    `${what} triggered; polling ${metadataUrl(policy, app.config)} every ${formatDuration(policy.poll.interval)} ` +
    `for num_samples >= ${prep.required} and a version other than ${pass.prep.lastSeenTag ?? '(none)'}`;
  return pass.update({ triggerConfirmedMs: now, status }, 'info');
}

/** waiting: one metadata check. */
async function checkOnce(pass: Pass): Promise<Preparation> {
  const { app, policy, prep, now } = pass;
  const read = await readMetadata(policy, app.config, now);
  const checks = prep.checks + 1;
  const next = now + policy.poll.interval;
  if (read.kind === 'metadata') {
    const m = read.metadata;
    const isNew = m.version_tag !== prep.lastSeenTag;
    if (isNew && m.num_samples >= prep.required) {
      const status = `new version ${m.version_tag} with ${m.num_samples} samples (>= ${prep.required}) after ${checks} check(s)`;
      return pass.update({ state: 'succeeded', checks, errorsInRow: 0, metadata: m, status }, 'info');
    }
    const why = !isNew
      ? `still version ${m.version_tag}`
      : `version ${m.version_tag} has ${m.num_samples} samples, fewer than ${prep.required}`;
    const status = `current_len=${m.num_samples} required_len=${prep.required} version=${m.version_tag}: ${why}`;
    return pass.update({ checks, errorsInRow: 0, nextCheckMs: next, status }, 'info');
  }
  if (read.kind === 'not_found') {
    const status =
      `dataset_metadata.json not found (404) at ${metadataUrl(policy, app.config)}; ` +
      'waiting for the preparer to publish it';
    return pass.update({ checks, errorsInRow: 0, nextCheckMs: next, status }, 'info');
  }
  return failOrRetry(pass, read, 'polling dataset_metadata.json', checks);
}

async function failOrRetry(
  pass: Pass,
  res: Exclude<MetadataRead, { kind: 'metadata' }>,
  doing: string,
  checks = pass.prep.checks,
): Promise<Preparation> {
  const { policy, app } = pass;
  if (res.kind === 'auth') {
    const fix = `check that the token (prepare.token) can read ${metadataUrl(policy, app.config)}`;
    return pass.update({ state: 'failed', checks, status: `${doing}: ${res.message}; ${fix}` }, 'error');
  }
  if (res.kind === 'invalid' || res.kind === 'client') {
    return pass.update({ state: 'failed', checks, status: `${doing}: ${res.message}` }, 'error');
  }
  if (res.kind !== 'retryable') return pass.prep;
  const errors = pass.prep.errorsInRow + 1;
  const exponential = policy.poll.interval * 2 ** (errors - 1);
  const backoff = Math.min(policy.poll.maxBackoff, Math.max(res.retryAfterMs ?? 0, exponential));
  const after = res.retryAfterMs !== null ? ' (Retry-After)' : '';
  const status = `${doing}: ${res.message}; retrying in ${formatDuration(backoff)}${after}`;
  return pass.update({ checks, errorsInRow: errors, nextCheckMs: pass.now + backoff, status }, 'warn');
}

function timeoutMessage(p: Preparation, policy: PreparePolicy): string {
  const confirmed = p.triggerConfirmedMs !== null ? '' : ' (the trigger was never confirmed)';
  return (
    `timed out after ${formatDuration(policy.poll.timeout)} waiting for a dataset version with ` +
    `num_samples >= ${p.required} other than ${p.lastSeenTag ?? '(none)'}${confirmed}; last: ${p.status ?? 'no check'}`
  );
}
