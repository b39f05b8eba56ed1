/**
 * Tabular Q-learning models (format q-table, docs/bundles.md), read by the one reader of
 * src/learn/rl/table-file.ts: each normalised feature falls into a bucket, the buckets index a
 * state, and the state's row of Q-values (one per output) is the model output.
 */
import type { Bundle } from '../../learn/bundle.js';
import { normalizeRows } from '../../learn/encode.js';
import { readTableFile } from '../../learn/rl/table-file.js';
import type { Model } from './model.js';

export function qTableModel(contents: Bundle): Model {
  const { dir, params, labels } = contents;
  const width = params.features.length;
  const outputs = params.outputs.length;
  const { space, values } = readTableFile(dir, params.model, width, outputs);
  return {
    params,
    labels,
    outputSize: outputs,
    engine: 'q-table',
    predict(batch: Float32Array, rows: number): Float32Array {
      const out = new Float32Array(rows * outputs);
      const inputs = normalizeRows(batch, rows, params.normalization, new Float64Array(rows * width));
      for (let r = 0; r < rows; r++) {
        const state = space.stateOf(inputs, r * width);
        for (let a = 0; a < outputs; a++) out[r * outputs + a] = values[state * outputs + a];
      }
      return out;
    },
    dispose() {},
  };
}
