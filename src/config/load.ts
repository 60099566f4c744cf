/**
 * Loads `refit.yaml`: layered defaults < file < environment < flags, `${VAR}` / `${VAR:-default}`
 * interpolation from the environment and a `.env` beside the file, validated once. Errors name the
 * file, line and path (`refit.yaml:14: models.spam.budget.capacity: expected number, got "two"`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { isMap, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { ConfigError } from '../core/errors.js';
import { configSchema, type ParsedConfig } from './schema.js';
import { explainIssue } from './explain-issue.js';
import type { RefitConfig } from './config.js';
import { secretsIn } from './secret.js';
import { collectSecrets } from './secrets.js';

export interface LoadOptions {
  /** Config path. Default: `REFIT_CONFIG`, else `./refit.yaml`. */
  path?: string;
  /** Environment to read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Directory relative paths are resolved against. Default `process.cwd()`. */
  cwd?: string;
  /** Command-line overrides (highest layer). */
  overrides?: { store?: string };
}

type Path = (string | number)[];

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(root)';
}

export function loadConfig(options: LoadOptions = {}): RefitConfig {
  const cwd = options.cwd ?? process.cwd();
  const baseEnv = options.env ?? process.env;
  const file = resolve(cwd, options.path ?? baseEnv.REFIT_CONFIG ?? 'refit.yaml');
  if (!existsSync(file)) {
    throw new ConfigError(
      [
        `no configuration file at ${file}: run \`refit init\` to create one, or pass --config PATH (or set REFIT_CONFIG)`,
      ],
      file,
    );
  }
  const dir = dirname(file);
  const dotenvPath = resolve(dir, '.env');
  const env: NodeJS.ProcessEnv = {
    ...(existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {}),
    ...baseEnv,
  };
  const text = readFileSync(file, 'utf8');
  const shortName = file.startsWith(cwd + '/') ? file.slice(cwd.length + 1) : file;

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const unquoted = unquotedVariable(text);
    if (unquoted) {
      const v = `\${${unquoted.name}...}`;
      const why = `\`${v}\` inside { } must be quoted: write "${v}" (YAML reads an unquoted { as the start of a map)`;
      throw new ConfigError([`${shortName}:${unquoted.line}: ${why}`], shortName);
    }
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
        return `${shortName}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML syntax error: ${e.message.split('\n')[0]}`;
      }),
      shortName,
    );
  }
  const lineOf = (path: Path) => lineFor(doc, lineCounter, path);
  const reserved = reservedModelKeys(doc, lineCounter);
  if (reserved.length)
    throw new ConfigError(
      reserved.map((r) => `${shortName}:${r}`),
      shortName,
    );
  const raw = toJs(doc, lineCounter, shortName);
  const used: { name: string; value: string }[] = [];
  const issues: string[] = [];
  const interpolated = interpolate(raw, [], env, used, (path, msg) =>
    issues.push(`${shortName}:${lineOf(path)}: ${formatPath(path)}: ${msg}`),
  );
  if (issues.length > 0) throw new ConfigError(issues, shortName);

  if (typeof interpolated === 'object' && interpolated !== null && !Array.isArray(interpolated)) {
    const layered = interpolated as Record<string, unknown>;
    if (env.REFIT_STORE) layered.store = env.REFIT_STORE;
    if (options.overrides?.store) layered.store = options.overrides.store;
  }
  const parsed = configSchema.safeParse(interpolated);
  if (!parsed.success) {
    const msgs = parsed.error.issues
      .flatMap((i) => explainIssue(i, (p) => valueAt(interpolated, p)))
      .map(({ path, message, hint }) => {
        const unknownKey = message.startsWith('unknown key');
        const shown = unknownKey ? '' : shownValue(valueAt(interpolated, path), path, used);
        const text = `${shortName}:${lineOf(path)}: ${formatPath(path)}: ${message}${shown}${hint ?? ''}`;
        return withoutEnvValues(text, used);
      });
    throw new ConfigError(msgs, shortName);
  }
  return runtimeConfig(parsed.data, file, used, env);
}

/**
 * The first `${VAR...}` written unquoted inside a flow map or sequence on a line (YAML then fails
 * with a cascade of errors): the one mistake to point at instead. The default is never printed.
 */
function unquotedVariable(text: string): { line: number; name: string } | null {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /[{[,]\s*[\w-]+:\s*\$\{([A-Za-z_][A-Za-z0-9_]*)|[[,]\s*\$\{([A-Za-z_][A-Za-z0-9_]*)/.exec(lines[i]!);
    if (m) return { line: i + 1, name: (m[1] ?? m[2])! };
  }
  return null;
}

/**
 * A message with every value that came from the environment written back as its `${NAME}`: a
 * check that quotes the value it refused (a metric name, a URL) never prints a secret.
 */
function withoutEnvValues(text: string, used: { name: string; value: string }[]): string {
  let out = text;
  for (const u of used) if (u.value.length >= 4) out = out.split(u.value).join(`\${${u.name}}`);
  return out;
}

/** Keys whose values are (or may hold) credentials: a config error names them but never prints them. */
const SECRET_KEY = /token|secret|password|passwd|url|smtp|store|key|dsn|auth/i;

/**
 * `, got VALUE` for a config error, when the value can be shown: scalars only (an object, e.g. a
 * token entry with a misspelled key, could hold a secret under any name), never under a secret-ish
 * key, never holding a value that came from the environment.
 */
function shownValue(got: unknown, path: Path, used: { value: string }[]): string {
  if (got === undefined) return '';
  const key = String(path.filter((p) => typeof p === 'string').at(-1) ?? '');
  if (got !== null && typeof got === 'object') return '';
  if (SECRET_KEY.test(key)) return ' (the value is not shown: it may be a secret)';
  const text = JSON.stringify(got)?.slice(0, 60) ?? String(got);
  if (used.some((u) => u.value.length >= 4 && text.includes(u.value))) return ' (the value came from the environment)';
  return `, got ${text}`;
}

/** Adds what the environment and the file's location decide; collects every secret value. */
function runtimeConfig(
  parsed: ParsedConfig,
  file: string,
  used: { name: string; value: string }[],
  env: NodeJS.ProcessEnv,
): RefitConfig {
  const dir = dirname(file);
  const store = resolveUrlPath(parsed.store, 'sqlite:', dir);
  const artifacts = resolveUrlPath(parsed.artifacts, 'file:', dir);
  const listed = [...parsed.secrets, 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];
  const fromEnv = collectSecrets(listed, used, [store], env);
  const marked = [...secretsIn(parsed)].flatMap(secretParts).filter((v) => v.length >= 4);
  const s3Credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        }
      : null;
  const artifactsDir = artifacts.startsWith('file:')
    ? artifacts.slice('file:'.length)
    : resolve(dir, '.refit', 'artifacts');
  return {
    ...parsed,
    store,
    artifacts,
    hubUrl: (parsed.hubUrl ?? env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, ''),
    githubApiUrl: (parsed.githubApiUrl ?? env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, ''),
    s3Endpoint: parsed.s3Endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? null,
    s3Credentials,
    s3Region: env.AWS_REGION ?? 'us-east-1',
    kubeconfigEnv: env.KUBECONFIG ?? null,
    artifactsDir,
    source: file,
    dryRun: /^(1|true|yes)$/i.test(env.DRY_RUN ?? ''),
    secretValues: [...new Set([...fromEnv, ...marked])],
  };
}

function resolveUrlPath(url: string, scheme: string, dir: string): string {
  if (!url.startsWith(scheme)) return url;
  const p = url.slice(scheme.length);
  if (p === ':memory:' || isAbsolute(p)) return url;
  return scheme + resolve(dir, p);
}

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\$\{/g;

function interpolate(
  value: unknown,
  path: Path,
  env: NodeJS.ProcessEnv,
  used: { name: string; value: string }[],
  fail: (path: Path, msg: string) => void,
): unknown {
  if (typeof value === 'string') {
    return value.replace(VAR, (match, name: string | undefined, fallback: string | undefined) => {
      if (!name) return '${';
      const v = env[name];
      if (v !== undefined && v !== '') {
        used.push({ name, value: v });
        return v;
      }
      if (fallback !== undefined) return fallback;
      fail(
        path,
        `environment variable ${name} is not set: set it, add it to .env beside the config, or write \${${name}:-default}`,
      );
      return match;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, [...path, i], env, used, fail));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, [...path, k], env, used, fail)]),
    );
  }
  return value;
}

function valueAt(root: unknown, path: Path): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

function lineFor(doc: Document, counter: LineCounter, path: Path): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && node.range) return counter.linePos(node.range[0]).line;
  }
  return 1;
}

/** The document as plain data; aliases past the yaml library's limit (an alias bomb) are a config error. */
function toJs(doc: Document, lineCounter: LineCounter, shortName: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    let line = 0;
    visit(doc, {
      Alias(_, node) {
        if (!line && node.range) line = lineCounter.linePos(node.range[0]).line;
      },
    });
    throw new ConfigError(
      [
        `${shortName}:${line}: YAML aliases expand too far (${err.message}): ` +
          'write the repeated values out, or use fewer nested aliases',
      ],
      shortName,
    );
  }
}

/** Model line names a plain object already has (`__proto__`, `constructor`…), which would vanish or collide. */
function reservedModelKeys(doc: Document, lineCounter: LineCounter): string[] {
  const models = doc.get('models', true);
  if (!isMap(models)) return [];
  const out: string[] = [];
  for (const item of models.items) {
    const key = isScalar(item.key) ? String(item.key.value) : '';
    if (!(key in Object.prototype) && key !== 'prototype') continue;
    const at = isScalar(item.key) && item.key.range ? lineCounter.linePos(item.key.range[0]).line : 0;
    out.push(`${at}: models.${key}: this name is reserved: choose another model line name`);
  }
  return out;
}

/**
 * A secret and the parts of it a server may echo alone: a secret URL's path (a Slack webhook's
 * /services/T…/B…/X… is the credential) and its password.
 */
function secretParts(value: string): string[] {
  try {
    const u = new URL(value);
    const parts = [value];
    if (u.password) parts.push(decodeURIComponent(u.password));
    if (u.pathname.length >= 12) parts.push(u.pathname);
    return parts;
  } catch {
    return [value];
  }
}
