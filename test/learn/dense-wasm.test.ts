import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/common/random.js';
import { compileWasmDense, WASM_BLOCK_ROWS } from '../../src/learn/dense-wasm.js';
import { type DenseWeights, mlpFromWeights } from '../../src/learn/infer.js';

type Activation = DenseWeights['activation'];

function randomLayers(rng: Random, widths: number[], activations: Activation[]): DenseWeights[] {
  return activations.map((activation, l) => ({
    kernel: Float32Array.from({ length: widths[l] * widths[l + 1] }, () => rng.float() - 0.5),
    bias: Float32Array.from({ length: widths[l + 1] }, () => rng.float() - 0.5),
    activation,
  }));
}

/** Rows with the awkward values a ReLU must keep as the typed-array pass does: -0, NaN, infinities. */
function randomRows(rng: Random, rows: number, width: number): Float32Array {
  const x = Float32Array.from({ length: rows * width }, () => (rng.float() - 0.5) * 8);
  const awkward = [-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0];
  for (let i = 0; i < awkward.length * 3; i++) x[rng.int(x.length)] = awkward[i % awkward.length];
  return x;
}

test('the wasm batch pass gives the bits of the row-by-row pass, across blocks and odd widths', () => {
  const rng = new Random(11);
  const shapes: [number[], Activation[]][] = [
    [
      [11, 32, 16, 1],
      ['relu', 'relu', 'sigmoid'],
    ],
    [
      [7, 5, 3],
      ['linear', 'softmax'],
    ],
    [
      [13, 9, 2],
      ['relu', 'tanh'],
    ],
    [[4, 1], ['linear']],
  ];
  for (const [widths, activations] of shapes) {
    const mlp = mlpFromWeights(randomLayers(rng, widths, activations), widths[0]);
    const rows = WASM_BLOCK_ROWS * 2 + 37;
    const x = randomRows(rng, rows, widths[0]);
    const batch = mlp.predict(x, rows);
    const outputs = widths.at(-1) as number;
    for (let r = 0; r < rows; r++) {
      const one = mlp.predictRow(x, r * widths[0]);
      for (let j = 0; j < outputs; j++) {
        assert.ok(
          Object.is(Math.fround(one[j]), batch[r * outputs + j]),
          `${widths.join('-')} row ${r} output ${j}`,
        );
      }
    }
  }
});

test('models the wasm pass cannot run (hidden tanh) are left to the typed-array pass', () => {
  const rng = new Random(5);
  const layers = randomLayers(rng, [6, 4, 1], ['tanh', 'sigmoid']);
  const asWasm = layers.map((l, i) => ({ ...l, inputs: [6, 4][i], units: [4, 1][i] }));
  assert.equal(compileWasmDense(asWasm), undefined);
  assert.ok(compileWasmDense([{ ...asWasm[0], activation: 'relu' }, asWasm[1]]));
  const mlp = mlpFromWeights(layers, 6);
  const x = randomRows(rng, 100, 6);
  const batch = mlp.predict(x, 100);
  for (let r = 0; r < 100; r++) assert.ok(Object.is(Math.fround(mlp.predictRow(x, r * 6)[0]), batch[r]));
});
