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
  // the normalised rows of a call live in one buffer kept across calls: a /v1/decide batch of
  // 65,536 rows would otherwise allocate (and zero) 2.9 MB per request; predict is synchronous
  let inputs = new Float32Array(0);
  return {
    params,
    labels,
    outputSize: mlp.outputs,
    engine: 'dense',
    predict: (batch, rows) => {
      const values = rows * params.normalization.mean.length;
      if (inputs.length < values) inputs = new Float32Array(values);
      return mlp.predict(normalizeRows(batch, rows, params.normalization, inputs.subarray(0, values)), rows);
    },
    dispose() {},
  };
}
