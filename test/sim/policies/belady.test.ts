import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keys, replay } from './replay.js';

test('belady evicts the object requested farthest in the future', () => {
  // capacity 20 B. 1 2; 3 evicts 2 (next at 4) rather than 1 (next at 3).
  // 1 hits and is never requested again, so 2 evicts it; 3 hits. 9 (30 B) does not fit.
  const { pattern, result } = replay('belady', [...keys(1, 2, 3, 1, 2, 3), [9, 30]], 20);
  assert.equal(pattern, 'MMMHMHM');
  assert.equal(result.evictions, 2);
});

test('belady keeps the small object that returns when a large one arrives', () => {
  // capacity 30 B. 1 (10 B) 2 (20 B) fill it; 3 (10 B) evicts 2 (next never) not 1 (next at 3).
  const { pattern } = replay('belady', [[1], [2, 20], [3], [1], [3]], 30);
  assert.equal(pattern, 'MMMHH');
});
