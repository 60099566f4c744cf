/**
 * Input no clock, stack or object can hold is refused where it enters, with what, where and how
 * to fix it, and the good data beside it is kept: impossible timestamps, deeply nested events
 * (CLI and HTTP), a byte-order mark, model line names every object already has, YAML alias bombs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeApp, openApp } from '../src/app.js';
import { startService } from '../src/service/service.js';
import { readReported } from '../src/training/local-training.js';
import { cli, ndjson, project, spamExamples } from './helpers/project.js';

const CONFIG = 'models:\n  spam:\n    labels: [ham, spam]\n';
const example = (id: string, extra: object = {}) => ({
  type: 'example',
  id,
  model: 'spam',
  input: { text: `text ${id}` },
  label: 'ham',
  ...extra,
});
/** An event whose input is nested `depth` levels deep, as JSON text (JSON.stringify would recurse). */
function deepEvent(id: string, depth: number): string {
  const input = '{"a":'.repeat(depth) + '{"x":1}' + '}'.repeat(depth);
  return JSON.stringify(example(id, { input: '@' })).replace('"@"', input);
}
const examplesStored = async (dir: string) =>
  JSON.parse((await cli(['--json', 'status'], { cwd: dir })).stdout).models[0].examples as number;

describe('ingestion refuses what no clock can hold', () => {
  it.each([
    ['a huge epoch number', 99_999_999_999_999_999],
    ['a negative epoch number', -5],
    ['a digit string read as 1970', '20261122'],
    ['an impossible calendar date that would roll over', '2026-02-31T00:00:00Z'],
    ['a year past 2100', '2150-01-01T00:00:00Z'],
    ['a fraction of a millisecond', 1_796_000_000_000.5],
  ])('%s, naming the line, the value and the range; the good rows are stored', async (_, ts) => {
    const dir = project(CONFIG, { 'e.ndjson': ndjson([example('good1'), example('bad', { ts }), example('good2')]) });
    const r = await cli(['ingest', 'e.ndjson'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('e.ndjson:2: ts: expected an ISO-8601 time');
    expect(r.stdout).toContain('between 946684800000 (2000-01-01) and 4102444800000 (2100-01-01)');
    expect(await examplesStored(dir)).toBe(2);
    // And the line still runs: no stored row breaks a later dataset build.
    const run = await cli(['run', '--force', 'spam'], { cwd: dir });
    expect(run.stdout + run.stderr).not.toContain('Invalid time value');
  });

  it('takes real times: ISO with offsets, epoch milliseconds as number or digits', async () => {
    const rows = [
      example('iso', { ts: '2026-11-22T03:12:00+01:00' }),
      example('ms', { ts: 1_796_000_000_000 }),
      example('digits', { ts: '1796000000000' }),
      example('leap', { ts: '2028-02-29T00:00:00Z' }),
    ];
    const dir = project(CONFIG, { 'e.ndjson': ndjson(rows) });
    const r = await cli(['ingest', 'e.ndjson'], { cwd: dir });
    expect(r.code, r.stdout).toBe(0);
    expect(await examplesStored(dir)).toBe(4);
  });
});

describe('deeply nested input', () => {
  it('the CLI refuses the event with its field and keeps the rows after it', async () => {
    const lines = [JSON.stringify(example('a')), deepEvent('deep', 5000)];
    lines.push(JSON.stringify(example('b')));
    const dir = project(CONFIG, { 'e.ndjson': lines.join('\n') + '\n' });
    const r = await cli(['ingest', 'e.ndjson'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/e\.ndjson:2: input(\.a)+: nested deeper than 32 levels: flatten the input/);
    expect(r.stderr).not.toMatch(/RangeError|Maximum call stack/);
    expect(await examplesStored(dir)).toBe(2);
  });

  it('HTTP answers 422 for that event and stores the rest of the batch', async () => {
    const token = 'ingest-token-0123456789abcdef';
    const dir = project(`serve:\n  tokens: [{ token: "${token}", scopes: [ingest, read] }]\n${CONFIG}`);
    const app = await openApp({ cwd: dir, env: {} });
    const svc = await startService(app, { port: 0 });
    try {
      const events = `[${JSON.stringify(example('h1'))},${deepEvent('deep', 3000)},${JSON.stringify(example('h2'))}]`;
      const res = await fetch(`${svc.url}/v1/feedback`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: events,
      });
      expect(res.status).toBe(422);
      const body = await res.json();
      expect(body).toMatchObject({ accepted: 2, rejected: 1, errors: [{ index: 2 }] }); // 1-based
      expect(body.errors[0].reason).toContain('nested deeper than 32 levels');
      const text = await fetch(`${svc.url}/v1/feedback`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
        body: JSON.stringify(example('t1')),
      });
      expect(text.status).toBe(415);
      expect((await text.json()).error).toContain(
        'Content-Type "text/plain" is not JSON: send Content-Type: application/json',
      );
      const unknown = await fetch(`${svc.url}/v1/models/constructor/versions`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(unknown.status).toBe(404);
    } finally {
      await svc.stop();
      await closeApp(app);
    }
    expect(await examplesStored(dir)).toBe(2);
  });
});

describe('files and config', () => {
  it('an NDJSON file that starts with a byte-order mark is read from its first line', async () => {
    const dir = project(CONFIG);
    writeFileSync(join(dir, 'bom.ndjson'), '\uFEFF' + ndjson([example('b1'), example('b2')]));
    const r = await cli(['ingest', 'bom.ndjson'], { cwd: dir });
    expect(r.code, r.stdout).toBe(0);
    expect(await examplesStored(dir)).toBe(2);
  });

  it.each(['__proto__', 'constructor', 'toString'])('refuses %s as a model line name with its line', async (name) => {
    const dir = project(`models:\n  spam:\n    labels: [ham, spam]\n  ${name}:\n    labels: [a, b]\n`);
    const r = await cli(['plan'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`refit.yaml:4: models.${name}: this name is reserved: choose another model line name`);
  });

  it('refuses a YAML alias bomb as a config error with a line, not a crash', async () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      CONFIG,
    ].join('\n');
    const dir = project(bomb);
    const r = await cli(['plan'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refit\.yaml:\d+: YAML aliases expand too far/);
    expect(r.stderr).not.toContain('unexpected error');
    expect(readFileSync(join(dir, 'refit.yaml'), 'utf8')).toBe(bomb);
  });
});

describe('secrets in config errors', () => {
  it.each([
    ['a too-short token', 'serve:\n  tokens:\n    - { token: "short-secret-9", scopes: [admin] }\n', 'short-secret-9'],
    [
      'a token entry with a misspelled key',
      'serve:\n  tokens:\n    - { tokn: "a-long-secret-token-1234567", scopes: [admin] }\n',
      'a-long-secret-token-1234567',
    ],
    [
      'a webhook URL that is not one',
      'notify:\n  - { kind: slack, webhook_url: "hooks.slack.com/services/T0/B0/XSECRETX" }\n',
      'XSECRETX',
    ],
  ])('%s is named by field and line, its value never printed', async (_, section, secret) => {
    const dir = project(`${section}${CONFIG}`);
    const r = await cli(['plan'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refit\.yaml:\d+: (serve\.tokens\[0\]|notify\[0\])/);
    expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it('a value interpolated from the environment is not echoed', async () => {
    const dir = project(`serve:\n  port: \${PORT_FROM_ENV}\n${CONFIG}`);
    const r = await cli(['plan'], { cwd: dir, env: { PORT_FROM_ENV: 'hunter2-not-a-port' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('serve.port');
    expect(r.stderr).not.toContain('hunter2-not-a-port');
  });
});

describe('secret URLs', () => {
  it("a secret URL's path and password are secrets too: a server echoing them alone is redacted", async () => {
    const hook = 'https://hooks.slack.com/services/T0000/B0000/XXXXsecretpath';
    const dir = project(`notify:\n  - { kind: slack, webhook_url: "${hook}" }\n${CONFIG}`);
    const { loadConfig } = await import('../src/config/load.js');
    const { redact } = await import('../src/config/secrets.js');
    const env = { REFIT_STORE: 'postgres://refit:pg-pass-42@127.0.0.1:1/refit' };
    const config = loadConfig({ cwd: dir, env });
    const echoed = 'invalid_token: no such hook /services/T0000/B0000/XXXXsecretpath (auth pg-pass-42)';
    const shown = redact(echoed, config.secretValues);
    expect(shown).not.toContain('XXXXsecretpath');
    expect(shown).not.toContain('pg-pass-42');
    expect(shown).toContain('invalid_token: no such hook');
  });
});

describe('log amplification', () => {
  it('100,000 empty events in one request log a handful of lines, not one per event', async () => {
    const token = 'ingest-token-0123456789abcdef';
    const dir = project(
      `serve:\n  body_limit: 1048576\n  tokens: [{ token: "${token}", scopes: [ingest] }]\n${CONFIG}`,
    );
    const lines: string[] = [];
    const app = await openApp({ cwd: dir, env: {} });
    const warn = app.logger.warn.bind(app.logger);
    app.logger.warn = (msg: string, fields?: Record<string, unknown>) => (lines.push(msg), warn(msg, fields));
    const svc = await startService(app, { port: 0 });
    try {
      const res = await fetch(`${svc.url}/v1/feedback`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: `[${Array(100_000).fill('{}').join(',')}]`,
      });
      expect(res.status).toBe(422);
      expect((await res.json()).rejected).toBe(100_000);
    } finally {
      await svc.stop();
      await closeApp(app);
    }
    const rejectedLines = lines.filter((l) => l.includes('reject'));
    expect(rejectedLines.length).toBeLessThanOrEqual(21);
    expect(rejectedLines.at(-1)).toContain('only the first 20 are logged');
  }, 60_000);
});

describe('refit serve on a port in use', () => {
  it('says so and how to fix it, without a stack trace (exit 2)', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const dir = project(CONFIG);
      const r = await cli(['serve', '--port', String(port)], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`127.0.0.1:${port} is already in use: stop what listens there, or pick a port`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });
});

describe('the Hub answering 401 with X-Error-Code', () => {
  it('RepoNotFound is a name to check, not a refused token; a plain 401 is still the token', async () => {
    const { listenLocal } = await import('./helpers/local-server.js');
    const { httpCall } = await import('../src/integrations/http.js');
    const hub = await listenLocal((req, _body, send, res) => {
      if (req.url?.includes('misspelled')) {
        res.writeHead(401, { 'content-type': 'application/json', 'x-error-code': 'RepoNotFound' });
        return res.end(JSON.stringify({ error: 'Repository Not Found' }));
      }
      send(401, { error: 'Invalid credentials in Authorization header' });
    });
    try {
      const at = (path: string) => ({ method: 'GET' as const, url: hub.url + path, token: 'hf_x', timeoutMs: 5000 });
      const missing = await httpCall(at('/datasets/owner/misspelled/resolve/main/dataset_metadata.json'));
      expect(missing.kind).toBe('not_found');
      expect('message' in missing && missing.message).toContain('RepoNotFound — no such repository, or it is private');
      const refused = await httpCall(at('/datasets/owner/real/resolve/main/dataset_metadata.json'));
      expect(refused.kind).toBe('auth');
    } finally {
      await hub.stop();
    }
  });
});

describe('labels', () => {
  it('a prediction with a label the line does not have is refused like such feedback, naming the known ones', async () => {
    const rows = [
      { type: 'prediction', id: 'p1', model: 'spam', input: { text: 'x' }, prediction: 'eggs' },
      { type: 'prediction', id: 'p2', model: 'spam', input: { text: 'y' }, prediction: 'ham' },
      { type: 'feedback', prediction_id: 'p2', model: 'spam', label: 'eggs' },
    ];
    const dir = project(CONFIG, { 'e.ndjson': ndjson(rows) });
    const r = await cli(['ingest', 'e.ndjson'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('e.ndjson:1: prediction: unknown label "eggs" for model line "spam" (known: ham, spam)');
    expect(r.stdout).toContain('e.ndjson:3: label: unknown label "eggs" for model line "spam" (known: ham, spam)');
    expect(r.stdout).toContain('1 accepted (1 predictions');
  });
});

describe('found by the reliability suite (npm run test:reliability)', () => {
  it('a split line that is JSON but not an object (null, a number) is a bad line, not a crash', async () => {
    const dir = project('models:\n  spam:\n    labels: [ham, spam]\n');
    mkdirSync(join(dir, 'v1'));
    writeFileSync(join(dir, 'v1', 'dataset_metadata.json'), 'false');
    writeFileSync(join(dir, 'v1', 'train.jsonl'), 'null\n42\n');
    const r = await cli(['validate', 'v1'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/unexpected error|TypeError/);
    expect(r.stdout).toMatch(/train\.jsonl:1/);
  });

  it('a config error quoting a value from the environment names the variable, not its value', async () => {
    const dir = project('models:\n  spam:\n    gate:\n      - { metric: "${METRIC}", min: 0.8 }\n');
    const r = await cli(['status'], { cwd: dir, env: { METRIC: 'sk-live-4f9a7c0d1e' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refit does not compute "${METRIC}"');
    expect(r.stderr).not.toContain('sk-live-4f9a7c0d1e');
  });

  it('a row stored with a time no clock can hold (before times were checked) fails the run naming it', async () => {
    const dir = project('models:\n  spam:\n    labels: [ham, spam]\n', { 'e.ndjson': spamExamples(60) });
    await cli(['ingest', 'e.ndjson'], { cwd: dir });
    const app = await openApp({ cwd: dir, env: {} });
    await app.store.db.updateTable('examples').set({ ts_ms: 1e20 }).where('id', '=', 'e7').execute();
    await closeApp(app);
    const r = await cli(['run', '--force', 'spam', '--wait', '1m', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    const outcome = JSON.parse(r.stdout).runs[0].outcome as string;
    expect(outcome).toMatch(/example row "e7" has a time no clock can hold \(ts_ms 100000000000000000000\)/);
    expect(outcome).not.toMatch(/Invalid time value/);
  });

  it("a trainer's metrics.json that is JSON but not an object is kept as unreadable, not a failed run", () => {
    const dir = project('models:\n  spam: {}\n');
    for (const text of ['[]', '42', '"fine"', 'null']) {
      writeFileSync(join(dir, 'metrics.json'), text);
      expect(readReported(dir)).toEqual({ unreadable: 'metrics.json is not a JSON object of metrics' });
    }
    writeFileSync(join(dir, 'metrics.json'), '{"accuracy": 0.9}');
    expect(readReported(dir)).toEqual({ accuracy: 0.9 });
  });
});
