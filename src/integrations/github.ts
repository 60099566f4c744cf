/**
 * GitHub's REST API through Octokit (pagination, retries of 5xx with backoff, rate limits
 * honoured), at the API URL refit is configured with (`GITHUB_API_URL` points tests at a local
 * server). Every call refit makes to GitHub goes through `githubClient`; a failure becomes an
 * error by meaning: 429, 5xx, network and timeouts UPSTREAM_UNAVAILABLE, other 4xx
 * UPSTREAM_REJECTED — with what was being done, never the token.
 */
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { UpstreamRejectedError, UpstreamUnavailableError, type RefitError } from '../core/errors.js';

const RefitOctokit: typeof Octokit = Octokit.plugin(retry, throttling);
/** The REST client (Octokit with the retry and throttling plugins). */
export type GitHubClient = Octokit;

export interface GitHubClientOptions {
  /** Base URL of the REST API, e.g. https://api.github.com. */
  apiUrl: string;
  token: string;
  /** Timeout of one request. Default 30 s. */
  timeoutMs?: number;
  /** Retries of a 5xx before giving up (the caller's own retry policy takes over then). Default 2. */
  retries?: number;
}

export function githubClient(o: GitHubClientOptions): GitHubClient {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const gh = new RefitOctokit({
    auth: o.token,
    baseUrl: o.apiUrl,
    userAgent: 'refit',
    request: {
      retries: o.retries ?? 2,
      retryAfter: 1,
      fetch: (url: string, init: RequestInit) => fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
    },
    retry: { doNotRetry: [400, 401, 403, 404, 409, 410, 422, 451] },
    throttle: {
      // Wait once when GitHub says how long; beyond that the caller's retry policy decides.
      onRateLimit: (_after: number, _options: unknown, _octokit: unknown, retryCount: number) => retryCount < 1,
      onSecondaryRateLimit: (_after: number, _options: unknown, _octokit: unknown, retryCount: number) =>
        retryCount < 1,
    },
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
  // GitHub's documented media type and API version on every request.
  gh.hook.before('request', (options) => {
    options.headers.accept = 'application/vnd.github+json';
    options.headers['x-github-api-version'] = '2022-11-28';
  });
  return gh;
}

/** The HTTP status of an Octokit failure (null for network errors and timeouts). */
export function statusOf(err: unknown): number | null {
  const s = (err as { status?: unknown }).status;
  return typeof s === 'number' && s >= 100 ? s : null;
}

/** An Octokit failure as an error by meaning, saying what was being done. */
export function githubError(err: unknown, doing: string): RefitError {
  const status = statusOf(err);
  const detail = (err as Error).message?.split('\n')[0] ?? String(err);
  const message = `${doing}: ${status ? `GitHub answered ${status}: ` : ''}${detail}`;
  if (status === null || status === 429 || status >= 500) {
    const after = Number(
      (err as { response?: { headers?: Record<string, string> } }).response?.headers?.['retry-after'],
    );
    return new UpstreamUnavailableError(message, Number.isFinite(after) ? after * 1000 : null);
  }
  return new UpstreamRejectedError(message);
}

/** `owner/name` → `{ owner, repo }`. */
export function repoParts(repo: string): { owner: string; repo: string } {
  const [owner, name] = repo.split('/');
  return { owner: owner!, repo: name! };
}
