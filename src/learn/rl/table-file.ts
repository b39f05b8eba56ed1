/**
 * The q-table model format (docs/bundles.md), its one reader and writer: per input, ascending
 * bucket edges (Buckets' rule: a value falls in the first bucket whose edge it does not
 * exceed, above the last edge in one more); per state, mixed radix over the inputs' buckets
 * with the first input most significant, one Q-value per output.
 *
 *   { "edges": [[1], [10, 100]], "values": [q(s0,a0), q(s0,a1), q(s1,a0), ...] }
 *
 * The model service and the scdl2 policy read it here; scdl2 bundles hold one file per head.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Random } from '../../common/random.js';
import { BundleError, type BundleHead } from '../bundle.js';
import { ADDITION_ACTIONS, EVICTION_ACTIONS } from './actions.js';
import { Buckets, StateSpace } from './buckets.js';
import { QTable } from './q-table.js';
import { SCDL2_ADDITION_INPUTS, SCDL2_EVICTION_INPUTS } from './state-inputs.js';
import { ADDITION_SPACE, EVICTION_SPACE } from './table-encoder.js';

export interface TableJson {
  edges: number[][];
  values: number[];
}

/** A table read from a bundle: its state space and Q-values, states × outputs. */
export interface LoadedTable {
  space: StateSpace;
  values: Float64Array;
}

export function tableJson(space: StateSpace, values: ArrayLike<number>): string {
  const json: TableJson = { edges: space.features.map((f) => [...f.edges]), values: Array.from(values) };
  return JSON.stringify(json);
}

/** Reads `file` of bundle `dir` as a table over `inputs` inputs with `outputs` Q-values per state. */
export function readTableFile(dir: string, file: string, inputs: number, outputs: number): LoadedTable {
  const fail = (reason: string): never => {
    throw new BundleError(dir, 'model', `${file}: ${reason}`);
  };
  let json: Partial<TableJson>;
  try {
    json = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } catch (err) {
    return fail(`not a readable JSON file: ${(err as Error).message}`);
  }
  const { edges, values } = json;
  if (!Array.isArray(edges) || edges.length !== inputs)
    return fail(`edges needs one list per input (${inputs})`);
  for (const list of edges) {
    const ascending =
      Array.isArray(list) &&
      list.every((e, i) => typeof e === 'number' && Number.isFinite(e) && (i === 0 || e > list[i - 1]));
    if (!ascending) fail('bucket edges must be strictly ascending finite numbers');
  }
  const space = new StateSpace(edges.map((list) => new Buckets(list)));
  if (!Array.isArray(values) || values.length !== space.size * outputs)
    fail(`values needs ${space.size * outputs} numbers: ${space.size} states × ${outputs} outputs`);
  if (values!.some((v) => typeof v !== 'number' || !Number.isFinite(v)))
    fail('values must be finite numbers');
  return { space, values: Float64Array.from(values!) };
}

export const SCDL2_HEADS: BundleHead[] = [
  {
    name: 'addition',
    model: 'addition-table.json',
    inputs: [...SCDL2_ADDITION_INPUTS],
    outputs: [...ADDITION_ACTIONS],
  },
  {
    name: 'eviction',
    model: 'eviction-table.json',
    inputs: [...SCDL2_EVICTION_INPUTS],
    outputs: [...EVICTION_ACTIONS],
  },
];

/** The model files of an scdl2 bundle. */
export function scdl2Files(addition: QTable, eviction: QTable): Record<string, string> {
  const [a, e] = SCDL2_HEADS;
  return {
    [a.model]: tableJson(ADDITION_SPACE, addition.values),
    [e.model]: tableJson(EVICTION_SPACE, eviction.values),
  };
}

/** Both tables of an scdl2 bundle; refused when made with other bucket edges than the agents compute. */
export function readScdl2Tables(dir: string, rng: Random): { addition: QTable; eviction: QTable } {
  const load = (head: BundleHead, space: StateSpace) => {
    const table = readTableFile(dir, head.model, head.inputs.length, head.outputs.length);
    const edges = (s: StateSpace) => JSON.stringify(s.features.map((f) => f.edges));
    if (edges(table.space) !== edges(space))
      throw new BundleError(
        dir,
        'model',
        `${head.model}: bucket edges differ from the scdl2 ${head.name} state`,
      );
    return new QTable(space.size, head.outputs.length, rng, table.values);
  };
  return { addition: load(SCDL2_HEADS[0], ADDITION_SPACE), eviction: load(SCDL2_HEADS[1], EVICTION_SPACE) };
}
