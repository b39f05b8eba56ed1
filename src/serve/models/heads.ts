/**
 * A bundle of several heads (docs/bundles.md `heads`) as one Model: a row holds every feature
 * of the bundle; each head reads its inputs from it and writes its outputs, head after head.
 */
import type { Bundle, BundleHead } from '../../learn/bundle.js';
import type { Model } from './model.js';

/** The bundle as one head sees it: its model file, inputs, their normalisation and its outputs. */
export function headBundle({ dir, params, labels }: Bundle, head: BundleHead): Bundle {
  const columns = head.inputs.map((f) => params.features.indexOf(f));
  const first = params.outputs.indexOf(head.outputs[0]);
  return {
    dir,
    labels:
      labels.length === params.outputs.length ? labels.slice(first, first + head.outputs.length) : labels,
    params: {
      ...params,
      model: head.model,
      features: head.inputs,
      normalization: {
        mean: columns.map((c) => params.normalization.mean[c]),
        std: columns.map((c) => params.normalization.std[c]),
      },
      outputs: head.outputs,
      heads: undefined,
    },
  };
}

export function headsModel({ params, labels }: Bundle, heads: Model[]): Model {
  const width = params.features.length;
  const outputSize = heads.reduce((n, h) => n + h.outputSize, 0);
  const columns = heads.map((h) => h.params.features.map((f) => params.features.indexOf(f)));
  return {
    params,
    labels,
    outputSize,
    engine: heads[0].engine,
    predict(batch: Float32Array, rows: number): Float32Array {
      const out = new Float32Array(rows * outputSize);
      let offset = 0;
      heads.forEach((head, h) => {
        const cols = columns[h];
        const inputs = new Float32Array(rows * cols.length);
        for (let r = 0; r < rows; r++)
          for (let k = 0; k < cols.length; k++) inputs[r * cols.length + k] = batch[r * width + cols[k]];
        const y = head.predict(inputs, rows);
        for (let r = 0; r < rows; r++)
          for (let a = 0; a < head.outputSize; a++)
            out[r * outputSize + offset + a] = y[r * head.outputSize + a];
        offset += head.outputSize;
      });
      return out;
    },
    dispose() {
      for (const head of heads) head.dispose();
    },
  };
}
