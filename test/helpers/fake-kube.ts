/**
 * A local server shaped after the Kubernetes API paths the Kubernetes executor calls, with the
 * API's documented shapes and status codes: Job create (201, 409 AlreadyExists, 404 NotFound for a
 * missing namespace, 403 Forbidden, 422 Invalid with details.causes), get, delete (foreground
 * propagation waits for the pods), pods listed by the `job-name` label, and pod logs. Bearer
 * tokens are checked (401). Its Job controller runs each pod as a real local process with the
 * container's command and env (Secret references resolved from `secrets`), and enforces
 * `backoffLimit`, `podFailurePolicy` (its rules in order, by exit code or pod condition: FailJob,
 * Ignore, Count, as the Job controller does), `activeDeadlineSeconds` and `suspend` (`admit` plays
 * Kueue). `evict` plays the Eviction API: the pod gets a DisruptionTarget condition and is killed.
 * The image is never pulled: the command must run here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { listenLocal, type LocalServer, type Send } from './local-server.js';

type Condition = { type: string; status: 'True'; reason: string; message: string };

interface Pod {
  name: string;
  job: string;
  namespace: string;
  created: string;
  log: string;
  proc: ChildProcess | null;
  exitCode: number | null;
  conditions: Condition[];
}

interface Job {
  manifest: any;
  failures: number;
  conditions: Condition[];
  deleting: boolean;
  deadline: NodeJS.Timeout | null;
}

const status = (code: number, reason: string, message: string, details?: object) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  code,
  ...(details ? { details } : {}),
});

export class FakeKube {
  token = 'kube-token-0123456789';
  namespaces = new Set(['default', 'ml']);
  secrets: Record<string, Record<string, string>> = {};
  /** What the next creates answer instead of creating: 'forbidden' (403) or 'invalid' (422). */
  refuse: 'forbidden' | 'invalid' | null = null;
  jobs = new Map<string, Job>();
  pods: Pod[] = [];
  /** Every create's answer status, in order. */
  creates: number[] = [];
  deletes: { name: string; propagation: string | null }[] = [];
  url = '';
  private server: LocalServer | null = null;

  async start(): Promise<this> {
    this.server = await listenLocal((req, body, send) => this.handle(req.method!, req.url!, req.headers, body, send));
    this.url = this.server.url;
    return this;
  }

  async stop(): Promise<void> {
    for (const p of this.pods) p.proc?.kill('SIGKILL');
    for (const j of this.jobs.values()) if (j.deadline) clearTimeout(j.deadline);
    await this.server?.stop();
  }

  kubeconfig(namespace = 'ml'): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: fake\n  cluster:\n    server: ${this.url}\n    insecure-skip-tls-verify: true`,
      'users:',
      `- name: refit\n  user:\n    token: ${this.token}`,
      'contexts:',
      `- name: fake\n  context:\n    cluster: fake\n    user: refit\n    namespace: ${namespace}`,
      'current-context: fake',
      '',
    ].join('\n');
  }

  job(name: string, namespace = 'ml') {
    return this.jobs.get(`${namespace}/${name}`)?.manifest;
  }

  podsOf(name: string) {
    return this.pods.filter((p) => p.job === name);
  }

  /** Kueue admits a suspended Job: it starts. */
  admit(name: string, namespace = 'ml'): void {
    const j = this.jobs.get(`${namespace}/${name}`)!;
    j.manifest.spec.suspend = false;
    this.startJob(j);
  }

  private handle(method: string, rawUrl: string, headers: Record<string, unknown>, body: string, send: Send) {
    if (headers.authorization !== `Bearer ${this.token}`) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
    const url = new URL(rawUrl, 'http://x');
    const jobs = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs(?:\/([^/]+))?$/.exec(url.pathname);
    const pods = /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+)\/log)?$/.exec(url.pathname);
    if (jobs && method === 'POST') return this.create(jobs[1]!, JSON.parse(body), send);
    if (jobs && jobs[2] && method === 'GET') return this.get(jobs[1]!, jobs[2], send);
    if (jobs && jobs[2] && method === 'DELETE') {
      const fromBody = body ? (JSON.parse(body).propagationPolicy ?? null) : null;
      return this.delete(jobs[1]!, jobs[2], url.searchParams.get('propagationPolicy') ?? fromBody, send);
    }
    if (pods && pods[2] && method === 'GET') {
      const pod = this.pods.find((p) => p.namespace === pods[1] && p.name === pods[2]);
      if (!pod) return send(404, status(404, 'NotFound', `pods "${pods[2]}" not found`));
      const tail = Number(url.searchParams.get('tailLines') ?? 0);
      const lines = pod.log.split('\n').filter(Boolean);
      return send(200, (tail ? lines.slice(-tail) : lines).join('\n') + '\n');
    }
    if (pods && method === 'GET') {
      const selector = url.searchParams.get('labelSelector') ?? '';
      const name = /^job-name=(.+)$/.exec(selector)?.[1];
      const items = this.pods.filter((p) => p.namespace === pods[1] && (!name || p.job === name)).map(podObject);
      return send(200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items });
    }
    send(404, status(404, 'NotFound', `the server could not find the requested resource ${url.pathname}`));
  }

  private create(namespace: string, manifest: any, send: Send) {
    const name = manifest.metadata.name as string;
    const answer = (code: number, payload: unknown) => (this.creates.push(code), send(code, payload));
    if (this.refuse === 'forbidden') {
      const msg =
        `jobs.batch is forbidden: User "system:serviceaccount:ml:refit" cannot create resource "jobs" ` +
        `in API group "batch" in the namespace "${namespace}"`;
      return answer(403, status(403, 'Forbidden', msg, { group: 'batch', kind: 'jobs' }));
    }
    if (this.refuse === 'invalid') {
      const causes = [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: "8Gx": quantities must match the regular expression',
          field: 'spec.template.spec.containers[0].resources.limits[memory]',
        },
      ];
      return answer(422, status(422, 'Invalid', `Job.batch "${name}" is invalid`, { name, kind: 'Job', causes }));
    }
    if (!this.namespaces.has(namespace))
      return answer(404, status(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace }));
    if (this.jobs.has(`${namespace}/${name}`))
      return answer(409, status(409, 'AlreadyExists', `jobs.batch "${name}" already exists`, { name, group: 'batch' }));
    manifest.metadata = {
      ...manifest.metadata,
      namespace,
      uid: randomBytes(8).toString('hex'),
      creationTimestamp: new Date().toISOString(),
    };
    manifest.status = {};
    const job: Job = { manifest, failures: 0, conditions: [], deleting: false, deadline: null };
    this.jobs.set(`${namespace}/${name}`, job);
    if (!manifest.spec.suspend) this.startJob(job);
    answer(201, manifest);
  }

  private get(namespace: string, name: string, send: Send) {
    const j = this.jobs.get(`${namespace}/${name}`);
    if (!j) return send(404, status(404, 'NotFound', `jobs.batch "${name}" not found`, { name, group: 'batch' }));
    j.manifest.status = {
      ...(j.conditions.length ? { conditions: j.conditions } : {}),
      failed: j.failures,
      active: this.podsOf(name).filter((p) => p.exitCode === null).length,
    };
    send(200, j.manifest);
  }

  private delete(namespace: string, name: string, propagation: string | null, send: Send) {
    const key = `${namespace}/${name}`;
    const j = this.jobs.get(key);
    this.deletes.push({ name, propagation });
    if (!j) return send(404, status(404, 'NotFound', `jobs.batch "${name}" not found`, { name, group: 'batch' }));
    j.deleting = true;
    if (j.deadline) clearTimeout(j.deadline);
    j.manifest.metadata.deletionTimestamp = new Date().toISOString();
    const mine = this.podsOf(name);
    const removePods = () => (this.pods = this.pods.filter((p) => p.job !== name));
    if (propagation === 'Foreground') {
      // The Job stays (with deletionTimestamp) until its pods have ended; then both are gone.
      const ended = mine.map((p) => (p.exitCode !== null ? Promise.resolve() : exited(p)));
      for (const p of mine) p.proc?.kill('SIGTERM');
      void Promise.all(ended).then(() => setTimeout(() => (removePods(), this.jobs.delete(key)), 100));
    } else {
      this.jobs.delete(key);
      for (const p of mine) p.proc?.kill('SIGKILL');
      removePods();
    }
    send(200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: 'jobs' } });
  }

  private startJob(j: Job) {
    const seconds = j.manifest.spec.activeDeadlineSeconds as number | undefined;
    if (seconds)
      j.deadline = setTimeout(() => {
        this.fail(j, 'DeadlineExceeded', 'Job was active longer than specified deadline');
        for (const p of this.podsOf(j.manifest.metadata.name)) p.proc?.kill('SIGKILL');
      }, seconds * 1000);
    this.startPod(j);
  }

  private startPod(j: Job) {
    const spec = j.manifest.spec.template.spec;
    const c = spec.containers[0];
    const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      env[e.name] = ref ? (this.secrets[ref.name]?.[ref.key] ?? '') : e.value;
    }
    const name = `${j.manifest.metadata.name}-${randomBytes(3).toString('hex').slice(0, 5)}`;
    const pod: Pod = {
      name,
      job: j.manifest.metadata.name,
      namespace: j.manifest.metadata.namespace,
      created: new Date().toISOString(),
      log: '',
      proc: null,
      exitCode: null,
      conditions: [],
    };
    this.pods.push(pod);
    const proc = spawn(c.command[0], c.command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    pod.proc = proc;
    proc.stdout!.on('data', (d) => (pod.log += d));
    proc.stderr!.on('data', (d) => (pod.log += d));
    proc.on('close', (code, signal) => {
      pod.exitCode = code ?? (signal ? 137 : 1);
      pod.proc = null;
      this.podEnded(j, pod);
    });
  }

  private podEnded(j: Job, pod: Pod) {
    if (j.deleting || j.conditions.length) return;
    if (pod.exitCode === 0) return this.finish(j, { type: 'Complete', reason: 'Completed', message: '' });
    const rules: any[] = j.manifest.spec.podFailurePolicy?.rules ?? [];
    const index = rules.findIndex((r) => matches(r, pod));
    const action = index >= 0 ? rules[index].action : 'Count';
    if (action === 'FailJob') {
      const why =
        pod.exitCode !== null && rules[index].onExitCodes ? `with exit code ${pod.exitCode}` : 'its condition';
      const msg = `Container train for pod ${pod.namespace}/${pod.name} failed ${why} matching FailJob rule at index ${index}`;
      return this.fail(j, 'PodFailurePolicy', msg);
    }
    // Ignore: the pod is replaced without counting against backoffLimit.
    if (action === 'Ignore') return this.startPod(j);
    j.failures++;
    if (j.failures > (j.manifest.spec.backoffLimit ?? 6))
      return this.fail(j, 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
    this.startPod(j);
  }

  /** The Eviction API: the pod is marked as a disruption target, then its container is killed. */
  evict(podName: string): void {
    const pod = this.pods.find((p) => p.name === podName);
    if (!pod?.proc) throw new Error(`pod ${podName} is not running`);
    pod.conditions.push({
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'EvictionByEvictionAPI',
      message: 'Eviction API: evicting',
    });
    pod.proc.kill('SIGKILL');
  }

  private fail(j: Job, reason: string, message: string) {
    this.finish(j, { type: 'Failed', reason, message });
  }

  private finish(j: Job, c: { type: string; reason: string; message: string }) {
    if (j.deadline) clearTimeout(j.deadline);
    j.conditions.push({ ...c, status: 'True' });
  }
}

/** Whether a podFailurePolicy rule matches a failed pod (by its exit code, or one of its conditions). */
function matches(rule: any, pod: Pod): boolean {
  const codes = rule.onExitCodes;
  if (codes) {
    const listed = (codes.values as number[]).includes(pod.exitCode ?? -1);
    return codes.operator === 'NotIn' ? !listed : listed;
  }
  const wanted: { type: string; status?: string }[] = rule.onPodConditions ?? [];
  return wanted.some((w) => pod.conditions.some((c) => c.type === w.type && c.status === (w.status ?? 'True')));
}

function exited(p: Pod): Promise<void> {
  return new Promise((r) => p.proc!.once('close', () => r()));
}

function podObject(p: Pod) {
  const terminated =
    p.exitCode === null
      ? null
      : { exitCode: p.exitCode, reason: p.exitCode === 0 ? 'Completed' : 'Error', startedAt: p.created };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, namespace: p.namespace, creationTimestamp: p.created, labels: { 'job-name': p.job } },
    status: {
      phase: p.exitCode === null ? 'Running' : p.exitCode === 0 ? 'Succeeded' : 'Failed',
      ...(p.conditions.length ? { conditions: p.conditions } : {}),
      containerStatuses: [
        {
          name: 'train',
          ready: false,
          restartCount: 0,
          image: 'fake',
          imageID: '',
          state: terminated ? { terminated } : { running: { startedAt: p.created } },
        },
      ],
    },
  };
}
