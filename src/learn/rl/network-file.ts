/**
 * TensorFlow.js layers files of an `rl` bundle: model.json + weights.bin (addition network,
 * the bundle's `model`) and eviction-model.json + eviction-weights.bin. Read synchronously,
 * because policies are created synchronously: the architecture is Dqn's, the weights come
 * from the weights manifest.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tfType from '@tensorflow/tfjs';
import { BundleError } from '../bundle.js';
import { syncBackend } from './tf.js';

export const ADDITION_MODEL = 'model.json';
export const EVICTION_MODEL = 'eviction-model.json';
const weightsFile = (modelFile: string) => modelFile.replace('model.json', 'weights.bin');

/** model.json and weights.bin contents of a trained network */
export async function networkFiles(
  model: tfType.LayersModel,
  modelFile: string,
): Promise<Record<string, string | Uint8Array>> {
  const tf = syncBackend();
  let files: Record<string, string | Uint8Array> = {};
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const weights = weightsFile(modelFile);
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: [weights], weights: a.weightSpecs }],
      };
      files = {
        [modelFile]: JSON.stringify(json),
        [weights]: new Uint8Array(a.weightData as ArrayBuffer),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return files;
}

/** Loads saved weights into `model` (same architecture). */
export function loadWeights(dir: string, modelFile: string, model: tfType.LayersModel): void {
  const tf = syncBackend();
  try {
    const json = JSON.parse(readFileSync(join(dir, modelFile), 'utf8'));
    const specs = json.weightsManifest[0].weights as tfType.io.WeightsManifestEntry[];
    const data = readFileSync(join(dir, json.weightsManifest[0].paths[0]));
    const named = tf.io.decodeWeights(
      data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
      specs,
    );
    model.setWeights(specs.map((s) => named[s.name]));
  } catch (e) {
    throw new BundleError(dir, modelFile, (e as Error).message);
  }
}
