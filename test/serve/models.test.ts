import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  BundleError,
  readBundle,
  UnsupportedFormatError,
  validateParams,
  writeBundle,
} from '../../src/learn/bundle.js';
import { loadModel } from '../../src/serve/models/load.js';
import { decideRows } from '../../src/serve/models/model.js';
import { tempPath } from '../helpers.js';
import { FEATURES, onnxBundle, onnxExpected, randomRows, tinyBundle } from './bundles.js';

function maxDifference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

describe('model bundles', () => {
  it('saves a tfjs model and loads it back on the dense fast path', async () => {
    const dir = await tinyBundle();
    const { params } = await readBundle(dir);
    assert.equal(params.format, 'tfjs-layers');
    assert.deepEqual(params.features, FEATURES);
    const model = await loadModel(dir);
    assert.equal(model.engine, 'dense');
    assert.equal(model.outputSize, 1);
    assert.deepEqual(model.labels, ['evict', 'admit']);
  });

  it('the dense forward pass gives TensorFlow.js outputs', async () => {
    for (const [seed, hidden, outputs] of [
      [1, [8, 4], 1],
      [5, [16], 3],
      [9, [32, 16, 8], 1],
    ] as const) {
      const dir = await tinyBundle({ seed, hidden: [...hidden], outputs });
      const dense = await loadModel(dir);
      const tfjs = await loadModel(dir, { engine: 'tfjs' });
      assert.equal(dense.engine, 'dense');
      assert.equal(tfjs.engine, 'tfjs');
      const rows = 500;
      const batch = randomRows(rows, FEATURES.length, seed);
      const before = batch.slice();
      const a = dense.predict(batch, rows);
      const b = tfjs.predict(batch, rows);
      assert.deepEqual(batch, before, 'predict leaves the batch unchanged');
      assert.ok(maxDifference(a, b) < 1e-5, `max difference ${maxDifference(a, b)}`);
      tfjs.dispose();
    }
  });

  it('runs a topology the fast path does not know through TensorFlow.js', async () => {
    const model = await loadModel(await tinyBundle({ withBatchNorm: true }));
    assert.equal(model.engine, 'tfjs');
    const scores = model.predict(randomRows(4, FEATURES.length), 4);
    assert.equal(scores.length, 4);
    model.dispose();
  });

  it('runs the ONNX fixture with the outputs its generator computed', async () => {
    const model = await loadModel(onnxBundle);
    assert.equal(model.engine, 'onnx');
    const scores = model.predict(Float32Array.from(onnxExpected.rows.flat()), onnxExpected.rows.length);
    assert.ok(maxDifference(scores, Float32Array.from(onnxExpected.scores)) < 1e-6);
    model.dispose();
  });

  it('runs a Q-table', async () => {
    const dir = tempPath('qtable');
    await writeBundle(
      dir,
      {
        name: 'rl',
        kind: 'rl',
        format: 'q-table',
        model: 'table.json',
        labels: 'labels.txt',
        features: ['count_ever', 'age'],
        normalization: { mean: [0, 0], std: [1, 1] },
        outputs: ['evict', 'admit'],
      },
      ['evict', 'admit'],
      {
        // states: count_ever bucket (<= 1, above) x age bucket (<= 10, <= 100, above)
        'table.json': JSON.stringify({
          edges: [[1], [10, 100]],
          values: [1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 2, 1],
        }),
      },
    );
    const model = await loadModel(dir);
    // the last row sits on both edges: a value equal to an edge falls in that edge's bucket
    const out = model.predict(Float32Array.from([0, 5, 3, 50, 3, 500, 1, 10]), 4);
    assert.deepEqual([...out], [1, 0, 0, 1, 2, 1, 1, 0]);
    assert.deepEqual([...decideRows(model, out, 4).decisions], [0, 1, 0, 0]);
  });

  it('refuses bad bundles with the bundle and the field named', async () => {
    const dir = await tinyBundle();
    const params = JSON.parse(readFileSync(path.join(dir, 'params.json'), 'utf8'));
    const cases: [Record<string, unknown>, string][] = [
      [{ features: ['log_size', 'bogus'] }, 'features'],
      [{ normalization: { mean: [0], std: [1] } }, 'normalization'],
      [{ kind: 'magic' }, 'kind'],
      [{ name: '../escape' }, 'name'],
      [{ model: 'missing.json' }, 'model'],
      [{ outputs: ['a', 'b'] }, 'outputs'],
    ];
    for (const [change, field] of cases) {
      const copy = tempPath('bad');
      cpSync(dir, copy, { recursive: true });
      writeFileSync(path.join(copy, 'params.json'), JSON.stringify({ ...params, ...change }));
      await assert.rejects(loadModel(copy), (err: BundleError) => {
        assert.ok(err instanceof BundleError, String(err));
        assert.equal(err.field, field);
        assert.equal(err.bundle, copy);
        return true;
      });
    }
  });

  it('refuses TensorFlow SavedModels and frozen graphs with conversion advice', () => {
    const tfaas = { name: 'old', model: 'model.pb', labels: 'labels.txt', inputNode: 'x', outputNode: 'y' };
    assert.throws(
      () => validateParams(tfaas, 'b'),
      (err: Error) => {
        assert.ok(err instanceof UnsupportedFormatError);
        assert.match(err.message, /tensorflowjs_converter/);
        assert.match(err.message, /tf2onnx/);
        return true;
      },
    );
  });
});
