import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replay, type Step } from './replay.js';

const MiB = 2 ** 20;

// [key, size, time s]. Weights with a = b = c = 1: nReq + size(MiB) + meanTicks(min).
const STEPS: Step[] = [
  [1, MiB, 0], // w 2, mean 2: admitted
  [2, 2 * MiB, 0], // w 3, mean 2.5: rejected
  [2, 2 * MiB, 60], // w 2 + 2 + (60 s = 1 min)/32 = 4.03125, mean 3.015625: rejected
  [3, MiB, 60], // w 2, mean 2.68: admitted, cache {1 3} full
  [1, MiB, 120], // hit; w 2 + 1 + 2/32 = 3.0625
  [4, MiB, 120], // w 2, mean 2.77: admitted, evicts 3 (LRU)
  [3, MiB, 120], // w 2 + 1 + 1/32 = 3.03125 = mean: admitted, evicts 1 (LRU)
  [9, 3 * MiB, 120], // larger than the cache
];

test('wlru-additive admits files of weight at most the mean and evicts LRU', () => {
  const { pattern, result } = replay('wlru-additive', STEPS, 2 * MiB);
  assert.equal(pattern, 'MMMMHMMM');
  assert.equal(result.bytesWritten, 4 * MiB);
  assert.equal(result.evictions, 2);
});

test('wlru-additive-exp raises each term to its parameter', () => {
  // b = 2: file 1 weighs 1 + 1 + 0 = 2, file 2 weighs 1 + 4 + 0 = 5 > mean 3.5: rejected;
  // file 3 weighs 2 <= mean 3: admitted.
  const { result } = replay('wlru-additive-exp', STEPS.slice(0, 2).concat([[3, MiB, 0]]), 2 * MiB, {
    params: { b: '2' },
  });
  assert.equal(result.bytesWritten, 2 * MiB);
});

test('wlru-multiplicative weighs a first request 0 and so always admits it', () => {
  // meanTicks is 0 on a first request, so nReq^a * size^b * meanTicks^c = 0 <= mean.
  const { result } = replay(
    'wlru-multiplicative',
    [
      [1, MiB, 0],
      [2, 2 * MiB, 0],
      [3, MiB, 0],
    ],
    4 * MiB,
  );
  assert.equal(result.bytesWritten, 4 * MiB);
});
