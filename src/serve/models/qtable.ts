/**
 * Tabular Q-learning models (format q-table, docs/bundles.md): each normalised feature falls
 * into a bin, the bins index a state, and the state's row of Q-values (one per action, in
 * `outputs` order) is the model output.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Bundle, BundleError } from '../../learn/bundle.js';
import { normalizeRows } from '../../learn/encode.js';
import type { Model } from './model.js';

interface QTable {
  /** per feature, ascending bin edges: a value falls into the count of edges at or below it */
  bins: number[][];
  /** per state (mixed radix over the features' bins, first feature most significant), Q per action */
  q: number[][];
}

function readTable(raw: unknown, contents: Bundle): QTable {
  const { dir, params } = contents;
  const fail = (reason: string): never => {
    throw new BundleError(dir, 'model', `${params.model}: ${reason}`);
  };
  const table = raw as Partial<QTable>;
  const width = params.features.length;
  const actions = params.outputs.length;
  if (!Array.isArray(table.bins) || table.bins.length !== width)
    fail(`bins needs one edge list per feature (${width})`);
  for (const edges of table.bins!) {
    if (!Array.isArray(edges) || edges.some((e, i) => typeof e !== 'number' || (i > 0 && e < edges[i - 1]))) {
      fail('bin edges must be ascending numbers');
    }
  }
  const states = table.bins!.reduce((n, edges) => n * (edges.length + 1), 1);
  const q = table.q;
  if (!Array.isArray(q) || q.length !== states) fail(`q needs ${states} rows, one per state`);
  if (
    q!.some((row) => !Array.isArray(row) || row.length !== actions || row.some((v) => typeof v !== 'number'))
  ) {
    fail(`every q row needs ${actions} numbers, one per output`);
  }
  return table as QTable;
}

export async function qTableModel(contents: Bundle): Promise<Model> {
  const { dir, params, labels } = contents;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path.join(dir, params.model), 'utf8'));
  } catch (err) {
    throw new BundleError(dir, 'model', `${params.model} is not valid JSON: ${(err as Error).message}`);
  }
  const table = readTable(raw, contents);
  const width = params.features.length;
  const actions = params.outputs.length;
  const edges = table.bins.map((e) => Float64Array.from(e));
  const values = Float32Array.from(table.q.flat());
  return {
    params,
    labels,
    outputSize: actions,
    engine: 'q-table',
    predict(batch: Float32Array, rows: number): Float32Array {
      const out = new Float32Array(rows * actions);
      const inputs = normalizeRows(batch, rows, params.normalization, new Float64Array(rows * width));
      for (let r = 0; r < rows; r++) {
        let state = 0;
        for (let k = 0; k < width; k++) {
          const x = inputs[r * width + k];
          const e = edges[k];
          let bin = 0;
          while (bin < e.length && e[bin] <= x) bin++;
          state = state * (e.length + 1) + bin;
        }
        out.set(values.subarray(state * actions, (state + 1) * actions), r * actions);
      }
      return out;
    },
    dispose() {},
  };
}
