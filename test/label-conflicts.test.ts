/**
 * A duplicate id with a different label is a conflict, said as one: the stored label is kept and
 * `refit ingest` (text and --json) names each conflicting row; a plain repeat is only a duplicate.
 */
import { describe, expect, it } from 'vitest';
import { cli, ndjson, project } from './helpers/project.js';

const example = (id: string, label: string) => ({
  type: 'example',
  id,
  model: 'spam',
  input: { text: `message ${id}` },
  label,
});

describe('label conflicts', () => {
  it('reports a re-sent id with another label as a conflict and keeps the stored label', async () => {
    const dir = project('models:\n  spam:\n    labels: [ham, spam]\n', {
      'a.ndjson': ndjson([example('e1', 'ham'), example('e2', 'spam'), example('e3', 'ham')]),
      'b.ndjson': ndjson([example('e1', 'ham'), example('e2', 'ham'), example('e4', 'spam')]),
    });
    expect((await cli(['ingest', 'a.ndjson'], { cwd: dir })).code).toBe(0);
    const text = await cli(['ingest', 'b.ndjson'], { cwd: dir });
    expect(text.stdout).toMatch(/1 accepted .* 2 duplicate/);
    expect(text.stdout).toMatch(/1 duplicate\(s\) conflict with the stored label \(the stored one is kept\)/);
    expect(text.stdout).toContain('example spam/e2: label "ham", stored "spam"');
    expect(text.stdout).not.toContain('spam/e1');
    const json = JSON.parse((await cli(['ingest', 'b.ndjson', '--json'], { cwd: dir })).stdout);
    expect(json.conflicts).toBe(1);
    expect(json.conflictRows).toEqual([{ type: 'example', model: 'spam', id: 'e2', stored: 'spam', given: 'ham' }]);
  });
});
