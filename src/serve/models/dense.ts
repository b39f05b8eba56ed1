/**
 * The fast path for tfjs-layers bundles that are plain dense MLPs: the forward pass over the
 * layer weights in typed arrays, row by row with preallocated scratch, so a batch costs one
 * output allocation. Produces TensorFlow.js's outputs (test/serve/models.test.ts) without its
 * per-call overhead; topologies it does not know fall back to TensorFlow.js.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type BundleContents, BundleError } from '../bundle.js';
import { inverseStd, type Model } from './model.js';

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

/** A tfjs-layers model.json read from disk with its weights concatenated in manifest order. */
export interface LayersArtifacts {
  modelTopology: Record<string, unknown>;
  weightSpecs: WeightSpec[];
  weightData: ArrayBuffer;
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
}

export async function readLayersArtifacts({ dir, params }: BundleContents): Promise<LayersArtifacts> {
  let json: {
    modelTopology?: Record<string, unknown>;
    weightsManifest?: { paths: string[]; weights: WeightSpec[] }[];
    format?: string;
    generatedBy?: string;
    convertedBy?: string;
  };
  try {
    json = JSON.parse(await readFile(path.join(dir, params.model), 'utf8'));
  } catch (err) {
    throw new BundleError(dir, 'model', `${params.model} is not valid JSON: ${(err as Error).message}`);
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new BundleError(dir, 'model', `${params.model} has no modelTopology or weightsManifest`);
  }
  const chunks: Buffer[] = [];
  for (const group of json.weightsManifest) {
    for (const file of group.paths) {
      if (path.basename(file) !== file)
        throw new BundleError(dir, 'model', `weights path ${file} leaves the bundle`);
      try {
        chunks.push(await readFile(path.join(dir, file)));
      } catch {
        throw new BundleError(dir, 'model', `weights file ${file} is missing`);
      }
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

type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';
const ACTIVATIONS = new Set<string>(['linear', 'relu', 'sigmoid', 'tanh', 'softmax']);

/** Units are computed four at a time: each input value is loaded once for four accumulators. */
const GROUP = 4;

interface DenseLayer {
  inputs: number;
  units: number;
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

function float32Weights(
  artifacts: LayersArtifacts,
): Map<string, { shape: number[]; values: Float32Array }> | undefined {
  const byName = new Map<string, { shape: number[]; values: Float32Array }>();
  let offset = 0;
  for (const spec of artifacts.weightSpecs) {
    if (spec.dtype !== 'float32' || spec.quantization) return undefined;
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(artifacts.weightData.slice(offset, offset + count * 4));
    byName.set(spec.name, { shape: spec.shape, values });
    offset += count * 4;
  }
  return byName;
}

/** Dense layers of a plain MLP (Dense, with InputLayer and Dropout as no-ops), or undefined. */
function denseLayers(artifacts: LayersArtifacts, inputs: number): DenseLayer[] | undefined {
  const layers = sequentialLayers(artifacts.modelTopology);
  const weights = float32Weights(artifacts);
  if (!layers || !weights) return undefined;
  const dense: DenseLayer[] = [];
  let width = inputs;
  for (const layer of layers) {
    if (layer.class_name === 'InputLayer' || layer.class_name === 'Dropout') continue;
    const { name, units, activation = 'linear', use_bias = true } = layer.config;
    if (layer.class_name !== 'Dense' || !units || !ACTIVATIONS.has(activation)) return undefined;
    const kernel = weights.get(`${name}/kernel`);
    const bias = use_bias ? weights.get(`${name}/bias`) : undefined;
    if (!kernel || kernel.shape[0] !== width || kernel.shape[1] !== units || (use_bias && !bias))
      return undefined;
    dense.push({
      inputs: width,
      units,
      weights: groupKernel(kernel.values, width, units),
      bias: bias ? Float64Array.from(bias.values) : new Float64Array(units),
      activation: activation as Activation,
    });
    width = units;
  }
  return dense.length > 0 ? dense : undefined;
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

/** The typed-array model for a plain dense MLP bundle, or undefined when TensorFlow.js must run it. */
export function denseModel(contents: BundleContents, artifacts: LayersArtifacts): Model | undefined {
  const { params, labels } = contents;
  const width = params.features.length;
  const layers = denseLayers(artifacts, width);
  if (!layers) return undefined;
  const outputSize = layers[layers.length - 1].units;
  const mean = Float64Array.from(params.normalization.mean);
  const scale = inverseStd(params.normalization);
  // activations[i] feeds layer i; the last one holds the output
  const activations = [width, ...layers.map((l) => l.units)].map((n) => new Float64Array(n));
  return {
    params,
    labels,
    outputSize,
    engine: 'dense',
    predict(batch: Float32Array, rows: number): Float32Array {
      const out = new Float32Array(rows * outputSize);
      const input = activations[0];
      for (let r = 0; r < rows; r++) {
        const rowStart = r * width;
        for (let k = 0; k < width; k++) input[k] = (batch[rowStart + k] - mean[k]) * scale[k];
        for (let l = 0; l < layers.length; l++) {
          forward(layers[l], activations[l], activations[l + 1]);
          activate(activations[l + 1], layers[l].units, layers[l].activation);
        }
        const result = activations[layers.length];
        for (let j = 0; j < outputSize; j++) out[r * outputSize + j] = result[j];
      }
      return out;
    },
    dispose() {},
  };
}
