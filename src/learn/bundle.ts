/**
 * Model bundles, exactly as docs/bundles.md defines them: a directory with params.json,
 * labels.txt and the model file(s) of its format. The one reader and writer of bundles: the
 * trainers write them, the simulator, the model service and cache nodes read them here.
 * Writing is atomic (a temporary directory renamed into place); reading validates every field
 * and refuses a bad bundle with a BundleError naming the bundle directory and the field.
 *
 * This module knows files and JSON only, not TensorFlow.js: the simulator reads tfjs-layers
 * weights without tfjs (src/learn/infer.ts), training writes them with tfjs (src/learn/tf.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { replaceDirectory } from '../prep/output-dir.js';
import { FEATURE_NAMES } from '../prep/schema.js';
import type { Normalization } from './encode.js';
import { AGENT_INPUT_NAMES } from './rl/state-inputs.js';

export const PARAMS_FILE = 'params.json';
/** The smartcache version written into params.json's `smartcache` field. */
export const BUNDLE_KINDS = ['learned-admit', 'learned-evict', 'rl', 'scdl2'] as const;
export type BundleKind = (typeof BUNDLE_KINDS)[number];
export const BUNDLE_FORMATS = ['tfjs-layers', 'onnx', 'q-table'] as const;
export type BundleFormat = (typeof BUNDLE_FORMATS)[number];

/** The files each format needs besides params.json and the labels file. */
const FORMAT_FILES: Record<BundleFormat, (model: string) => string[]> = {
  'tfjs-layers': (model) => [model, 'weights.bin'],
  onnx: (model) => [model],
  'q-table': (model) => [model],
};

/** Model names become directory names and URL segments of the model service. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** TensorFlow formats no npm package can run: SavedModel, frozen graph (TFaaS's own), Keras HDF5. */
const TENSORFLOW_FORMATS = /^(tensorflow|tf|saved[-_]?model|frozen[-_]?graph|graphdef|pb|keras|h5)$/i;
const TENSORFLOW_MODEL_FILES = /(\.pb|\.pbtxt|saved_model)$/i;

/** How the bundle was trained; every field is optional because other tools' uploads may lack it. */
export interface BundleTraining {
  featureSet?: string;
  trainDays?: [string, string];
  seed?: number;
  epochs?: number;
  rows?: number;
  [extra: string]: unknown;
}

/** params.json (docs/bundles.md). */
export interface BundleParams {
  name: string;
  /** absent until the model service assigns one */
  version?: number;
  kind: BundleKind;
  format: BundleFormat;
  /** the model file name inside the bundle */
  model: string;
  /** the labels file name inside the bundle */
  labels: string;
  features: string[];
  normalization: Normalization;
  outputs: string[];
  /**
   * Several decision heads in one bundle (an RL agent's addition and eviction): each reads the
   * named features and writes the named outputs, from its own model file of the bundle's
   * format. Without heads, one head reads every feature and writes every output from `model`.
   */
  heads?: BundleHead[];
  threshold?: number;
  /** admission thresholds tuned per cache size (bytes); a cache uses the one tuned nearest its size */
  thresholds?: TunedThreshold[];
  training?: BundleTraining;
  metrics?: Record<string, number>;
  createdAt?: string;
  smartcache?: string;
}

export interface BundleHead {
  name: string;
  /** its model file, of the bundle's format */
  model: string;
  /** the features it reads, a subset of the bundle's, in its own order */
  inputs: string[];
  /** its outputs; the bundle's outputs are every head's, head after head */
  outputs: string[];
}

export interface TunedThreshold {
  cacheSize: number;
  threshold: number;
  /** the eviction policy the threshold was tuned under (learned-admit's default `under`) */
  under?: string;
}

export interface Bundle {
  /** absolute bundle directory */
  dir: string;
  params: BundleParams;
  /** one label per output, from the labels file */
  labels: string[];
}

/** What the reader expects beyond the contract, e.g. the exact feature list a consumer computes. */
export interface BundleExpectations {
  kind?: BundleKind | readonly BundleKind[];
  format?: BundleFormat;
  /** the bundle's features must be exactly these, in this order */
  features?: readonly string[];
}

/** A bundle that cannot be used, naming the bundle and the offending field. */
export class BundleError extends Error {
  constructor(
    readonly bundle: string,
    readonly field: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`model bundle ${bundle}: ${field}: ${reason}`, options);
    this.name = 'BundleError';
  }
}

/** A model in a format no npm package can run (TensorFlow SavedModel, frozen graph). */
export class UnsupportedFormatError extends BundleError {
  constructor(bundle: string, field: string, found: string) {
    super(
      bundle,
      field,
      `${found} cannot be run by smartcache; supported formats are ${BUNDLE_FORMATS.join(', ')}. ` +
        'Convert a Keras/SavedModel with tensorflowjs_converter (--output_format=tfjs_layers_model) ' +
        'or to ONNX with `python -m tf2onnx.convert --saved-model DIR --output model.onnx`',
    );
    this.name = 'UnsupportedFormatError';
  }
}

/** The files a bundle consists of for these params, params.json first. */
export function bundleFiles(params: Pick<BundleParams, 'format' | 'model' | 'labels' | 'heads'>): string[] {
  const models = [params.model, ...(params.heads ?? []).map((h) => h.model)];
  return [...new Set([PARAMS_FILE, params.labels, ...models.flatMap((m) => FORMAT_FILES[params.format](m))])];
}

/**
 * Writes a bundle atomically: `files` maps file names (the model files of the format) to
 * their content; params.json and the labels file are written from `params` and `labels`.
 * The params are validated first, so a bundle that would not load is never written.
 */
export async function writeBundle(
  dir: string,
  params: BundleParams,
  labels: readonly string[],
  files: Readonly<Record<string, string | Uint8Array>>,
  options: { overwrite?: boolean } = {},
): Promise<Bundle> {
  const abs = resolve(dir);
  validateParams(params, abs);
  for (const file of bundleFiles(params).slice(2)) {
    if (!(file in files)) throw new BundleError(abs, 'model', `no content given for ${file}`);
  }
  await mkdir(join(abs, '..'), { recursive: true });
  await replaceDirectory(abs, options.overwrite ?? true, async (temp) => {
    await mkdir(temp);
    for (const [name, content] of Object.entries(files)) await writeFile(join(temp, name), content);
    await writeFile(join(temp, params.labels), `${labels.join('\n')}\n`);
    await writeFile(join(temp, PARAMS_FILE), `${JSON.stringify(params, null, 2)}\n`);
  });
  return { dir: abs, params, labels: [...labels] };
}

/** Reads and validates a bundle; throws BundleError naming the field that is wrong. */
export async function readBundle(dir: string, expect: BundleExpectations = {}): Promise<Bundle> {
  return readBundleSync(dir, expect);
}

/**
 * The same, synchronously: simulator policies load their bundle in `PolicySpec.create`,
 * which is synchronous (the files are small).
 */
export function readBundleSync(dir: string, expect: BundleExpectations = {}): Bundle {
  const abs = resolve(dir);
  let raw: string;
  try {
    raw = readFileSync(join(abs, PARAMS_FILE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BundleError(abs, PARAMS_FILE, code === 'ENOENT' ? 'missing' : (err as Error).message);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new BundleError(abs, PARAMS_FILE, `not JSON: ${(err as Error).message}`);
  }
  const params = validateParams(json, abs);
  for (const file of bundleFiles(params)) {
    if (!existsSync(join(abs, file))) {
      throw new BundleError(abs, file === params.labels ? 'labels' : 'model', `file ${file} is missing`);
    }
  }
  const labels = readFileSync(join(abs, params.labels), 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (labels.length === 0) throw new BundleError(abs, 'labels', `${params.labels} is empty`);
  checkExpectations(abs, params, expect);
  return { dir: abs, params, labels };
}

function checkExpectations(dir: string, params: BundleParams, expect: BundleExpectations): void {
  if (expect.kind !== undefined) {
    const kinds: readonly BundleKind[] = typeof expect.kind === 'string' ? [expect.kind] : expect.kind;
    if (!kinds.includes(params.kind)) {
      throw new BundleError(dir, 'kind', `is ${params.kind}, expected ${kinds.join(' or ')}`);
    }
  }
  if (expect.format !== undefined && params.format !== expect.format) {
    throw new BundleError(dir, 'format', `is ${params.format}, expected ${expect.format}`);
  }
  if (expect.features) {
    const want = expect.features;
    const got = params.features;
    const missing = want.filter((f) => !got.includes(f));
    const extra = got.filter((f) => !want.includes(f));
    if (missing.length > 0) throw new BundleError(dir, 'features', `missing ${missing.join(', ')}`);
    if (extra.length > 0) throw new BundleError(dir, 'features', `not computed here: ${extra.join(', ')}`);
    const at = got.findIndex((f, i) => f !== want[i]);
    if (at >= 0) {
      throw new BundleError(dir, 'features', `reordered: position ${at} is ${got[at]}, expected ${want[at]}`);
    }
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumberArray = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');
/** A plain file name inside the bundle directory, never a path out of it. */
const isFileName = (v: unknown): v is string =>
  typeof v === 'string' && v !== '' && v !== '..' && basename(v) === v;

/**
 * Checks params.json against docs/bundles.md (the fields, not the files); returns it typed.
 * `dir` names the bundle in errors. `training`, `metrics`, `createdAt` and `smartcache` may be
 * absent (uploads from other tools), but are checked when present.
 */
export function validateParams(json: unknown, dir: string): BundleParams {
  const fail = (field: string, reason: string): never => {
    throw new BundleError(dir, field, reason);
  };
  if (!isObject(json)) return fail(PARAMS_FILE, 'is not a JSON object');
  const p = json;
  if (typeof p.name !== 'string' || !NAME_PATTERN.test(p.name)) {
    fail('name', 'must be 1-128 letters, digits, dots, dashes or underscores, not starting with a dot');
  }
  if (p.version !== undefined && !(Number.isSafeInteger(p.version) && (p.version as number) >= 1)) {
    fail('version', `must be an integer >= 1, got ${JSON.stringify(p.version)}`);
  }
  if (
    (typeof p.format === 'string' && TENSORFLOW_FORMATS.test(p.format)) ||
    (typeof p.model === 'string' && TENSORFLOW_MODEL_FILES.test(p.model))
  ) {
    throw new UnsupportedFormatError(dir, 'format', `a TensorFlow model (${p.format ?? p.model})`);
  }
  if (!BUNDLE_KINDS.includes(p.kind as BundleKind)) {
    fail('kind', `must be one of ${BUNDLE_KINDS.join(', ')}, got ${JSON.stringify(p.kind)}`);
  }
  if (!BUNDLE_FORMATS.includes(p.format as BundleFormat)) {
    fail('format', `must be one of ${BUNDLE_FORMATS.join(', ')}, got ${JSON.stringify(p.format)}`);
  }
  if (!isFileName(p.model)) fail('model', 'must be a file name inside the bundle');
  if (!isFileName(p.labels)) fail('labels', 'must be a file name inside the bundle');
  if (!isStringArray(p.features) || p.features.length === 0)
    fail('features', 'must be a non-empty string array');
  const features = p.features as string[];
  const known = p.heads === undefined ? FEATURE_NAMES : [...FEATURE_NAMES, ...AGENT_INPUT_NAMES];
  const unknown = features.filter((f) => !known.includes(f));
  if (unknown.length > 0)
    fail('features', `unknown feature names ${unknown.join(', ')} (known: ${known.join(', ')})`);
  const dup = features.find((f, i) => features.indexOf(f) !== i);
  if (dup !== undefined) fail('features', `${dup} is listed twice`);
  validateNormalization(p.normalization, features.length, fail);
  if (!isStringArray(p.outputs) || p.outputs.length === 0)
    fail('outputs', 'must be a non-empty string array');
  if (p.heads !== undefined) validateHeads(p.heads, features, p.outputs as string[], fail);
  if (p.threshold !== undefined && !(typeof p.threshold === 'number' && Number.isFinite(p.threshold))) {
    fail('threshold', 'must be a finite number when present');
  }
  if (p.thresholds !== undefined) {
    const valid =
      Array.isArray(p.thresholds) &&
      p.thresholds.every(
        (t) =>
          isObject(t) &&
          typeof t.cacheSize === 'number' &&
          t.cacheSize > 0 &&
          Number.isFinite(t.threshold) &&
          (t.under === undefined || typeof t.under === 'string'),
      );
    if (!valid) fail('thresholds', 'must be a list of { cacheSize > 0, threshold, under? } when present');
  }
  if (p.training !== undefined) validateTraining(p.training, fail);
  if (p.metrics !== undefined) {
    if (!isObject(p.metrics)) fail('metrics', 'must be an object');
    for (const [key, value] of Object.entries(p.metrics as object)) {
      if (typeof value !== 'number') fail(`metrics.${key}`, 'must be a number');
    }
  }
  if (p.createdAt !== undefined) {
    if (typeof p.createdAt !== 'string' || Number.isNaN(Date.parse(p.createdAt)))
      fail('createdAt', 'must be an ISO-8601 time');
  }
  if (p.smartcache !== undefined && (typeof p.smartcache !== 'string' || p.smartcache.length === 0)) {
    fail('smartcache', 'must be a non-empty string');
  }
  return p as unknown as BundleParams;
}

/** Heads with distinct names, inputs among the features, and outputs that make up the bundle's, in order. */
function validateHeads(
  heads: unknown,
  features: string[],
  outputs: string[],
  fail: (field: string, reason: string) => never,
): void {
  if (!Array.isArray(heads) || heads.length === 0) fail('heads', 'must be a non-empty list when present');
  const list = heads as unknown[];
  list.forEach((head, i) => {
    const field = `heads[${i}]`;
    if (!isObject(head) || typeof head.name !== 'string' || head.name === '')
      fail(field, 'needs a name, a model file, inputs and outputs');
    const h = head as Record<string, unknown>;
    if (!isFileName(h.model)) fail(`${field}.model`, 'must be a file name inside the bundle');
    if (!isStringArray(h.inputs) || h.inputs.length === 0)
      fail(`${field}.inputs`, 'must be a non-empty string array');
    const missing = (h.inputs as string[]).filter((f) => !features.includes(f));
    if (missing.length > 0) fail(`${field}.inputs`, `${missing.join(', ')} not among the features`);
    if (!isStringArray(h.outputs) || h.outputs.length === 0)
      fail(`${field}.outputs`, 'must be a non-empty string array');
  });
  const names = list.map((h) => (h as BundleHead).name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) fail('heads', `${dup} is named twice`);
  const joined = list.flatMap((h) => (h as BundleHead).outputs);
  if (JSON.stringify(joined) !== JSON.stringify(outputs))
    fail(
      'heads',
      `their outputs (${joined.join(', ')}) must be the bundle's outputs (${outputs.join(', ')}), in order`,
    );
}

/**
 * One finite mean and a std >= 0 per feature. The error names `normalization.mean` or
 * `normalization.std` when only that one is wrong, `normalization` when the whole is.
 */
function validateNormalization(
  norm: unknown,
  width: number,
  fail: (field: string, reason: string) => never,
): void {
  const whole = `needs mean and std arrays of ${width} finite numbers, one per feature`;
  if (!isObject(norm)) {
    fail('normalization', whole);
    return;
  }
  const problem = (key: 'mean' | 'std'): string | undefined => {
    const values = norm[key];
    if (!isNumberArray(values)) return 'must be an array of finite numbers';
    if (values.length !== width) return `has ${values.length} entries for ${width} features`;
    return undefined;
  };
  const mean = problem('mean');
  const std = problem('std');
  if (mean !== undefined && std !== undefined) fail('normalization', whole);
  if (mean !== undefined) fail('normalization.mean', mean);
  if (std !== undefined) fail('normalization.std', std);
  if ((norm.std as number[]).some((s) => s < 0)) fail('normalization.std', 'must be >= 0');
}

/** The training record's known fields, each checked when present. */
function validateTraining(training: unknown, fail: (field: string, reason: string) => never): void {
  if (!isObject(training)) {
    fail('training', 'must be an object');
    return;
  }
  const t = training;
  if (t.featureSet !== undefined && typeof t.featureSet !== 'string')
    fail('training.featureSet', 'must be a string');
  if (t.trainDays !== undefined && !(isStringArray(t.trainDays) && t.trainDays.length === 2))
    fail('training.trainDays', 'must be [from, to]');
  for (const key of ['seed', 'epochs', 'rows']) {
    if (t[key] !== undefined && !(typeof t[key] === 'number' && Number.isFinite(t[key])))
      fail(`training.${key}`, 'must be a number');
  }
}
