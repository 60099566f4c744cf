/**
 * The typed configuration the rest of refit reads: the schema's output (schema.ts — durations in
 * milliseconds, camelCase keys, secrets as `Secret`) plus what comes from the environment and the
 * file's location (hub and API URLs, S3 credentials, the local artifacts directory, the secret
 * values to mask). Nothing here is written twice: the types are derived from the schema.
 */
import type { z } from 'zod';
import type { configSchema, modelSchema, NotifyEventKind } from './schema.js';
import type { ExecutorName } from './train-schema.js';

export type { NotifyEventKind, ExecutorName };

type Parsed = z.output<typeof configSchema>;

export type ModelLineConfig = z.output<typeof modelSchema> & { name: string };
export type Task = ModelLineConfig['task'];
export type TrainConfig = ModelLineConfig['train'];
export type PreparePolicy = ModelLineConfig['prepare'];
export type DeployPolicy = ModelLineConfig['deploy'];
export type MonitorPolicy = ModelLineConfig['monitor'];
export type DatasetPolicy = ModelLineConfig['dataset'];
export type BudgetConfig = ModelLineConfig['budget'];
export type ExternalCountConfig = NonNullable<ModelLineConfig['evidence']['externalCount']>;
export type NotifyChannel = Parsed['notify'][number];

/** What the environment and the file's location add to the parsed file. */
export interface RuntimeConfig {
  /** Hugging Face Hub base URL (config, else $HF_ENDPOINT, else https://huggingface.co). */
  hubUrl: string;
  /** GitHub REST API base URL (config, else $GITHUB_API_URL, else https://api.github.com). */
  githubApiUrl: string;
  /** S3-compatible endpoint override, if any. */
  s3Endpoint: string | null;
  /** S3 credentials from the loaded environment (else the AWS SDK's default chain). Secrets. */
  s3Credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | null;
  /** AWS region for S3 ($AWS_REGION, default us-east-1). */
  s3Region: string;
  /** $KUBECONFIG of the loaded environment, if set (the Kubernetes executor's second choice). */
  kubeconfigEnv: string | null;
  /** Local root for datasets, training outputs and caches (from `artifacts: file:DIR`, else ./.refit/artifacts). */
  artifactsDir: string;
  /** Where the config was read from (for messages). */
  source: string;
  /** DRY_RUN=true in the environment or the .env beside the file. */
  dryRun: boolean;
  /** Secret values to mask in all output (never stored). */
  secretValues: string[];
}

export type RefitConfig = Omit<Parsed, 'hubUrl' | 'githubApiUrl' | 's3Endpoint'> & RuntimeConfig;
