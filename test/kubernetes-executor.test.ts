/**
 * Training on Kubernetes against a local server shaped after the Kubernetes API (fake-kube.ts)
 * and s3rver: each Job's pod really runs test/fixtures/kube-trainer.mjs, which reads the dataset
 * through the presigned URL and writes model.json to S3; refit collects, evaluates, registers.
 * Covered: the Job's spec, pod failure with its reason, exit 2 failing at once, an evicted pod
 * replaced without counting (the Ignore rule), the deadline,
 * cancel (Job and pods gone), a crash between create and record (no second Job), RBAC 403,
 * admission 422, a missing namespace, Kueue suspension, and the config errors.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, openApp } from '../src/app.js';
import { jobOfKey, updateJob } from '../src/stores/jobs.js';
import { FakeKube } from './helpers/fake-kube.js';
import { S3_ENV, startLocalS3, type LocalS3 } from './helpers/local-s3.js';
import { until } from './helpers/until.js';
import { cli, ndjson, project } from './helpers/project.js';

const creds = S3_ENV;
const trainer = resolve(__dirname, 'fixtures', 'kube-trainer.mjs');
let s3: LocalS3;
let endpoint = '';
let kube: FakeKube;

beforeAll(async () => {
  s3 = await startLocalS3('refit-models');
  endpoint = s3.endpoint;
  kube = await new FakeKube().start();
  kube.secrets.hub = { token: 'hub-token-from-a-kube-secret' };
});
afterAll(async () => {
  await kube.stop();
  await s3.close();
});

const examples = ndjson(
  Array.from({ length: 60 }, (_, i) => ({
    type: 'example',
    id: `e${i}`,
    model: 'urgency',
    input: { text: `${i % 2 ? 'server down outage now' : 'typo on page later'} ${i}` },
    label: i % 2 ? 'high' : 'low',
  })),
);

interface Options {
  mode?: string;
  timeout?: string;
  queue?: string;
  namespace?: string;
  extra?: string;
  artifacts?: string;
  /** retry.attempts: the Job's backoffLimit is one less. */
  attempts?: number;
}

function config(o: Options = {}) {
  return `
artifacts: ${o.artifacts ?? 's3://refit-models/team'}
s3_endpoint: ${endpoint}
retry: { attempts: ${o.attempts ?? 2} }
models:
  urgency:
    labels: [low, high]
    train:
      executor: kubernetes
      timeout: ${o.timeout ?? '10m'}
      kubernetes:
        image: ghcr.io/acme/trainer:1.4
        command: [node, ${JSON.stringify(trainer)}]
        namespace: ${o.namespace ?? 'ml'}
        kubeconfig: kubeconfig.yaml
        env: { TRAINER_MODE: ${o.mode ?? 'ok'}, HF_TOKEN: { secret: hub, key: token } }
        resources: { requests: { cpu: "1", memory: 1Gi }, limits: { memory: 2Gi, "nvidia.com/gpu": 1 } }
        node_selector: { pool: gpu }
        tolerations: [{ key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }]
        service_account: trainer
        ttl: 30m
        poll: 300ms
${o.queue ? `        queue: ${o.queue}\n` : ''}${o.extra ?? ''}`;
}

async function started(o: Options = {}) {
  const dir = project(config(o), { 'e.ndjson': examples, 'kubeconfig.yaml': kube.kubeconfig() });
  await cli(['ingest', 'e.ndjson'], { cwd: dir, env: creds });
  const r = await cli(['run', '--force', 'urgency', '--json'], { cwd: dir, env: creds });
  if (!r.stdout) throw new Error(`refit run printed nothing: ${r.stderr}`);
  const run = JSON.parse(r.stdout).runs[0] as { runId: string; state: string; outcome: string };
  return { dir, run, r };
}

const wait = (dir: string) => cli(['run', '--wait', '1m', '--json'], { cwd: dir, env: creds });
const jobOf = (runId: string) =>
  [...kube.jobs.values()].find((j) => j.manifest.metadata.annotations['refit.dev/training-key'] === runId);

describe('Kubernetes executor', () => {
  it('creates one Job with the spec from config; the pod trains through S3 and the run registers its model', async () => {
    const { dir, run } = await started();
    expect(run).toMatchObject({ state: 'waiting', outcome: 'remote kubernetes job submitted' });
    const job = jobOf(run.runId)!.manifest;
    expect(job.metadata.name).toMatch(/^refit-[a-z0-9-]+-1$/);
    expect(job.metadata.name.length).toBeLessThanOrEqual(63);
    expect(job.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'refit',
      'refit.dev/model': 'urgency',
    });
    expect(job.spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 1800 });
    expect(job.spec.podFailurePolicy.rules[0]).toMatchObject({ action: 'FailJob', onExitCodes: { values: [2] } });
    const pod = job.spec.template.spec;
    expect(pod).toMatchObject({ restartPolicy: 'Never', serviceAccountName: 'trainer', nodeSelector: { pool: 'gpu' } });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    const c = pod.containers[0];
    expect(c.image).toBe('ghcr.io/acme/trainer:1.4');
    expect(c.resources).toEqual({
      requests: { cpu: '1', memory: '1Gi' },
      limits: { memory: '2Gi', 'nvidia.com/gpu': '1' },
    });
    const env = Object.fromEntries(c.env.map((e: { name: string; value?: string }) => [e.name, e.value ?? e]));
    expect(env.HF_TOKEN).toEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hub', key: 'token' } } });
    expect(env.REFIT_DATASET_URI).toMatch(/^s3:\/\/refit-models\/team\/training\/urgency\/.+\/dataset\/$/);
    expect(env.REFIT_TRAIN_URL).toMatch(/X-Amz-Signature=/);
    expect(env.AWS_ENDPOINT_URL_S3).toBe(endpoint);
    expect(c.env.map((e: { name: string }) => e.name)).not.toContain('AWS_SECRET_ACCESS_KEY');
    const done = await wait(dir);
    expect(done.code, done.stdout + done.stderr).toBe(0);
    expect(JSON.parse(done.stdout).runs[0]).toMatchObject({ runId: run.runId, state: 'succeeded' });
    expect(kube.creates.filter((s) => s === 201)).toHaveLength(kube.jobs.size);
    const v = JSON.parse((await cli(['models', 'show', 'urgency', '1', '--json'], { cwd: dir, env: creds })).stdout);
    expect(v.lineage).toMatchObject({ executor: 'kubernetes', run: run.runId });
    expect(v.metrics.accuracy).toBeGreaterThan(0.9);
    const logs = await cli(['logs', run.runId], { cwd: dir, env: creds });
    expect(logs.stdout).toMatch(/epoch 2 of 2: done/);
  }, 60_000);

  it('a pod that keeps failing fails the run once, with the reason, the exit code and the last log lines', async () => {
    const { dir, run } = await started({ mode: 'fail' });
    const r = await wait(dir);
    expect(r.code).toBe(1);
    const outcome = JSON.parse(r.stdout).runs[0].outcome as string;
    expect(outcome).toMatch(/the Kubernetes Job ml\/refit-.+-1 failed: BackoffLimitExceeded/);
    expect(outcome).toMatch(/ended with exit code 1 \(Error\)/);
    expect(outcome).toMatch(/2 pods tried/);
    expect(outcome).toMatch(/CUDA out of memory/);
    const name = jobOf(run.runId)!.manifest.metadata.name;
    expect(kube.podsOf(name)).toHaveLength(2);
    expect(
      [...kube.jobs.values()].filter((j) => j.manifest.metadata.annotations['refit.dev/training-key'] === run.runId),
    ).toHaveLength(1);
  }, 60_000);

  it('exit code 2 fails the Job at once through the podFailurePolicy', async () => {
    const { dir, run } = await started({ mode: 'usage' });
    const r = await wait(dir);
    expect(JSON.parse(r.stdout).runs[0].outcome).toMatch(/failed: PodFailurePolicy.*exit code 2/s);
    expect(kube.podsOf(jobOf(run.runId)!.manifest.metadata.name)).toHaveLength(1);
  }, 60_000);

  it('an evicted pod is replaced without counting as a failure (podFailurePolicy Ignore on DisruptionTarget)', async () => {
    // One attempt: backoffLimit 0, so a counted failure would fail the Job.
    const { dir, run } = await started({ mode: 'slow', attempts: 1 });
    const job = jobOf(run.runId)!.manifest;
    expect(job.spec.backoffLimit).toBe(0);
    const name = job.metadata.name;
    await until(() => kube.podsOf(name).length === 1, 10_000);
    kube.evict(kube.podsOf(name)[0]!.name);
    const r = await wait(dir);
    expect(JSON.parse(r.stdout).runs[0], r.stderr).toMatchObject({ runId: run.runId, state: 'succeeded' });
    const pods = kube.podsOf(name);
    expect(pods).toHaveLength(2);
    expect(pods[0]!.exitCode).toBe(137);
    expect(pods[1]!.exitCode).toBe(0);
    expect(kube.jobs.get(`ml/${name}`)!.failures).toBe(0);
  }, 60_000);

  it('past activeDeadlineSeconds the Job fails and refit deletes it and its pods', async () => {
    const { dir, run } = await started({ mode: 'hang', timeout: '1s' });
    const name = jobOf(run.runId)!.manifest.metadata.name;
    const r = await wait(dir);
    expect(JSON.parse(r.stdout).runs[0].outcome).toMatch(/DeadlineExceeded.*activeDeadlineSeconds 1.*deleted/s);
    expect(kube.deletes).toContainEqual({ name, propagation: 'Foreground' });
    expect(jobOf(run.runId)).toBeUndefined();
    expect(kube.podsOf(name)).toHaveLength(0);
  }, 60_000);

  it('refit cancel deletes the Job with foreground propagation and returns once no pod is left', async () => {
    const { dir, run } = await started({ mode: 'hang' });
    const name = jobOf(run.runId)!.manifest.metadata.name;
    expect(await until(() => kube.podsOf(name).some((p) => p.log.includes('still training')))).toBe(true);
    const c = await cli(['cancel', run.runId], { cwd: dir, env: creds });
    expect(c.code, c.stdout + c.stderr).toBe(0);
    expect(kube.deletes).toContainEqual({ name, propagation: 'Foreground' });
    expect(kube.jobs.has(`ml/${name}`)).toBe(false);
    expect(kube.podsOf(name)).toHaveLength(0);
  }, 60_000);

  it('a crash between creating the Job and recording it adopts the same Job: 201 then 409, one Job', async () => {
    const { dir, run } = await started();
    const before = kube.creates.length;
    const app = await openApp({ cwd: dir, env: creds });
    try {
      const job = (await jobOfKey(app.store, run.runId))!;
      await updateJob(app.store, job.id, { remote: null }); // what the store holds after such a crash
    } finally {
      await closeApp(app);
    }
    const r = await wait(dir);
    expect(JSON.parse(r.stdout).runs[0]).toMatchObject({ runId: run.runId, state: 'succeeded' });
    expect(kube.creates.slice(before - 1)).toEqual([201, 409]);
    const mine = [...kube.jobs.values()].filter(
      (j) => j.manifest.metadata.annotations['refit.dev/training-key'] === run.runId,
    );
    expect(mine).toHaveLength(1);
    // The dead attempt's local folder is gone: one training folder for the run.
    expect(readdirSync(join(dir, '.refit', 'artifacts', 'training', 'urgency'))).toHaveLength(1);
  }, 60_000);

  it('RBAC 403, admission 422 and a missing namespace are configuration errors saying what to fix', async () => {
    kube.refuse = 'forbidden';
    try {
      const a = await started();
      expect(a.r.code).toBe(2);
      expect(a.run.outcome).toMatch(
        /forbidden in namespace ml \(403\).*jobs \(batch\): create, get, delete; pods: list/,
      );
      kube.refuse = 'invalid';
      const b = await started();
      expect(b.run.outcome).toMatch(/422 Invalid.*resources\.limits\[memory\]/);
    } finally {
      kube.refuse = null;
    }
    const c = await started({ namespace: 'training' });
    expect(c.run.outcome).toMatch(/namespace "training" does not exist \(kubectl create namespace training\)/);
  }, 60_000);

  it('with a queue the Job waits suspended for Kueue, then runs when admitted', async () => {
    const { dir, run } = await started({ queue: 'team-a' });
    const job = jobOf(run.runId)!.manifest;
    expect(job.spec.suspend).toBe(true);
    expect(job.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('team-a');
    await new Promise((r) => setTimeout(r, 400));
    const parked = await cli(['run', '--json'], { cwd: dir, env: creds });
    expect(JSON.parse(parked.stdout).runs[0].outcome).toMatch(/job is queued/);
    kube.admit(job.metadata.name);
    const r = await wait(dir);
    expect(JSON.parse(r.stdout).runs[0]).toMatchObject({ state: 'succeeded' });
  }, 60_000);

  it('config errors: no S3 to carry the data, an unknown kubeconfig context', async () => {
    const dir = project(config({ artifacts: 'file:./artifacts' }), { 'kubeconfig.yaml': kube.kubeconfig() });
    const r = await cli(['status'], { cwd: dir, env: creds });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/models\.urgency\.train\.kubernetes\.storage.*storage: s3:\/\/BUCKET\/PREFIX/s);
    const ctx = await started({ extra: '        context: prod\n' });
    expect(ctx.r.code).toBe(2);
    expect(ctx.run.outcome).toMatch(/context "prod" is not in the kubeconfig; its contexts: fake/);
  }, 60_000);

  it('no secret of the kubeconfig reaches the store, the logs, the report or the Job', async () => {
    const { dir, run } = await started();
    await wait(dir);
    const logs = await cli(['logs', run.runId], { cwd: dir, env: creds });
    const story = await cli(['report', run.runId, '--format', 'json'], { cwd: dir, env: creds });
    const stored = readdirSync(join(dir, '.refit'), { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile())
      .map((f) => readFileSync(join(f.parentPath, f.name)).toString('latin1'));
    expect(stored.join('').length).toBeGreaterThan(0);
    for (const text of [logs.stdout, story.stdout, JSON.stringify(jobOf(run.runId)!.manifest), ...stored])
      expect(text).not.toContain(kube.token);
  }, 60_000);
});
