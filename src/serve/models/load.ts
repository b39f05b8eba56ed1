/**
 * From a bundle directory to a running Model: the bundle is read and validated by
 * src/learn/bundle.ts, then the engine its format needs is chosen here (the dense forward
 * pass, TensorFlow.js, ONNX Runtime or a Q-table).
 */
import { type Bundle, BundleError, readBundle } from '../../learn/bundle.js';
import type { Model } from './model.js';

export interface LoadOptions {
  /** `tfjs` runs tfjs-layers bundles through TensorFlow.js even when the dense fast path could */
  engine?: 'auto' | 'tfjs';
}

/** Loads a bundle directory into a ready model, or throws a BundleError naming what is wrong. */
export async function loadModel(dir: string, options: LoadOptions = {}): Promise<Model> {
  const bundle = await readBundle(dir);
  const model = await startEngine(bundle, options);
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
