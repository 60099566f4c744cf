/**
 * `refit datasets build MODEL`: a version now — built from the evidence (and pushed to the
 * line's Hub dataset repo when it has one), or, for a line with an external preparer, the open
 * manual preparation advanced (optionally until it ends).
 */
import type { AppContext } from '../app-context.js';
import { UsageError } from '../core/errors.js';
import type { DatasetRecord } from '../stores/datasets.js';
import type { Preparation } from '../stores/preparations.js';
import { buildDataset, pushDatasetVersion } from './build.js';
import { prepareExternally } from './external/prepare-dataset.js';

export type BuildNow =
  { kind: 'built'; dataset: DatasetRecord; created: boolean } | { kind: 'prepared'; preparation: Preparation };

export async function buildNow(
  app: AppContext,
  model: string,
  options: { wait?: boolean; onProgress?: (msg: string) => void } = {},
): Promise<BuildNow> {
  const line = Object.hasOwn(app.config.models, model) ? app.config.models[model] : undefined;
  if (!line) {
    throw new UsageError(
      `unknown model line "${model}": configured lines are ${Object.keys(app.config.models).join(', ')}`,
    );
  }
  if (line.prepare.kind !== 'builtin') {
    return { kind: 'prepared', preparation: await prepareExternally(app, model, { wait: options.wait }) };
  }
  const built = await buildDataset(app, model, { onProgress: options.onProgress });
  if (built.created) await pushDatasetVersion(app, model, built.dataset.tag, built.dataset.location);
  return { kind: 'built', ...built };
}
