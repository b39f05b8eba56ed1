/**
 * The minimal model-bundle I/O the RL trainers need (docs/bundles.md): params.json, the
 * labels file and the model files. The shared bundle module replaces it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BundleParams {
  name: string;
  version?: number;
  kind: 'learned-admit' | 'learned-evict' | 'rl' | 'scdl2';
  format: 'tfjs-layers' | 'onnx' | 'q-table';
  model: string;
  labels: string;
  features: string[];
  normalization: { mean: number[]; std: number[] };
  outputs: string[];
  threshold?: number;
  training: { featureSet: string; trainDays: [number, number]; seed: number; epochs: number; rows: number };
  metrics: Record<string, number>;
  createdAt: string;
  smartcache: string;
}

/** A bundle is missing, unreadable or does not follow docs/bundles.md. */
export class BundleError extends Error {
  constructor(
    readonly bundle: string,
    readonly field: string,
    reason: string,
  ) {
    super(`bundle ${bundle}: ${field}: ${reason}`);
    this.name = 'BundleError';
  }
}

/** Writes params.json, the labels file and `files` (name → content) into `dir`. */
export function writeBundle(
  dir: string,
  params: BundleParams,
  labels: readonly string[],
  files: Readonly<Record<string, string | Uint8Array>>,
): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  writeFileSync(join(dir, params.labels), `${labels.join('\n')}\n`);
  writeFileSync(join(dir, 'params.json'), `${JSON.stringify(params, null, 2)}\n`);
}

/** Reads and checks params.json of `dir`; `kind` and `format` must be the expected ones. */
export function readBundleParams(
  dir: string,
  kind: BundleParams['kind'],
  format: BundleParams['format'],
): BundleParams {
  const file = join(dir, 'params.json');
  if (!existsSync(file)) throw new BundleError(dir, 'params.json', 'missing');
  let params: BundleParams;
  try {
    params = JSON.parse(readFileSync(file, 'utf8')) as BundleParams;
  } catch (e) {
    throw new BundleError(dir, 'params.json', `not JSON (${(e as Error).message})`);
  }
  if (params.kind !== kind) throw new BundleError(dir, 'kind', `expected ${kind}, got ${params.kind}`);
  if (params.format !== format)
    throw new BundleError(dir, 'format', `expected ${format}, got ${params.format}`);
  for (const field of ['model', 'labels'] as const) {
    if (!existsSync(join(dir, params[field])))
      throw new BundleError(dir, field, `file ${params[field]} is missing`);
  }
  const { mean, std } = params.normalization ?? {};
  if (mean?.length !== params.features.length || std?.length !== params.features.length) {
    throw new BundleError(dir, 'normalization', 'needs one mean and one std per feature');
  }
  return params;
}

export function smartcacheVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8'));
  return pkg.version as string;
}
