/**
 * The `dense` engine: tfjs-layers bundles that are plain dense MLPs run on the typed-array
 * forward pass of src/learn/infer.ts after the bundle's normalisation (src/learn/encode.ts).
 * Produces TensorFlow.js's outputs (test/serve/models.test.ts) without its per-call overhead.
 */
import type { Bundle } from '../../learn/bundle.js';
import { normalizeRows } from '../../learn/encode.js';
import type { Mlp } from '../../learn/infer.js';
import type { Model } from './model.js';

export function denseModel({ params, labels }: Bundle, mlp: Mlp): Model {
  return {
    params,
    labels,
    outputSize: mlp.outputs,
    engine: 'dense',
    predict: (batch, rows) => mlp.predict(normalizeRows(batch, rows, params.normalization), rows),
    dispose() {},
  };
}
