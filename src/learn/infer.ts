/**
 * Synchronous, dependency-free inference of the small MLPs smartcache trains: a tfjs-layers
 * bundle (model.json + weights.bin) of Dense layers is read with plain file reads and run
 * as batched matrix products over Float32Arrays.
 *
 * Why not tfjs here: a simulator policy is created synchronously (`PolicySpec.create`), on
 * worker threads that receive only the policy name and its parameters, while tfjs model
 * loading and backend start-up are asynchronous. The forward pass below equals tfjs's
 * `model.predict` to float32 rounding (a test checks it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Bundle, BundleError } from './bundle.js';

type Activation = (x: number) => number;
const ACTIVATIONS: Record<string, Activation> = {
  linear: (x) => x,
  relu: (x) => Math.max(x, 0),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
};

interface DenseLayer {
  inputs: number;
  units: number;
  /** [inputs][units], row-major */
  kernel: Float32Array;
  bias: Float32Array;
  activation: Activation;
}

export interface Mlp {
  readonly inputs: number;
  readonly outputs: number;
  /** Runs `rows` input rows (row-major, `inputs` wide); returns `rows × outputs` values. */
  predict(x: Float32Array, rows: number): Float32Array;
}

interface LayerJson {
  class_name: string;
  config: { units?: number; activation?: string; use_bias?: boolean; name?: string };
}
interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
}
interface ModelJson {
  modelTopology: { class_name?: string; config?: { layers?: LayerJson[] } | LayerJson[] };
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
}

const IGNORED_LAYERS = new Set(['Dropout', 'InputLayer']);

/** Reads a tfjs-layers Sequential MLP (Dense layers) from a validated bundle. */
export function loadMlp(bundle: Bundle): Mlp {
  const fail = (reason: string): never => {
    throw new BundleError(bundle.dir, 'model', reason);
  };
  if (bundle.params.format !== 'tfjs-layers') fail(`format ${bundle.params.format} has no built-in runner`);
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(join(bundle.dir, bundle.params.model), 'utf8')) as ModelJson;
  } catch (err) {
    return fail(`${bundle.params.model}: ${(err as Error).message}`);
  }
  const read = (file: string) => readFileSync(join(bundle.dir, file));
  return parseMlp(json, read, bundle.params.features.length, fail);
}

/** The same from in-memory bundle files (model.json text and weight files by name). */
export function mlpFromFiles(files: Readonly<Record<string, string | Uint8Array>>, inputs: number): Mlp {
  const fail = (reason: string): never => {
    throw new Error(`model files: ${reason}`);
  };
  const text = files['model.json'];
  if (typeof text !== 'string') return fail('no model.json');
  const read = (file: string) => {
    const content = files[file];
    if (content === undefined) return fail(`no ${file}`);
    return Buffer.from(content);
  };
  return parseMlp(JSON.parse(text) as ModelJson, read, inputs, fail);
}

function parseMlp(
  json: ModelJson,
  read: (file: string) => Buffer,
  inputs: number,
  fail: (r: string) => never,
): Mlp {
  const config = json.modelTopology?.config;
  const layers = Array.isArray(config) ? config : config?.layers;
  if (!layers) return fail('modelTopology has no layers');
  const manifest = json.weightsManifest ?? [];
  const specs = manifest.flatMap((g) => g.weights);
  const buffers = manifest.flatMap((g) => g.paths.map(read));
  const all = Buffer.concat(buffers);
  const data = new Float32Array(all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength));
  let offset = 0;
  let spec = 0;
  const take = (shape: number[]) => {
    const s = specs[spec++];
    if (s?.dtype !== 'float32' || s.shape.join() !== shape.join()) {
      fail(`weight ${spec - 1} is ${s ? `${s.dtype}[${s.shape}]` : 'missing'}, expected float32[${shape}]`);
    }
    const len = shape.reduce((a, b) => a * b, 1);
    const out = data.subarray(offset, offset + len);
    offset += len;
    return out;
  };
  const dense: DenseLayer[] = [];
  let width = inputs;
  for (const layer of layers) {
    if (IGNORED_LAYERS.has(layer.class_name)) continue;
    if (layer.class_name !== 'Dense') return fail(`layer ${layer.class_name} has no built-in runner`);
    const units = layer.config.units ?? 0;
    const activation = ACTIVATIONS[layer.config.activation ?? 'linear'];
    if (!activation) return fail(`activation ${layer.config.activation} has no built-in runner`);
    const kernel = take([width, units]);
    const bias = layer.config.use_bias === false ? new Float32Array(units) : take([units]);
    dense.push({ inputs: width, units, kernel, bias, activation });
    width = units;
  }
  if (dense.length === 0) fail('no Dense layer');
  if (offset * 4 !== all.byteLength)
    fail(`weights hold ${all.byteLength} bytes, the layers use ${offset * 4}`);
  return new DenseStack(dense);
}

class DenseStack implements Mlp {
  readonly inputs: number;
  readonly outputs: number;

  constructor(private readonly layers: DenseLayer[]) {
    this.inputs = layers[0].inputs;
    this.outputs = layers[layers.length - 1].units;
  }

  predict(x: Float32Array, rows: number): Float32Array {
    let input = x;
    for (const layer of this.layers) {
      const { inputs, units, kernel, bias, activation } = layer;
      const out = new Float32Array(rows * units);
      const acc = new Float64Array(units);
      for (let r = 0; r < rows; r++) {
        acc.set(bias);
        const base = r * inputs;
        for (let i = 0; i < inputs; i++) {
          const v = input[base + i];
          if (v === 0) continue;
          const k = i * units;
          for (let u = 0; u < units; u++) acc[u] += v * kernel[k + u];
        }
        const o = r * units;
        for (let u = 0; u < units; u++) out[o + u] = activation(acc[u]);
      }
      input = out;
    }
    return input;
  }
}
