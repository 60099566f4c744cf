/**
 * Pushing dataset versions and model versions to Hugging Face repos through @huggingface/hub's
 * commit API, against the local Hub-shaped server: the files land under the version's path, the
 * dataset repo's root dataset_metadata.json is what a poller reads next, and a refused token fails
 * the run with a message that does not contain it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeHub } from './helpers/fake-hub.js';
import { cli, project } from './helpers/project.js';

const events = () =>
  Array.from({ length: 60 }, (_, i) =>
    JSON.stringify({
      type: 'example',
      id: `e${i}`,
      model: 'spam',
      input: { text: `${i % 2 ? 'win free prize' : 'meeting notes'} ${i}` },
      label: i % 2 ? 'spam' : 'ham',
    }),
  ).join('\n');
const CONFIG = `
models:
  spam:
    labels: [ham, spam]
    hub:
      dataset_repo: owner/spam-data
      model_repo: owner/spam-model
      token: "\${HF_TOKEN}"
`;

describe('pushing to the Hugging Face Hub', () => {
  let hub: FakeHub;
  beforeEach(async () => {
    hub = await new FakeHub().start();
  });
  afterEach(async () => hub.stop());

  it('a run pushes its dataset version and its model version', async () => {
    const dir = project(CONFIG, { 'e.ndjson': events() });
    const env = { HF_ENDPOINT: hub.url, HF_TOKEN: hub.token };
    await cli(['ingest', 'e.ndjson'], { cwd: dir, env });
    const r = await cli(['run', '--force', 'spam', '--json'], { cwd: dir, env });
    expect(r.code, r.stderr + r.stdout.slice(-500)).toBe(0);
    const data = hub.repos.get('datasets/owner/spam-data')!;
    const tag = JSON.parse(data.get('dataset_metadata.json')!.toString()).version_tag;
    expect([...data.keys()].sort()).toEqual([
      'dataset_metadata.json',
      `${tag}/dataset_metadata.json`,
      `${tag}/eval.jsonl`,
      `${tag}/test.jsonl`,
      `${tag}/train.jsonl`,
    ]);
    expect(hub.repos.get('models/owner/spam-model')!.has('v1/model.json')).toBe(true);
    const v = JSON.parse((await cli(['models', 'show', 'spam', '1', '--json'], { cwd: dir, env })).stdout);
    expect(v.tags).toMatchObject({ hub_repo: 'owner/spam-model', hub_commit: expect.stringMatching(/^c\d+$/) });
    // What an external poller reads next: the pushed metadata, through the resolve endpoint.
    const meta = await fetch(`${hub.url}/datasets/owner/spam-data/resolve/main/dataset_metadata.json`, {
      headers: { authorization: `Bearer ${hub.token}` },
    });
    expect((await meta.json()).version_tag).toBe(tag);
  });

  it('a refused token fails the run without showing the token', async () => {
    const dir = project(CONFIG, { 'e.ndjson': events() });
    const env = { HF_ENDPOINT: hub.url, HF_TOKEN: 'hf_refused_token_424242' };
    await cli(['ingest', 'e.ndjson'], { cwd: dir, env });
    const r = await cli(['run', '--force', 'spam', '--json'], { cwd: dir, env });
    expect(r.code).toBe(1);
    const run = JSON.parse(r.stdout).runs[0];
    expect(run.outcome).toContain('pushing to the Hugging Face dataset repo owner/spam-data failed');
    expect(r.stdout + r.stderr).not.toContain('hf_refused_token_424242');
    // The push is its own step: after fixing the token, a retry pushes without rebuilding.
    const fixed = await cli(['run', '--retry', run.runId, '--json'], {
      cwd: dir,
      env: { ...env, HF_TOKEN: hub.token },
    });
    expect(fixed.code, fixed.stdout.slice(-500)).toBe(0);
    expect(hub.repos.get('datasets/owner/spam-data')!.has('dataset_metadata.json')).toBe(true);
  });
});
