/**
 * ONNX models on ONNX Runtime's CPU provider. The model takes one float input [rows, features]
 * and its first output is [rows, outputs].
 */
import path from 'node:path';
import { Tensor } from 'onnxruntime-node';
// The package's public InferenceSession.run is asynchronous only because it defers to
// setImmediate; the native session it wraps runs synchronously, which Model.predict needs.
import { binding, initOrt } from 'onnxruntime-node/dist/binding.js';
import { type Bundle, BundleError } from '../../learn/bundle.js';
import { normalizeRows } from '../../learn/encode.js';
import type { Model } from './model.js';

export function onnxModel({ dir, params, labels }: Bundle): Model {
  initOrt();
  const session = new binding.InferenceSession();
  try {
    session.loadModel(path.join(dir, params.model), {});
  } catch (err) {
    throw new BundleError(
      dir,
      'model',
      `ONNX Runtime cannot load ${params.model}: ${(err as Error).message}`,
    );
  }
  const inputName = session.inputMetadata[0]?.name;
  const outputName = session.outputMetadata[0]?.name;
  if (!inputName || !outputName) throw new BundleError(dir, 'model', 'the ONNX model has no input or output');
  const width = params.features.length;
  const run = (batch: Float32Array, rows: number): Float32Array => {
    const input = new Tensor('float32', normalizeRows(batch, rows, params.normalization), [rows, width]);
    const result = session.run({ [inputName]: input }, { [outputName]: null }, {});
    return result[outputName].data as Float32Array;
  };
  let outputSize: number;
  try {
    outputSize = run(new Float32Array(width), 1).length;
  } catch (err) {
    session.dispose();
    throw new BundleError(
      dir,
      'model',
      `a one-row probe of ${width} features failed: ${(err as Error).message}`,
    );
  }
  return {
    params,
    labels,
    outputSize,
    engine: 'onnx',
    predict: run,
    dispose: () => session.dispose(),
  };
}
