/**
 * A loaded model version ready to answer requests: the built-in model stays in memory (parsed
 * once, sha256-verified by the registry on load); a command model answers through the line's
 * predict command, one process per batch.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppContext } from '../app-context.js';
import type { ModelLineConfig } from '../config/config.js';
import { loadModel, predict, type Prediction } from '../ml/train/model.js';
import { getVersion, openArtifact } from '../registry/registry.js';
import { predictWith } from '../training/predict-with.js';

export interface Predictor {
  model: string;
  version: number;
  predict(inputs: Record<string, unknown>[]): Promise<Prediction[]>;
}

export async function loadPredictor(app: AppContext, line: ModelLineConfig, version: number): Promise<Predictor> {
  const dir = await openArtifact(app, await getVersion(app, line.name, version));
  const file = join(dir, 'model.json');
  // The line's predict command serves every version when set (predict-with.ts); else the built-in model.
  if (!line.train.predictCommand && existsSync(file)) {
    const m = loadModel(file);
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
