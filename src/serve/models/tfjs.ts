/**
 * TensorFlow.js layers models, for topologies the dense fast path does not cover, on the
 * backend src/learn/tf.ts starts (WebAssembly, its .wasm files read from the installed package;
 * nothing is fetched).
 */
import type { io, Tensor } from '@tensorflow/tfjs';
import type { Bundle } from '../../learn/bundle.js';
import { normalizeRows } from '../../learn/encode.js';
import type { LayersArtifacts } from '../../learn/infer.js';
import { tf, tfReady } from '../../learn/tf.js';
import type { Model } from './model.js';

export async function tfjsModel({ params, labels }: Bundle, artifacts: LayersArtifacts): Promise<Model> {
  await tfReady();
  const layers = await tf.loadLayersModel({ load: async () => artifacts as io.ModelArtifacts });
  const width = params.features.length;
  const outputShape = layers.outputs[0].shape;
  const outputSize = Number(outputShape[outputShape.length - 1] ?? 1);
  return {
    params,
    labels,
    outputSize,
    engine: 'tfjs',
    predict(batch: Float32Array, rows: number): Float32Array {
      const input = normalizeRows(batch, rows, params.normalization);
      return tf.tidy(() => {
        const output = layers.predict(tf.tensor2d(input, [rows, width])) as Tensor;
        return output.dataSync() as Float32Array;
      });
    },
    dispose() {
      layers.dispose();
    },
  };
}
