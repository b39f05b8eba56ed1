/** Tiny seeded models saved as bundles with the one bundle writer. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { VERSION } from '../../src/common/version.js';
import { type BundleParams, writeBundle } from '../../src/learn/bundle.js';
import { modelFiles, tf, tfReady } from '../../src/learn/tf.js';
import { fixtures, tempPath } from '../helpers.js';

export const FEATURES = ['log_size', 'since_last', 'count_1h', 'count_1d', 'count_ever', 'age'];

export const onnxBundle = path.join(fixtures, 'onnx-admit');
export const onnxExpected: { rows: number[][]; scores: number[] } = JSON.parse(
  readFileSync(path.join(fixtures, 'onnx-admit.expected.json'), 'utf8'),
);

export interface TinyModel {
  name?: string;
  features?: string[];
  hidden?: number[];
  seed?: number;
  /** a non-dense layer forces the TensorFlow.js engine */
  withBatchNorm?: boolean;
  kind?: BundleParams['kind'];
  outputs?: number;
}

/** A seeded dense MLP bundle (sigmoid output) in a fresh directory; answers the directory. */
export async function tinyBundle(options: TinyModel = {}, dir = tempPath('bundle')): Promise<string> {
  await tfReady();
  const { name = 'admit', features = FEATURES, hidden = [8, 4], seed = 1, kind = 'learned-admit' } = options;
  const outputs = options.outputs ?? 1;
  const model = tf.sequential();
  hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        kernelInitializer: tf.initializers.randomNormal({ seed: seed + i, stddev: 0.7 }),
        biasInitializer: tf.initializers.randomNormal({ seed: seed + 100 + i, stddev: 0.2 }),
        ...(i === 0 ? { inputShape: [features.length] } : {}),
      }),
    );
    if (options.withBatchNorm && i === 0) model.add(tf.layers.batchNormalization());
  });
  model.add(
    tf.layers.dense({
      units: outputs,
      activation: outputs === 1 ? 'sigmoid' : 'softmax',
      kernelInitializer: tf.initializers.randomNormal({ seed: seed + 50, stddev: 0.7 }),
    }),
  );
  const params: BundleParams = {
    name,
    kind,
    format: 'tfjs-layers',
    model: 'model.json',
    labels: 'labels.txt',
    features,
    normalization: { mean: features.map((_, i) => i), std: features.map((_, i) => (i === 1 ? 0 : i + 1)) },
    outputs: outputs === 1 ? ['score'] : Array.from({ length: outputs }, (_, i) => `p${i}`),
    threshold: 0.5,
    training: { featureSet: 'test', seed, epochs: 0, rows: 0 },
    metrics: {},
    createdAt: new Date().toISOString(),
    smartcache: VERSION,
  };
  const labels = outputs === 1 ? ['evict', 'admit'] : Array.from({ length: outputs }, (_, i) => `class${i}`);
  await writeBundle(dir, params, labels, await modelFiles(model));
  model.dispose();
  return dir;
}

/** Deterministic pseudo-random feature rows. */
export function randomRows(rows: number, width: number, seed = 3): Float32Array {
  const out = new Float32Array(rows * width);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (state / 2 ** 32) * 10 - 2;
  }
  return out;
}
