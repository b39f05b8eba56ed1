import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replay } from './replay.js';

test('gdsf evicts the lowest L + frequency/size', () => {
  // capacity 30 B, L = 0. A(10 B) H = .1, B(20 B) H = .05.
  // C(10 B) evicts B (.05), L = .05, C = .15. A hits: .05 + 2/10 = .25.
  // B(20 B) evicts C (.15), L = .15, B = .2. D(10 B) evicts B (.2 < .25), L = .2, D = .3.
  // C fits beside A and D. E (40 B) is larger than the cache.
  const A = 1;
  const B = 2;
  const C = 3;
  const D = 4;
  const { pattern, result } = replay(
    'gdsf',
    [
      [A, 10],
      [B, 20],
      [C, 10],
      [A, 10],
      [B, 20],
      [D, 10],
      [C, 10],
      [5, 40],
    ],
    30,
  );
  assert.equal(pattern, 'MMMHMMMM');
  assert.equal(result.evictions, 3);
  assert.equal(result.bytesEvicted, 50);
});
