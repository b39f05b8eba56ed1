/**
 * Synchronous, dependency-free inference of plain dense MLPs saved as tfjs-layers bundles
 * (model.json + weights.bin): the one forward pass of the simulator's learned policies,
 * rolling retraining and the model service's `dense` engine.
 *
 * Why not tfjs here: a simulator policy is created synchronously (`PolicySpec.create`), on
 * worker threads that receive only the policy name and its parameters, while tfjs model
 * loading and backend start-up are asynchronous; and tfjs costs ~0.4 ms per call. The forward
 * pass runs row by row over Float64 scratch, units four at a time, and equals tfjs's
 * `model.predict` to float32 rounding (tests check it). Inputs are normalised model inputs:
 * `encode` or `normalizeRows` (src/learn/encode.ts) turn feature values into them.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type Bundle, BundleError } from './bundle.js';
import { compileWasmDense, WASM_BLOCK_ROWS, type WasmDense } from './dense-wasm.js';

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

/** A tfjs-layers model.json with its weights concatenated in manifest order. */
export interface LayersArtifacts {
  modelTopology: Record<string, unknown>;
  weightSpecs: WeightSpec[];
  weightData: ArrayBuffer;
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
}

interface ModelJson {
  modelTopology?: Record<string, unknown>;
  weightsManifest?: { paths: string[]; weights: WeightSpec[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
}

/**
 * The artifacts of a model.json text whose weight files `read` returns; `fail` throws the
 * caller's error for a bad file.
 */
function parseArtifacts(
  text: string,
  read: (file: string) => Uint8Array,
  fail: (reason: string) => never,
): LayersArtifacts {
  let json: ModelJson;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail(`not valid JSON: ${(err as Error).message}`);
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    return fail('has no modelTopology or weightsManifest');
  }
  const chunks: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    for (const file of group.paths) {
      if (basename(file) !== file) fail(`weights path ${file} leaves the bundle`);
      chunks.push(read(file));
    }
  }
  const bytes = Buffer.concat(chunks);
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
  };
}

/** Reads a tfjs-layers bundle's model.json and weight files. */
export function readLayersArtifacts(bundle: Bundle): LayersArtifacts {
  const { dir, params } = bundle;
  const fail = (reason: string): never => {
    throw new BundleError(dir, 'model', `${params.model} ${reason}`);
  };
  const read = (file: string): Uint8Array => {
    try {
      return readFileSync(join(dir, file));
    } catch {
      return fail(`names weights file ${file}, which is missing`);
    }
  };
  return parseArtifacts(readFileSync(join(dir, params.model), 'utf8'), read, fail);
}

type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';
const ACTIVATIONS = new Set<string>(['linear', 'relu', 'sigmoid', 'tanh', 'softmax']);

/** Units are computed four at a time: each input value is loaded once for four accumulators. */
const GROUP = 4;
/** below this many rows a batch runs row by row: copying into the wasm memory would cost more than it saves */
const WASM_MIN_ROWS = 8;

interface DenseLayer {
  inputs: number;
  units: number;
  /** [inputs][units] as read, for the wasm pass */
  kernel: Float32Array;
  /**
   * The kernel regrouped for the forward pass: for each group of four units, [input][unit in
   * group]; then the remaining units' weights, one contiguous row per unit.
   */
  weights: Float64Array;
  bias: Float64Array;
  activation: Activation;
}

/** Regroups a [inputs][units] kernel into DenseLayer.weights order. */
function groupKernel(kernel: Float32Array, inputs: number, units: number): Float64Array {
  const out = new Float64Array(inputs * units);
  const grouped = units - (units % GROUP);
  let w = 0;
  for (let g = 0; g < grouped; g += GROUP) {
    for (let k = 0; k < inputs; k++) for (let u = 0; u < GROUP; u++) out[w++] = kernel[k * units + g + u];
  }
  for (let j = grouped; j < units; j++) for (let k = 0; k < inputs; k++) out[w++] = kernel[k * units + j];
  return out;
}

/** One dense layer's pre-activation outputs. */
function forward(layer: DenseLayer, from: Float64Array, to: Float64Array): void {
  const { inputs, units, weights, bias } = layer;
  const grouped = units - (units % GROUP);
  let w = 0;
  for (let j = 0; j < grouped; j += GROUP) {
    let s0 = bias[j];
    let s1 = bias[j + 1];
    let s2 = bias[j + 2];
    let s3 = bias[j + 3];
    for (let k = 0; k < inputs; k++, w += GROUP) {
      const x = from[k];
      s0 += x * weights[w];
      s1 += x * weights[w + 1];
      s2 += x * weights[w + 2];
      s3 += x * weights[w + 3];
    }
    to[j] = s0;
    to[j + 1] = s1;
    to[j + 2] = s2;
    to[j + 3] = s3;
  }
  for (let j = grouped; j < units; j++) {
    let sum = bias[j];
    for (let k = 0; k < inputs; k++, w++) sum += from[k] * weights[w];
    to[j] = sum;
  }
}

function activate(values: Float64Array, count: number, activation: Activation): void {
  switch (activation) {
    case 'linear':
      return;
    case 'relu':
      for (let j = 0; j < count; j++) if (values[j] < 0) values[j] = 0;
      return;
    case 'sigmoid':
      for (let j = 0; j < count; j++) values[j] = 1 / (1 + Math.exp(-values[j]));
      return;
    case 'tanh':
      for (let j = 0; j < count; j++) values[j] = Math.tanh(values[j]);
      return;
    case 'softmax': {
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < count; j++) if (values[j] > max) max = values[j];
      let sum = 0;
      for (let j = 0; j < count; j++) {
        values[j] = Math.exp(values[j] - max);
        sum += values[j];
      }
      for (let j = 0; j < count; j++) values[j] /= sum;
    }
  }
}

interface LayerConfig {
  class_name: string;
  config: { name?: string; units?: number; activation?: string; use_bias?: boolean };
}

/** The Sequential layer list, as tfjs (config.layers) or older Keras (config as array) write it. */
function sequentialLayers(topology: Record<string, unknown>): LayerConfig[] | undefined {
  const root = (topology.model_config ?? topology) as { class_name?: string; config?: unknown };
  if (root.class_name !== 'Sequential') return undefined;
  const config = root.config as { layers?: LayerConfig[] } | LayerConfig[];
  return Array.isArray(config) ? config : config?.layers;
}

type NamedWeights = Map<string, { shape: number[]; values: Float32Array }>;

/** The weights by name, or why they are not plain float32. */
function float32Weights(artifacts: LayersArtifacts): NamedWeights | string {
  const byName: NamedWeights = new Map();
  let offset = 0;
  for (const spec of artifacts.weightSpecs) {
    if (spec.dtype !== 'float32' || spec.quantization) return `weight ${spec.name} is not plain float32`;
    const count = spec.shape.reduce((a, b) => a * b, 1);
    if (offset + count * 4 > artifacts.weightData.byteLength) {
      return `the weight files end before weight ${spec.name}`;
    }
    const values = new Float32Array(artifacts.weightData.slice(offset, offset + count * 4));
    byName.set(spec.name, { shape: spec.shape, values });
    offset += count * 4;
  }
  return byName;
}

/** Dense layers of a plain MLP (Dense, with InputLayer and Dropout as no-ops), or why it is not one. */
function denseLayers(artifacts: LayersArtifacts, inputs: number): DenseLayer[] | string {
  const layers = sequentialLayers(artifacts.modelTopology);
  if (!layers) return 'the topology is not a Sequential model';
  const weights = float32Weights(artifacts);
  if (typeof weights === 'string') return weights;
  const dense: DenseLayer[] = [];
  let width = inputs;
  for (const layer of layers) {
    if (layer.class_name === 'InputLayer' || layer.class_name === 'Dropout') continue;
    const { name, units, activation = 'linear', use_bias = true } = layer.config;
    if (layer.class_name !== 'Dense') return `layer ${layer.class_name} is not Dense`;
    if (!units) return `Dense layer ${name} has no units`;
    if (!ACTIVATIONS.has(activation)) return `activation ${activation} is not built in`;
    const kernel = weights.get(`${name}/kernel`);
    const bias = use_bias ? weights.get(`${name}/bias`) : undefined;
    if (!kernel || kernel.shape[0] !== width || kernel.shape[1] !== units) {
      return `Dense layer ${name} needs a float32 kernel [${width}, ${units}]`;
    }
    if (use_bias && !bias) return `Dense layer ${name} has no bias weights`;
    dense.push({
      inputs: width,
      units,
      kernel: kernel.values,
      weights: groupKernel(kernel.values, width, units),
      bias: bias ? Float64Array.from(bias.values) : new Float64Array(units),
      activation: activation as Activation,
    });
    width = units;
  }
  return dense.length > 0 ? dense : 'no Dense layer';
}

export interface Mlp {
  readonly inputs: number;
  readonly outputs: number;
  /**
   * Runs `rows` rows of normalised model inputs (row-major, `inputs` wide) and returns
   * `rows × outputs` values, row-major; `x` is left unchanged.
   */
  predict(x: Float32Array, rows: number): Float32Array;
  /**
   * The outputs of one row of `x` starting at `offset`, without allocating: the returned
   * array is reused by the next call.
   */
  predictRow(x: Float32Array, offset: number): Float64Array;
}

class DenseStack implements Mlp {
  readonly inputs: number;
  readonly outputs: number;
  /** activations[i] feeds layer i; the last one holds the output */
  private readonly activations: Float64Array[];

  /** the same pass compiled to wasm SIMD for batches, when the model fits it */
  private readonly wasm: WasmDense | undefined;

  constructor(private readonly layers: DenseLayer[]) {
    this.inputs = layers[0].inputs;
    this.outputs = layers[layers.length - 1].units;
    this.activations = [this.inputs, ...layers.map((l) => l.units)].map((n) => new Float64Array(n));
    this.wasm = compileWasmDense(layers);
  }

  predict(x: Float32Array, rows: number): Float32Array {
    const { inputs, outputs } = this;
    const out = new Float32Array(rows * outputs);
    if (this.wasm && rows >= WASM_MIN_ROWS) {
      this.predictWasm(this.wasm, x, rows, out);
      return out;
    }
    for (let r = 0; r < rows; r++) {
      const result = this.predictRow(x, r * inputs);
      for (let j = 0; j < outputs; j++) out[r * outputs + j] = result[j];
    }
    return out;
  }

  /** Blocks of rows through the wasm pass; the last layer's activation applied here, as predictRow does. */
  private predictWasm(wasm: WasmDense, x: Float32Array, rows: number, out: Float32Array): void {
    const { outputs } = this;
    const last = this.layers[this.layers.length - 1];
    const values = this.activations[this.layers.length];
    const stride = wasm.outputsPadded;
    for (let first = 0; first < rows; first += WASM_BLOCK_ROWS) {
      const count = Math.min(WASM_BLOCK_ROWS, rows - first);
      const block = wasm.run(x, first, count);
      for (let r = 0; r < count; r++) {
        for (let j = 0; j < outputs; j++) values[j] = block[r * stride + j];
        activate(values, outputs, last.activation);
        for (let j = 0; j < outputs; j++) out[(first + r) * outputs + j] = values[j];
      }
    }
  }

  predictRow(x: Float32Array, offset: number): Float64Array {
    const { inputs, layers, activations } = this;
    const input = activations[0];
    for (let k = 0; k < inputs; k++) input[k] = x[offset + k];
    for (let l = 0; l < layers.length; l++) {
      forward(layers[l], activations[l], activations[l + 1]);
      activate(activations[l + 1], layers[l].units, layers[l].activation);
    }
    return activations[layers.length];
  }
}

/** One dense layer's weights as tfjs holds them: kernel [inputs][units] row-major. */
export interface DenseWeights {
  kernel: Float32Array;
  bias: Float32Array;
  activation: Activation;
}

/** The forward pass of dense layers given as weights, e.g. a network being trained. */
export function mlpFromWeights(layers: readonly DenseWeights[], inputs: number): Mlp {
  let width = inputs;
  return new DenseStack(
    layers.map(({ kernel, bias, activation }) => {
      const units = bias.length;
      const layer = {
        inputs: width,
        units,
        kernel,
        weights: groupKernel(kernel, width, units),
        bias: Float64Array.from(bias),
        activation,
      };
      width = units;
      return layer;
    }),
  );
}

/** The forward pass of a tfjs-layers model, or why it is not a plain dense MLP of `inputs` inputs. */
export type DenseMlp = { mlp: Mlp } | { unsupported: string };

/** The typed-array forward pass for these artifacts when they are a plain dense MLP. */
export function denseMlp(artifacts: LayersArtifacts, inputs: number): DenseMlp {
  const layers = denseLayers(artifacts, inputs);
  return typeof layers === 'string' ? { unsupported: layers } : { mlp: new DenseStack(layers) };
}

/** Reads a tfjs-layers dense MLP from a validated bundle; throws BundleError (field `model`) for any other model. */
export function loadMlp(bundle: Bundle): Mlp {
  const { dir, params } = bundle;
  if (params.format !== 'tfjs-layers') {
    throw new BundleError(dir, 'format', `${params.format} has no built-in forward pass`);
  }
  const result = denseMlp(readLayersArtifacts(bundle), params.features.length);
  if ('unsupported' in result) {
    throw new BundleError(dir, 'model', `${params.model} is not a plain dense MLP: ${result.unsupported}`);
  }
  return result.mlp;
}

/** The same from in-memory bundle files (model.json text and weight files by name), e.g. a model just trained. */
export function mlpFromFiles(files: Readonly<Record<string, string | Uint8Array>>, inputs: number): Mlp {
  const fail = (reason: string): never => {
    throw new BundleError('in-memory model files', 'model', reason);
  };
  const text = files['model.json'];
  if (typeof text !== 'string') return fail('no model.json text');
  const read = (file: string): Uint8Array => {
    const content = files[file];
    return content === undefined ? fail(`no weights file ${file}`) : Buffer.from(content);
  };
  const result = denseMlp(parseArtifacts(text, read, fail), inputs);
  if ('unsupported' in result) return fail(`not a plain dense MLP: ${result.unsupported}`);
  return result.mlp;
}
