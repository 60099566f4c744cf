/**
 * Model artifacts in an S3-compatible store: s3rver (a real S3 protocol server from npm) on
 * 127.0.0.1. Register, open (verified), a corrupted object refused, and a pipeline run whose
 * champion is read back from S3 for the comparison.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, openApp } from '../src/app.js';
import { openArtifact, registerVersion } from '../src/registry/registry.js';
import { S3_ENV, startLocalS3, type LocalS3 } from './helpers/local-s3.js';
import { cli, project } from './helpers/project.js';

let s3: LocalS3;
let endpoint = '';
const creds = S3_ENV;

beforeAll(async () => {
  s3 = await startLocalS3('refit-models');
  endpoint = s3.endpoint;
});
afterAll(async () => {
  await s3.close();
});

describe('S3 artifact store', () => {
  it('registers to S3, opens with verification, refuses a corrupted object', async () => {
    const dir = project(`artifacts: s3://refit-models/team-a\ns3_endpoint: ${endpoint}\nmodels:\n  spam: {}\n`);
    const art = join(dir, 'art');
    mkdirSync(art);
    writeFileSync(join(art, 'model.json'), '{"w":[1,2,3]}');
    writeFileSync(join(art, 'vocab.txt'), 'a\nb\n');
    const app = await openApp({ cwd: dir, env: creds });
    try {
      const v = await registerVersion(app, { model: 'spam', artifactPath: art, actor: 't' });
      expect(v.artifact.uri).toBe('s3://refit-models/team-a/models/spam/v1/model/');
      const local = await openArtifact(app, v);
      expect(local).toMatch(/s3-cache/);
      await s3.client.send(
        new PutObjectCommand({
          Bucket: 'refit-models',
          Key: 'team-a/models/spam/v1/model/model.json',
          Body: '{"w":[9,9,9]}',
        }),
      );
      await expect(openArtifact(app, v)).rejects.toThrow(/is corrupted: sha256 .* does not match the registered/);
    } finally {
      await closeApp(app);
    }
  });

  it('a second run compares against the champion read back from S3', async () => {
    const events = (p: string) =>
      Array.from({ length: 60 }, (_, i) =>
        JSON.stringify({
          type: 'example',
          id: `${p}${i}`,
          model: 'spam',
          input: { text: `${i % 2 ? 'win free prize' : 'meeting notes'} ${p}${i}` },
          label: i % 2 ? 'spam' : 'ham',
        }),
      ).join('\n');
    const dir = project(
      `artifacts: s3://refit-models/team-b\ns3_endpoint: ${endpoint}\nmodels:\n  spam:\n    labels: [ham, spam]\n    gate:\n      - { metric: accuracy, min: 0 }\n`,
      { 'a.ndjson': events('a'), 'b.ndjson': events('b') },
    );
    await cli(['ingest', 'a.ndjson'], { cwd: dir, env: creds });
    expect((await cli(['run', '--force', 'spam'], { cwd: dir, env: creds })).code).toBe(0);
    await cli(['ingest', 'b.ndjson'], { cwd: dir, env: creds });
    const second = await cli(['run', '--force', 'spam', '--json'], { cwd: dir, env: creds });
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).runs[0].outcome).toMatch(/^spam v2 retrained on .* \(champion v1: \d\.\d{3}\)$/);
    expect(second.stdout + second.stderr).not.toContain('S3RVER');
  });
});
