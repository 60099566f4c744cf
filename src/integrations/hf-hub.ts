/**
 * Pushing a directory to a Hugging Face repo (model or dataset) with @huggingface/hub's commit API
 * (`POST {hub}/api/{type}s/{repo}/preupload/{rev}` then `/commit/{rev}`), at the hub URL refit is
 * configured with (`HF_ENDPOINT` in tests). Files go under `pathInRepo/`.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { listFiles } from '../artifacts/file-store.js';
import { RefitError } from '../core/errors.js';
import { redact } from '../config/secrets.js';

export interface HubPush {
  repo: string;
  type: 'model' | 'dataset';
  pathInRepo: string;
  commitOid: string | null;
  commitUrl: string | null;
  files: number;
}

export async function pushDirectory(opts: {
  hubUrl: string;
  token: string | null;
  type: 'model' | 'dataset';
  repo: string;
  dir: string;
  pathInRepo: string;
  title: string;
}): Promise<HubPush> {
  if (!opts.token)
    throw new RefitError(
      'CONFIG',
      `pushing to the Hugging Face repo ${opts.repo} needs a token (hub_token in refit.yaml, e.g. \${HF_TOKEN})`,
    );
  const files = listFiles(opts.dir).map((f) => ({
    path: [opts.pathInRepo, relative(opts.dir, f).split('\\').join('/')].filter(Boolean).join('/'),
    content: new Blob([readFileSync(f)]),
  }));
  try {
    const { uploadFiles } = await import('@huggingface/hub');
    const r = await uploadFiles({
      repo: { type: opts.type, name: opts.repo },
      accessToken: opts.token,
      hubUrl: opts.hubUrl,
      files,
      commitTitle: opts.title,
      useXet: false,
    });
    return {
      repo: opts.repo,
      type: opts.type,
      pathInRepo: opts.pathInRepo,
      commitOid: r?.commit?.oid ?? null,
      commitUrl: r?.commit?.url ?? null,
      files: files.length,
    };
  } catch (err) {
    // A refused token or a missing repo needs a fix, not a retry; 429/5xx/network may pass.
    const status = (err as { statusCode?: number }).statusCode;
    const permanent = status !== undefined && status >= 400 && status < 500 && status !== 429;
    throw new RefitError(
      permanent ? 'UPSTREAM_REJECTED' : 'UPSTREAM_UNAVAILABLE',
      `pushing to the Hugging Face ${opts.type} repo ${opts.repo} failed: ${redact((err as Error).message, [opts.token])}`,
    );
  }
}
