import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { loadConfig } from './load.js';
import { project } from '../../test/helpers/project.js';

const MIN = `models:\n  spam:\n    labels: [ham, spam]\n`;

function loadError(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  const dir = project(yaml);
  try {
    loadConfig({ cwd: dir, env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies documented defaults and resolves the store next to the file', () => {
    const dir = project(MIN);
    const c = loadConfig({ cwd: dir, env: {} });
    expect(c.store).toBe(`sqlite:${join(dir, '.refit/refit.db')}`);
    const m = c.models.spam!;
    expect(m.budget).toMatchObject({ capacity: 3, cost: 1, needGain: 1, backoff: 2 });
    expect(m.budget.maxRetrainsPerDay).toBeUndefined();
    expect(m.budget.refill).toBeCloseTo(1 / 86400, 15);
    expect(m.evidence.window).toEqual({ kind: 'count', count: 500 });
    expect(m.triggers).toEqual({ combine: 'any', minInterval: 0, rules: [] });
  });

  it('names file, line and path for a wrong type', () => {
    const issues = loadError(`models:\n  spam:\n    budget:\n      capacity: two\n`);
    expect(issues).toEqual(['refit.yaml:4: models.spam.budget.capacity: expected number, received string, got "two"']);
  });

  it('names the index of a bad rule and unknown keys', () => {
    const issues = loadError(
      `models:\n  spam:\n    triggers:\n      rules:\n        - { signal: misclassified, op: ">=", value: 5 }\n        - { signal: misclassified, op: "=>", value: 5 }\n    budgit: {}\n`,
    );
    expect(issues.some((i) => i.startsWith('refit.yaml:6: models.spam.triggers.rules[1]'))).toBe(true);
    expect(issues.some((i) => i.includes('models.spam') && i.includes('budgit'))).toBe(true);
  });

  it('says "did you mean" at the line of an unknown key, and lists the keys allowed there', () => {
    const issues = loadError(`models:\n  spam:\n    budget:\n      capacity: 2\n      refil: 1/1d\n    notify_on: x\n`);
    expect(issues).toContain(
      'refit.yaml:5: models.spam.budget.refil: unknown key "refil": did you mean "refill"? ' +
        'Allowed here: capacity, refill, cost, need_gain, backoff, max_retrains_per_day.',
    );
    expect(issues.find((i) => i.includes('notify_on'))).toMatch(
      /^refit\.yaml:6: .*unknown key "notify_on"\. Allowed here: task, /,
    );
  });

  it('a misspelled signal, operator or kind names the valid values and the closest one', () => {
    const issues = loadError(
      `models:\n  spam:\n    triggers:\n      rules:\n        - { signal: misclasified, op: "=>", value: 5 }\n` +
        `    prepare: { kind: webhok, url: "http://x", metadata: { url: "http://y" } }\n`,
    );
    const text = issues.join('\n');
    expect(text).toMatch(
      /refit\.yaml:5: models\.spam\.triggers\.rules\[0\]\.signal: expected one of "misclassified", /,
    );
    expect(text).toMatch(/\.signal: expected .*got "misclasified"\. Did you mean "misclassified"\?/);
    expect(text).toMatch(/rules\[0\]\.op: expected one of ">=", .*got "=>"\. Did you mean ">="\?/);
    expect(text).toMatch(
      /refit\.yaml:6: models\.spam\.prepare\.kind: expected one of "builtin", .*Did you mean "webhook"\?/,
    );
    expect(text).not.toMatch(/Invalid input/);
  });

  it('an unquoted ${VAR} in a flow map is one error that says to quote it, without its default', () => {
    const issues = loadError(
      `notify:\n  - { kind: slack, webhook_url: \${SLACK_URL:-https://hooks.slack.com/services/T0/B0/xyzsecret} }\n` +
        `models:\n  spam: {}\n`,
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^refit\.yaml:2: `\$\{SLACK_URL\.\.\.\}` inside \{ \} must be quoted/);
    expect(issues[0]).not.toContain('xyzsecret');
  });

  it('reports YAML syntax errors with line and column', () => {
    const issues = loadError(`models:\n  spam: [\n`);
    expect(issues[0]).toMatch(/^refit\.yaml:\d+:\d+: YAML syntax error/);
  });

  it('rejects bad cron, durations and refill', () => {
    const issues = loadError(
      `models:\n  spam:\n    triggers:\n      min_interval: soon\n      rules:\n        - { cron: "every day" }\n    budget:\n      refill: lots\n`,
    );
    expect(issues.join('\n')).toContain('models.spam.triggers.min_interval: expected a duration');
    expect(issues.join('\n')).toContain('models.spam.triggers.rules[0].cron: expected a cron expression');
    expect(issues.join('\n')).toContain('models.spam.budget.refill: expected "TOKENS/DURATION"');
  });

  it('interpolates ${VAR} and ${VAR:-default} from env and .env; env wins; secrets are collected', () => {
    const dir = project(
      `store: \${STORE_URL}\nmodels:\n  spam:\n    evidence:\n      external_count:\n        url: \${REVIEWS_DB_URL}\n        query: SELECT \${COUNT_EXPR:-count(*)} FROM reviews\n`,
      { '.env': 'REVIEWS_DB_URL=postgres://u:dotenv-pass@127.0.0.1:1/x\nSTORE_URL=sqlite:from-dotenv.db\n' },
    );
    const c = loadConfig({ cwd: dir, env: { STORE_URL: 'sqlite:/tmp/from-env.db' } });
    expect(c.store).toBe('sqlite:/tmp/from-env.db');
    const ext = c.models.spam!.evidence.externalCount!;
    expect(ext.url.value).toBe('postgres://u:dotenv-pass@127.0.0.1:1/x');
    expect(ext.query).toBe('SELECT count(*) FROM reviews');
    // The URL is a secret: printed or serialised, it shows ***.
    expect(JSON.stringify(ext)).not.toContain('dotenv-pass');
    expect(c.secretValues).toContain('postgres://u:dotenv-pass@127.0.0.1:1/x');
    expect(c.secretValues).toContain('dotenv-pass');
  });

  it('a missing variable is an error that says how to fix it', () => {
    const issues = loadError(`store: \${NOPE_URL}\n${MIN}`);
    expect(issues).toEqual([
      'refit.yaml:1: store: environment variable NOPE_URL is not set: set it, add it to .env beside the config, or write ${NOPE_URL:-default}',
    ]);
  });

  it('layers REFIT_STORE over the file and the flag over both', () => {
    const dir = project(`store: sqlite:file.db\n${MIN}`);
    expect(loadConfig({ cwd: dir, env: { REFIT_STORE: 'sqlite:/tmp/env.db' } }).store).toBe('sqlite:/tmp/env.db');
    expect(
      loadConfig({
        cwd: dir,
        env: { REFIT_STORE: 'sqlite:/tmp/env.db' },
        overrides: { store: 'postgres://a:b@127.0.0.1/x' },
      }).store,
    ).toBe('postgres://a:b@127.0.0.1/x');
  });

  it('says how to create a config when there is none', () => {
    const dir = project(MIN);
    expect(() => loadConfig({ cwd: dir, path: 'missing.yaml', env: {} })).toThrow(/run `refit init`/);
  });

  it('the generated JSON Schema describes the config with defaults', () => {
    const schema = JSON.parse(readFileSync(new URL('../../schema/refit.schema.json', import.meta.url), 'utf8'));
    const model = schema.properties.models.additionalProperties;
    expect(model.properties.budget.properties.capacity).toMatchObject({ type: 'number', default: 3 });
    expect(schema.properties.store.default).toBe('sqlite:./.refit/refit.db');
  });

  it('the scaffolded config of refit init is valid', async () => {
    const { SAMPLE_CONFIG } = await import('../init/init.js');
    const dir = project(SAMPLE_CONFIG);
    const c = loadConfig({ cwd: dir, env: {} });
    expect(Object.keys(c.models)).toEqual(['spam', 'urgency']);
    writeFileSync(join(dir, 'x'), '');
  });
});
