import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Random } from '../../src/common/random.js';
import {
  BundleError,
  type BundleParams,
  bundleFiles,
  readBundle,
  readBundleSync,
  writeBundle,
} from '../../src/learn/bundle.js';
import { loadMlp } from '../../src/learn/infer.js';
import { buildMlp, modelFiles, predict, tfReady } from '../../src/learn/tf.js';
import { FEATURE_NAMES } from '../../src/prep/schema.js';
import { tempPath } from '../helpers.js';

const width = FEATURE_NAMES.length;

function params(overrides: Partial<BundleParams> = {}): BundleParams {
  return {
    name: 'admit-test',
    version: 1,
    kind: 'learned-admit',
    format: 'tfjs-layers',
    model: 'model.json',
    labels: 'labels.txt',
    features: [...FEATURE_NAMES],
    normalization: { mean: FEATURE_NAMES.map((_, i) => i), std: FEATURE_NAMES.map(() => 2) },
    outputs: ['score'],
    threshold: 0.4,
    training: { featureSet: '/data/features', trainDays: ['0', '3'], seed: 1, epochs: 2, rows: 100 },
    metrics: { auc: 0.8 },
    createdAt: '2025-01-01T00:00:00.000Z',
    smartcache: '0.1.0',
    ...overrides,
  };
}

async function writeSample(overrides: Partial<BundleParams> = {}) {
  await tfReady();
  const model = buildMlp({ inputs: width, hidden: [8], task: 'binary', seed: 3 });
  const files = await modelFiles(model);
  const bundle = await writeBundle(tempPath('bundle'), params(overrides), ['evict', 'admit'], files);
  return { model, bundle };
}

/** Rewrites params.json of a written bundle with a change. */
function editParams(dir: string, edit: (p: Record<string, unknown>) => void): void {
  const file = join(dir, 'params.json');
  const p = JSON.parse(readFileSync(file, 'utf8'));
  edit(p);
  writeFileSync(file, JSON.stringify(p));
}

async function assertRefused(dir: string, field: string, reason: RegExp, expect = {}): Promise<void> {
  await assert.rejects(readBundle(dir, expect), (err: unknown) => {
    assert.ok(err instanceof BundleError, `expected BundleError, got ${err}`);
    assert.equal(err.bundle, dir);
    assert.equal(err.field, field);
    assert.match(err.reason, reason);
    assert.match(err.message, new RegExp(dir));
    return true;
  });
}

test('a bundle round-trips: params, labels, files; the built-in runner equals tfjs predict', async () => {
  const { model, bundle } = await writeSample();
  const back = await readBundle(bundle.dir, { kind: 'learned-admit', features: FEATURE_NAMES });
  assert.deepEqual(back.params, params());
  assert.deepEqual(back.labels, ['evict', 'admit']);
  assert.deepEqual(bundleFiles(back.params), ['params.json', 'labels.txt', 'model.json', 'weights.bin']);
  const random = new Random(2);
  const rows = 50;
  const x = Float32Array.from({ length: rows * width }, () => random.uint32() / 2 ** 31 - 1);
  const want = predict(model, x, rows, width);
  const got = loadMlp(back).predict(x, rows);
  for (let i = 0; i < rows; i++)
    assert.ok(Math.abs(got[i] - want[i]) < 1e-5, `row ${i}: ${got[i]} vs ${want[i]}`);
  const json = JSON.parse(readFileSync(join(bundle.dir, 'model.json'), 'utf8'));
  assert.equal(json.format, 'layers-model');
  assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin']);
});

test('bundles with missing files are refused, naming the bundle and the field', async () => {
  const { bundle } = await writeSample();
  rmSync(join(bundle.dir, 'weights.bin'));
  await assertRefused(bundle.dir, 'model', /weights\.bin is missing/);
  const other = (await writeSample()).bundle;
  rmSync(join(other.dir, 'labels.txt'));
  await assertRefused(other.dir, 'labels', /labels\.txt is missing/);
  const third = (await writeSample()).bundle;
  rmSync(join(third.dir, 'params.json'));
  await assertRefused(third.dir, 'params.json', /missing/);
});

test('bundles with unknown, duplicated, missing or reordered features are refused', async () => {
  const { bundle } = await writeSample();
  editParams(bundle.dir, (p) => {
    (p.features as string[])[0] = 'next_gap_leak';
  });
  await assertRefused(bundle.dir, 'features', /unknown feature names next_gap_leak/);

  const dup = (await writeSample()).bundle;
  editParams(dup.dir, (p) => {
    (p.features as string[])[1] = FEATURE_NAMES[0];
  });
  await assertRefused(dup.dir, 'features', /listed twice/);

  const reordered = (await writeSample()).bundle;
  editParams(reordered.dir, (p) => {
    const f = p.features as string[];
    [f[0], f[1]] = [f[1], f[0]];
  });
  // valid per the contract, refused by a consumer that feeds FEATURE_NAMES in schema order
  await readBundle(reordered.dir);
  await assertRefused(reordered.dir, 'features', /reordered: position 0/, { features: FEATURE_NAMES });

  const fewer = (await writeSample()).bundle;
  editParams(fewer.dir, (p) => {
    p.features = (p.features as string[]).slice(1);
    const n = p.normalization as { mean: number[]; std: number[] };
    n.mean = n.mean.slice(1);
    n.std = n.std.slice(1);
  });
  await assertRefused(fewer.dir, 'features', new RegExp(`missing ${FEATURE_NAMES[0]}`), {
    features: FEATURE_NAMES,
  });
});

test('normalisation with the wrong length and bad fields are refused', async () => {
  const { bundle } = await writeSample();
  editParams(bundle.dir, (p) => {
    (p.normalization as { std: number[] }).std.pop();
  });
  await assertRefused(
    bundle.dir,
    'normalization.std',
    new RegExp(`has ${width - 1} entries for ${width} features`),
  );
  const kind = (await writeSample()).bundle;
  editParams(kind.dir, (p) => {
    p.kind = 'magic';
  });
  await assertRefused(kind.dir, 'kind', /must be one of/);
  const version = (await writeSample()).bundle;
  editParams(version.dir, (p) => {
    p.version = 0;
  });
  await assertRefused(version.dir, 'version', /integer >= 1/);
  // the wrong kind for the consumer
  const evict = (await writeSample({ kind: 'learned-evict' })).bundle;
  assert.throws(() => readBundleSync(evict.dir, { kind: 'learned-admit' }), /kind: is learned-evict/);
});
