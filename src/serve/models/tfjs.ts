/**
 * TensorFlow.js layers models on the WebAssembly backend, for topologies the dense fast path
 * does not cover. The backend's .wasm files come from the installed package; nothing is fetched.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { io, Tensor } from '@tensorflow/tfjs';
import type { BundleContents } from '../bundle.js';
import type { LayersArtifacts } from './dense.js';
import { type Model, normalizedCopy } from './model.js';

type Tf = typeof import('@tensorflow/tfjs');

let ready: Promise<Tf> | undefined;

/** TensorFlow.js with the wasm backend selected, initialised once per process. */
export function tensorflow(): Promise<Tf> {
  ready ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
    const packageJson = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
    setWasmPaths(`${path.join(path.dirname(packageJson), 'dist')}${path.sep}`);
    if (!(await tf.setBackend('wasm'))) throw new Error('the TensorFlow.js wasm backend failed to start');
    return tf;
  })();
  return ready;
}

export async function tfjsModel(
  { params, labels }: BundleContents,
  artifacts: LayersArtifacts,
): Promise<Model> {
  const tf = await tensorflow();
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
      const input = normalizedCopy(batch, rows, params.normalization);
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
