/**
 * Model bundles (docs/bundles.md): reading and validating params.json, loading the model with
 * the engine its format needs, and writing bundles (one writer for tests, learning and uploads).
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs';
import { FEATURE_NAMES } from '../prep/schema.js';
import {
  type BundleParams,
  MODEL_FORMATS,
  MODEL_KINDS,
  type Model,
  type ModelFormat,
  type ModelKind,
} from './models/model.js';

export const PARAMS_FILE = 'params.json';
export const SMARTCACHE_VERSION = '0.1.0';

/** A bundle that cannot be used, naming the bundle and the offending field. */
export class BundleError extends Error {
  constructor(
    readonly bundle: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`bundle ${bundle}: ${field}: ${reason}`);
    this.name = 'BundleError';
  }
}

/** A model in a format no npm package can run (TensorFlow SavedModel, frozen graph). */
export class UnsupportedFormatError extends BundleError {
  constructor(bundle: string, field: string, found: string) {
    super(
      bundle,
      field,
      `${found} cannot be run by this service; supported formats are ${MODEL_FORMATS.join(', ')}. ` +
        'Convert a Keras/SavedModel with tensorflowjs_converter (--output_format=tfjs_layers_model) ' +
        'or to ONNX with `python -m tf2onnx.convert --saved-model DIR --output model.onnx`',
    );
    this.name = 'UnsupportedFormatError';
  }
}

/** Model names become directory names and URL segments. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TENSORFLOW_FORMATS = /^(tensorflow|tf|saved[-_]?model|frozen[-_]?graph|graphdef|pb|keras|h5)$/i;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFileName(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && path.basename(value) === value && value !== '..';
}

function numberArray(value: unknown, length: number): value is number[] {
  return (
    Array.isArray(value) &&
    value.length === length &&
    value.every((v) => typeof v === 'number' && Number.isFinite(v))
  );
}

/** Checks params.json's fields (not the files); `bundle` names the bundle in errors. */
export function validateParams(raw: unknown, bundle: string): BundleParams {
  const fail = (field: string, reason: string): never => {
    throw new BundleError(bundle, field, reason);
  };
  if (!isRecord(raw)) return fail(PARAMS_FILE, 'must be a JSON object');
  const p = raw;
  if (typeof p.name !== 'string' || !NAME_PATTERN.test(p.name)) {
    fail('name', 'must be 1-128 letters, digits, dots, dashes or underscores, not starting with a dot');
  }
  if (p.version !== undefined && !(Number.isInteger(p.version) && (p.version as number) >= 1)) {
    fail('version', 'must be an integer >= 1');
  }
  const model = p.model;
  if (
    (typeof p.format === 'string' && TENSORFLOW_FORMATS.test(p.format)) ||
    (typeof model === 'string' && /(\.pb|\.pbtxt|saved_model)$/i.test(model))
  ) {
    throw new UnsupportedFormatError(bundle, 'format', `a TensorFlow model (${p.format ?? model})`);
  }
  if (!MODEL_FORMATS.includes(p.format as ModelFormat))
    fail('format', `must be one of ${MODEL_FORMATS.join(', ')}`);
  if (!MODEL_KINDS.includes(p.kind as ModelKind)) fail('kind', `must be one of ${MODEL_KINDS.join(', ')}`);
  if (!isFileName(model)) fail('model', 'must be a file name inside the bundle');
  if (!isFileName(p.labels)) fail('labels', 'must be a file name inside the bundle');
  const features = p.features;
  if (!Array.isArray(features) || features.length === 0)
    fail('features', 'must be a non-empty array of names');
  const names = features as unknown[];
  const unknown = names.filter((f) => typeof f !== 'string' || !FEATURE_NAMES.includes(f));
  if (unknown.length > 0) {
    fail('features', `unknown ${unknown.join(', ')}; known: ${FEATURE_NAMES.join(', ')}`);
  }
  if (new Set(names).size !== names.length) fail('features', 'lists a name twice');
  const norm = p.normalization;
  if (!isRecord(norm) || !numberArray(norm.mean, names.length) || !numberArray(norm.std, names.length)) {
    fail('normalization', `needs mean and std arrays of ${names.length} finite numbers, one per feature`);
  }
  const outputs = p.outputs;
  if (!Array.isArray(outputs) || outputs.length === 0 || !outputs.every((o) => typeof o === 'string')) {
    fail('outputs', 'must be a non-empty array of output names');
  }
  if (p.threshold !== undefined && !(typeof p.threshold === 'number' && Number.isFinite(p.threshold))) {
    fail('threshold', 'must be a finite number');
  }
  for (const field of ['training', 'metrics'] as const) {
    if (p[field] !== undefined && !isRecord(p[field])) fail(field, 'must be an object');
  }
  return p as unknown as BundleParams;
}

async function requireFile(dir: string, file: string, field: string): Promise<string> {
  const full = path.join(dir, file);
  try {
    await access(full);
  } catch {
    throw new BundleError(dir, field, `file ${file} is missing`);
  }
  return full;
}

async function readJson(file: string, bundle: string, field: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BundleError(bundle, field, `not valid JSON: ${(err as Error).message}`);
  }
}

/** Reads and validates a bundle's params.json and checks that its model and labels files exist. */
export async function readBundleParams(dir: string): Promise<BundleParams> {
  const raw = await readJson(await requireFile(dir, PARAMS_FILE, PARAMS_FILE), dir, PARAMS_FILE);
  const params = validateParams(raw, dir);
  await requireFile(dir, params.model, 'model');
  await requireFile(dir, params.labels, 'labels');
  return params;
}

/** labels.txt: one label per line; blank lines are ignored. */
export async function readLabels(dir: string, params: BundleParams): Promise<string[]> {
  const text = await readFile(path.join(dir, params.labels), 'utf8');
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

export interface LoadOptions {
  /** `tfjs` runs tfjs-layers bundles through TensorFlow.js even when the dense fast path could */
  engine?: 'auto' | 'tfjs';
}

/** The pieces every model implementation is built from. */
export interface BundleContents {
  dir: string;
  params: BundleParams;
  labels: string[];
}

/** Loads a bundle directory into a ready model, or throws a BundleError naming what is wrong. */
export async function loadBundle(dir: string, options: LoadOptions = {}): Promise<Model> {
  const params = await readBundleParams(dir);
  const contents: BundleContents = { dir, params, labels: await readLabels(dir, params) };
  const model = await loadModel(contents, options);
  try {
    checkOutputs(contents, model.outputSize);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

async function loadModel(contents: BundleContents, options: LoadOptions): Promise<Model> {
  switch (contents.params.format) {
    case 'tfjs-layers': {
      const { readLayersArtifacts, denseModel } = await import('./models/dense.js');
      const artifacts = await readLayersArtifacts(contents);
      const dense = options.engine === 'tfjs' ? undefined : denseModel(contents, artifacts);
      if (dense) return dense;
      const { tfjsModel } = await import('./models/tfjs.js');
      return tfjsModel(contents, artifacts);
    }
    case 'onnx':
      return (await import('./models/onnx.js')).onnxModel(contents);
    case 'q-table':
      return (await import('./models/qtable.js')).qTableModel(contents);
  }
}

/** One output name per output value, and one label per output (or two for a single probability). */
function checkOutputs({ dir, params, labels }: BundleContents, outputSize: number): void {
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

/** Writes a bundle directory in one step: the files go to a temporary sibling renamed into place. */
export async function writeBundle(
  dir: string,
  params: BundleParams,
  files: Record<string, string | Uint8Array>,
): Promise<void> {
  const parent = path.dirname(path.resolve(dir));
  await mkdir(parent, { recursive: true });
  const temp = path.join(parent, `.${path.basename(dir)}.${randomBytes(6).toString('hex')}.tmp`);
  const old = `${temp}.old`;
  try {
    await mkdir(temp);
    await writeFile(path.join(temp, PARAMS_FILE), `${JSON.stringify(params, null, 2)}\n`);
    for (const [name, data] of Object.entries(files)) await writeFile(path.join(temp, name), data);
    await rename(dir, old).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await rename(temp, dir);
  } finally {
    await rm(temp, { recursive: true, force: true });
    await rm(old, { recursive: true, force: true });
  }
}

/** What a caller states about a new tfjs bundle; the helper fills in files, format and provenance. */
export type NewBundleParams = Omit<
  BundleParams,
  'format' | 'model' | 'labels' | 'createdAt' | 'smartcache'
> & {
  /** one label per output, written to labels.txt */
  labelNames: string[];
};

/** Saves a TensorFlow.js layers model as a bundle (model.json, weights.bin, params.json, labels.txt). */
export async function saveTfjsBundle(
  dir: string,
  model: LayersModel,
  bundle: NewBundleParams,
): Promise<BundleParams> {
  const { labelNames, ...rest } = bundle;
  const params: BundleParams = {
    ...rest,
    format: 'tfjs-layers',
    model: 'model.json',
    labels: 'labels.txt',
    createdAt: new Date().toISOString(),
    smartcache: SMARTCACHE_VERSION,
  };
  validateParams(params, dir);
  let files: Record<string, string | Uint8Array> = {};
  await model.save({
    save: async (artifacts) => {
      const weights = artifacts.weightData ?? new ArrayBuffer(0);
      const parts = Array.isArray(weights) ? weights : [weights];
      const weightBytes = Buffer.concat(parts.map((b) => new Uint8Array(b)));
      const modelJson = {
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: `smartcache ${SMARTCACHE_VERSION}`,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      files = { 'model.json': JSON.stringify(modelJson), 'weights.bin': weightBytes };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  files['labels.txt'] = `${labelNames.join('\n')}\n`;
  await writeBundle(dir, params, files);
  return params;
}
