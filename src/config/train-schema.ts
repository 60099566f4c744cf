/**
 * Where a model line's work runs, in refit.yaml: how datasets are prepared (`prepare`), where
 * training runs (`train`: builtin, command, http, github, hf-space, kubernetes) and where a promoted version
 * goes (`deploy`). Every option documents its default.
 */
import { z } from 'zod';
import { camelKeys, duration, repoId, secret, section } from './fields.js';

const hfSpace = section({
  space: repoId().describe('The training Space; refit sets its REFIT_* variables and restarts it.'),
  model_repo: repoId().describe(
    'Model repo the Space pushes to: a new commit there is completion; its files become the candidate.',
  ),
  token: secret(z.string()).describe('Hub token (write), e.g. ${HF_TOKEN}. A secret.'),
  factory: z.boolean().default(false).describe('Factory reboot (rebuild the image). Default false.'),
  poll: duration.prefault('30s').describe('Time between checks. Default "30s".'),
}).describe('The Hugging Face Space executor: restart, follow runtime.stage, detect the new model commit.');

const github = section({
  repo: repoId(),
  workflow: z
    .string()
    .min(1)
    .describe(
      'Workflow file name (e.g. train.yml) or id; it needs `on: workflow_dispatch` and `run-name: refit ${{ inputs.refit_key }}`.',
    ),
  ref: z.string().default('main').describe('Branch or tag to run on. Default "main".'),
  token: secret(z.string()).describe('Token with actions: write, e.g. ${GITHUB_TOKEN}. A secret.'),
  artifact: z.string().default('model').describe('Name of the artifact holding the model. Default "model".'),
  inputs: z.record(z.string(), z.string()).default({}).describe('Extra workflow inputs.'),
  poll: duration.prefault('30s').describe('Time between status checks. Default "30s".'),
}).describe('The GitHub workflow executor: dispatch, find the run by run-name, poll, take the artifact.');

const http = section({
  url: z
    .string()
    .url()
    .describe('POST a job here (HMAC-signed JSON with the dataset); answers {"id", "status_url", "cancel_url"?}.'),
  secret: secret(z.string()).optional().describe('HMAC-SHA256 key of the x-refit-signature header. A secret.'),
  token: secret(z.string()).optional().describe('Bearer token for the status, output and cancel URLs. A secret.'),
  poll: duration
    .prefault('15s')
    .describe('Time between status checks; the run waits parked in between. Default "15s".'),
}).describe('The HTTP job executor: submit, poll the status URL, download the outputs, cancel on cancel or timeout.');

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const quantity = z.union([z.string().min(1), z.number().positive()]);
const kubeResources = z.strictObject({
  requests: z.record(z.string(), quantity).optional().describe('e.g. { cpu: "2", memory: 4Gi }.'),
  limits: z.record(z.string(), quantity).optional().describe('e.g. { memory: 8Gi, "nvidia.com/gpu": 1 }.'),
});
const toleration = z.strictObject({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.number().int().optional(),
});
const kubeEnv = z.union([
  z.string(),
  z.strictObject({ secret: z.string().min(1), key: z.string().min(1) }).describe('A key of a Kubernetes Secret.'),
]);

const kubernetes = section({
  image: z.string().min(1).describe('The training image, e.g. ghcr.io/acme/trainer:1.4.'),
  command: z.array(z.string()).min(1).optional().describe("The container's argv. Default: the image's entrypoint."),
  namespace: z
    .string()
    .regex(DNS_LABEL, { message: 'a namespace is lower-case letters, digits and "-"' })
    .default('default')
    .describe('Namespace of the Jobs. Default "default".'),
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/), kubeEnv)
    .default({})
    .describe('Container env: plain values, or {secret, key} read from a Kubernetes Secret (never from refit).'),
  resources: kubeResources.optional().describe('Requests and limits: cpu, memory, nvidia.com/gpu.'),
  node_selector: z.record(z.string(), z.string()).default({}).describe('Pod nodeSelector. Default none.'),
  tolerations: z.array(toleration).default([]).describe('Pod tolerations, as Kubernetes writes them.'),
  service_account: z.string().optional().describe("The pod's service account. Default: the namespace's default."),
  kubeconfig: z
    .string()
    .optional()
    .describe('kubeconfig file. Default: $KUBECONFIG, else ~/.kube/config, else the in-cluster service account.'),
  context: z.string().optional().describe("A context of the kubeconfig. Default: the file's current context."),
  queue: z
    .string()
    .optional()
    .describe('A Kueue LocalQueue: Jobs are created suspended with kueue.x-k8s.io/queue-name. Default none.'),
  storage: z
    .string()
    .regex(/^s3:\/\//, { message: 'expected "s3://BUCKET/PREFIX"' })
    .optional()
    .describe('S3 prefix the cluster reaches for the dataset and the output. Default: `artifacts:` when it is s3://.'),
  ttl: duration.prefault('1h').describe('ttlSecondsAfterFinished: a finished Job is deleted after this. Default "1h".'),
  poll: duration.prefault('15s').describe('Time between checks of the Job. Default "15s".'),
}).describe('The Kubernetes executor: one batch/v1 Job per attempt; data through S3.');

export const EXECUTORS = ['builtin', 'command', 'http', 'github', 'hf-space', 'kubernetes'] as const;
export type ExecutorName = (typeof EXECUTORS)[number];

export const trainSchema = section({
  executor: z
    .enum(EXECUTORS)
    .default('builtin')
    .describe(
      'Where training runs. Default "builtin" (in-process TypeScript, off the main thread); "command" any local program; ' +
        '"http" a job API; "github" a GitHub Actions workflow; "hf-space" a Hugging Face Space; ' +
        '"kubernetes" a batch/v1 Job.',
    ),
  hf_space: hfSpace.optional(),
  github: github.optional(),
  http: http.optional(),
  kubernetes: kubernetes.optional(),
  params: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .default({})
    .describe('Trainer parameters (builtin: C, maxIter, bits, minDf, textField); passed as REFIT_PARAMS to commands.'),
  command: z.array(z.string()).optional().describe('argv of the train command (executor: command).'),
  predict_command: z
    .array(z.string())
    .optional()
    .describe(
      'argv of the predict command. When set it scores and serves every candidate of the line, whatever trained it.',
    ),
  timeout: duration.prefault('1h').describe('Training timeout; the whole process group is killed. Default "1h".'),
})
  .refine((t) => t.executor !== 'command' || (t.command && t.predictCommand), {
    message: 'executor "command" needs "command" and "predict_command"',
  })
  .refine((t) => t.executor !== 'http' || t.http, { message: 'executor "http" needs "http: { url }"' })
  .refine((t) => t.executor !== 'github' || t.github, {
    message: 'executor "github" needs "github: { repo, workflow, token }"',
  })
  .refine((t) => t.executor !== 'hf-space' || t.hfSpace, {
    message: 'executor "hf-space" needs "hf_space: { space, model_repo, token }"',
  })
  .refine((t) => t.executor !== 'kubernetes' || t.kubernetes, {
    message: 'executor "kubernetes" needs "kubernetes: { image }"',
  });

const metadataSource = z
  .union([
    z.strictObject({ url: z.string().url().describe('URL of dataset_metadata.json.') }),
    z.strictObject({
      dataset: repoId().describe('Hugging Face dataset repo id.'),
      revision: z.string().default('main').describe('Branch, tag or commit. Default "main".'),
      path: z.string().default('dataset_metadata.json').describe('File in the repo. Default "dataset_metadata.json".'),
    }),
  ])
  .transform((m) =>
    'url' in m
      ? { kind: 'url' as const, url: m.url }
      : { kind: 'hf-dataset' as const, dataset: m.dataset, revision: m.revision, path: m.path },
  )
  .describe('Where the preparer publishes dataset_metadata.json.');

const poll = section({
  interval: duration.prefault('30s').describe('Time between metadata checks. Default "30s".'),
  timeout: duration.prefault('2h').describe('Give up after. Default "2h".'),
  max_backoff: duration.prefault('10m').describe('Longest wait after 429/5xx. Default "10m".'),
  request_timeout: duration.prefault('30s').describe('Timeout of one HTTP request. Default "30s".'),
});

/** What every kind of preparation shares. */
const prepareCommon = {
  metadata: metadataSource.optional().describe('Required for every kind but builtin.'),
  token: secret(z.string())
    .optional()
    .describe('Bearer token for the trigger, the metadata and the split files (HF or GitHub). A secret.'),
  poll: poll.prefault({}),
};

export const prepareSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('builtin'), ...prepareCommon }),
    z.strictObject({
      kind: z.literal('hf-space'),
      space: repoId('owner/space').describe('The preparation Space to restart.'),
      factory: z.boolean().default(false).describe('Factory rebuild instead of a restart. Default false.'),
      ...prepareCommon,
    }),
    z.strictObject({
      kind: z.literal('github-workflow'),
      repo: repoId('owner/repo'),
      workflow: z.string().min(1).describe('Workflow file name or id, e.g. prepare.yml.'),
      ref: z.string().default('main'),
      inputs: z.record(z.string(), z.string()).default({}),
      ...prepareCommon,
    }),
    z.strictObject({
      kind: z.literal('webhook'),
      url: secret(z.string().url()).describe('Receives a signed POST asking for a dataset version. A secret.'),
      secret: secret(z.string()).optional().describe('HMAC-SHA256 key for the X-Refit-Signature header.'),
      ...prepareCommon,
    }),
    z.strictObject({
      kind: z.literal('command'),
      command: z.array(z.string()).min(1).describe('argv of a local command; it gets REFIT_MODEL and REFIT_REQUIRED.'),
      timeout: duration.prefault('30m'),
      ...prepareCommon,
    }),
  ])
  .transform((p) => camelKeys(p))
  .refine((p) => p.kind === 'builtin' || p.metadata !== undefined, {
    message: 'external preparation needs "metadata:" (a url, or a Hugging Face dataset repo) to poll',
  })
  .describe(
    'How dataset versions are prepared: built in, or by an external preparer that publishes dataset_metadata.json.',
  );

const verify = section({
  health_url: z
    .string()
    .url()
    .optional()
    .describe('GET must answer 2xx after deploying. Default: none (serve target: refit checks its own loaded model).'),
  predict_url: z
    .string()
    .url()
    .optional()
    .describe(
      'POST {"inputs":[...]} here for the sanity requests; answers {"predictions":[{"prediction":...}]}. ' +
        "Default: refit's own serving for target serve, none otherwise.",
    ),
  sanity_requests: z
    .number()
    .int()
    .min(0)
    .default(5)
    .describe('Holdout rows sent after deploying; the answers must equal those of the evaluation. Default 5.'),
  min_agreement: z.number().min(0).max(1).default(1).describe('Share of sanity answers that must match. Default 1.'),
  timeout: duration.prefault('2m').describe('How long the target may take to become healthy. Default "2m".'),
});

export const deploySchema = section({
  target: z
    .enum(['serve', 'webhook', 'hf-space'])
    .default('serve')
    .describe(
      '"serve": refit\'s own prediction endpoint (alias move, hot reload); "webhook": a signed POST to url; ' +
        '"hf-space": restart an inference Space. Default "serve".',
    ),
  url: secret(z.string().url()).optional().describe('Webhook URL (target webhook). A secret.'),
  secret: secret(z.string()).optional().describe('HMAC-SHA256 key for the webhook signature. A secret.'),
  space: repoId().optional().describe('Inference Space to restart (target hf-space).'),
  token: secret(z.string()).optional().describe('Hub token for the Space restart, e.g. ${HF_TOKEN}. A secret.'),
  verify: verify.prefault({}),
  approval: z
    .enum(['none', 'required'])
    .default('none')
    .describe(
      '"required": a blessed candidate is registered, then waits as awaiting_approval until `refit approve RUN` ' +
        '(or `refit reject RUN --reason`, POST /v1/runs/:id/approve|reject). Default "none".',
    ),
})
  .refine((d) => d.target !== 'webhook' || d.url, { message: 'deploy target "webhook" needs "url"' })
  .refine((d) => d.target !== 'hf-space' || d.space, { message: 'deploy target "hf-space" needs "space"' })
  .describe('Where a promoted version goes, and how it is verified; a failed verification rolls back.');
