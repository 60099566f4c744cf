/**
 * A loaded model version ready to answer requests: the built-in model stays in memory (parsed
 * once, sha256-verified by the registry on load); a command model answers through the line's
 * predict command, one process per batch.
 */
import { dirname } from 'node:path';
import type { AppContext } from '../app-context.js';
import type { ModelLineConfig } from '../config/config.js';
import { predict, type Prediction } from '../ml/train/model.js';
import { getVersion, openArtifact } from '../registry/registry.js';
import { predictWith } from '../training/predict-with.js';
import { builtinModelIn, notServable } from './servable.js';

export interface Predictor {
  model: string;
  version: number;
  predict(inputs: Record<string, unknown>[]): Promise<Prediction[]>;
}

export async function loadPredictor(app: AppContext, line: ModelLineConfig, version: number): Promise<Predictor> {
  const dir = await openArtifact(app, await getVersion(app, line.name, version));
  // The line's predict command serves every version when set (predict-with.ts); else the built-in model.
  if (!line.train.predictCommand) {
    const m = builtinModelIn(dir);
    if (typeof m === 'string') throw notServable(line, version, m);
    return { model: line.name, version, predict: async (inputs) => predict(m, inputs) };
  }
  const configDir = dirname(app.config.source);
  return {
    model: line.name,
    version,
    predict: (inputs) =>
      predictWith(
        line,
        dir,
        inputs.map((input, i) => ({ id: String(i), input })),
        configDir,
      ),
  };
}
