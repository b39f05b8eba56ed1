/**
 * From a bundle directory to a running Model: the bundle is read and validated by
 * src/learn/bundle.ts, then the engine its format needs is chosen here (the dense forward
 * pass, TensorFlow.js, ONNX Runtime or a Q-table).
 */
import { type Bundle, BundleError, readBundle } from '../../learn/bundle.js';
import type { LayersArtifacts } from '../../learn/infer.js';
import type { Model } from './model.js';

export interface LoadOptions {
  /** `tfjs` runs tfjs-layers bundles through TensorFlow.js even when the dense fast path could */
  engine?: 'auto' | 'tfjs';
}

/**
 * Loads a bundle directory into a ready model, or throws a BundleError naming what is wrong.
 * An engine that cannot start on the bundle's files (a corrupt topology, weights of the wrong
 * shape) is the bundle's fault: a BundleError whose `cause` is the engine's own error.
 */
export async function loadModel(dir: string, options: LoadOptions = {}): Promise<Model> {
  const bundle = await readBundle(dir);
  let model: Model;
  try {
    model = await startEngine(bundle, options);
  } catch (err) {
    if (err instanceof BundleError) throw err;
    const { params } = bundle;
    throw new BundleError(bundle.dir, 'model', `${params.model} cannot be loaded as ${params.format}`, {
      cause: err,
    });
  }
  try {
    checkOutputs(bundle, model.outputSize);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

async function startEngine(bundle: Bundle, options: LoadOptions): Promise<Model> {
  const { heads } = bundle.params;
  if (!heads) return startHead(bundle, options);
  const { headBundle, headsModel } = await import('./heads.js');
  const started: Model[] = [];
  try {
    for (const head of heads) started.push(await startHead(headBundle(bundle, head), options));
  } catch (err) {
    for (const model of started) model.dispose();
    throw err;
  }
  return headsModel(bundle, started);
}

async function startHead(bundle: Bundle, options: LoadOptions): Promise<Model> {
  switch (bundle.params.format) {
    case 'tfjs-layers': {
      const { denseMlp, readLayersArtifacts } = await import('../../learn/infer.js');
      const artifacts = readLayersArtifacts(bundle);
      checkWeightBytes(bundle, artifacts);
      if (options.engine !== 'tfjs') {
        const dense = denseMlp(artifacts, bundle.params.features.length);
        if ('mlp' in dense) return (await import('./dense.js')).denseModel(bundle, dense.mlp);
      }
      return (await import('./tfjs.js')).tfjsModel(bundle, artifacts);
    }
    case 'onnx':
      return (await import('./onnx.js')).onnxModel(bundle);
    case 'q-table':
      return (await import('./qtable.js')).qTableModel(bundle);
  }
}

/** Bytes per value of each weight dtype tfjs-layers writes, and of its quantized forms. */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** The weight files hold exactly the bytes model.json's weightsManifest describes (a truncated or padded file is refused). */
function checkWeightBytes({ dir, params }: Bundle, artifacts: LayersArtifacts): void {
  let needed = 0;
  for (const spec of artifacts.weightSpecs) {
    const dtype = (spec.quantization as { dtype?: string } | undefined)?.dtype ?? spec.dtype;
    const bytes = DTYPE_BYTES[dtype];
    if (bytes === undefined) {
      throw new BundleError(
        dir,
        'model',
        `${params.model}: weight ${spec.name} has dtype ${dtype}, which is not loaded`,
      );
    }
    needed += bytes * spec.shape.reduce((a, b) => a * b, 1);
  }
  const held = artifacts.weightData.byteLength;
  if (held !== needed) {
    throw new BundleError(
      dir,
      'model',
      `the weight files hold ${held} bytes; the weightsManifest of ${params.model} needs ${needed}`,
    );
  }
}

/** One output name per output value, and one label per output (or two for a single probability). */
function checkOutputs({ dir, params, labels }: Bundle, outputSize: number): void {
  if (params.outputs.length !== outputSize) {
    throw new BundleError(
      dir,
      'outputs',
      `lists ${params.outputs.length} names, the model has ${outputSize} outputs`,
    );
  }
  const fits = labels.length === outputSize || (outputSize === 1 && labels.length === 2);
  if (!fits) {
    throw new BundleError(
      dir,
      'labels',
      `${params.labels} has ${labels.length} labels for ${outputSize} outputs (one per output, or two for one probability)`,
    );
  }
}
