/**
 * Can refit serve this version? A line without a predict command serves the built-in model in
 * the version's `model.json`; a version whose artifact holds none (or one refit cannot load) would
 * be promoted and then fail every predict call. People's promotions (CLI, HTTP, dashboard) are
 * refused up front with what to do instead (`promoteServable`); the predictor refuses to load it
 * the same way.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppContext } from '../app-context.js';
import type { ModelLineConfig } from '../config/config.js';
import { ConflictError } from '../core/errors.js';
import { loadModel, type TrainedModel } from '../ml/train/model.js';
import { getVersion, openArtifact, promote } from '../registry/registry.js';
import { UsageError } from '../core/errors.js';

export function notServable(line: ModelLineConfig, version: number, why: string): ConflictError {
  return new ConflictError(
    `${line.name} v${version} cannot be served: ${why}. Register a model refit can load (the model.json ` +
      `the built-in trainer writes), or set models.${line.name}.train.predict_command to serve it with your own code`,
  );
}

/** The built-in model of an artifact directory, or the reason there is none. */
export function builtinModelIn(dir: string): TrainedModel | string {
  const file = join(dir, 'model.json');
  if (!existsSync(file)) return 'its artifact has no model.json';
  try {
    return loadModel(file);
  } catch (err) {
    return `its model.json does not load (${(err as Error).message.slice(0, 200)})`;
  }
}

/** Throws when refit would serve `version` of the line and cannot. */
export async function checkServable(app: AppContext, line: ModelLineConfig, version: number): Promise<void> {
  if (line.deploy.target !== 'serve' || line.train.predictCommand) return;
  const dir = await openArtifact(app, await getVersion(app, line.name, version));
  const model = builtinModelIn(dir);
  if (typeof model === 'string') throw notServable(line, version, model);
}

/** A person's promotion (CLI, HTTP, dashboard): refused when refit could not serve the version. */
export async function promoteServable(app: AppContext, model: string, version: number, actor: string, reason: string) {
  const line = Object.hasOwn(app.config.models, model) ? app.config.models[model] : undefined;
  if (!line) throw new UsageError(`unknown model line "${model}"`);
  await checkServable(app, line, version);
  return promote(app, model, version, actor, reason);
}
