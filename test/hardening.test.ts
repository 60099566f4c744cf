/**
 * Input no clock, stack or object can hold is refused where it enters, with what, where and how
 * to fix it, and the good data beside it is kept: impossible timestamps, deeply nested events
 * (CLI and HTTP), a byte-order mark, model line names every object already has, YAML alias bombs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeApp, openApp } from '../src/app.js';
import { startService } from '../src/service/service.js';
import { cli, ndjson, project } from './helpers/project.js';

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
