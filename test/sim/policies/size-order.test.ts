import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replay, type Step } from './replay.js';

// 1 (10 B) 2 (20 B) 3 (10 B) 4 (5 B) 5 (10 B), then 3 and 1 again; capacity 30 B.
const STEPS: Step[] = [[1], [2, 20], [3], [4, 5], [5], [3], [1], [9, 40]];

test('sizebig evicts the largest, least recently requested among equals', () => {
  // 3 evicts 2 (20 B) -> {1 3}; 4 fits; 5 evicts 1 (10 B, older than 3) -> {3 4 5};
  // 3 hits; 1 evicts 5 (10 B, requested before 3's hit). 9 (40 B) does not fit.
  const { pattern, result } = replay('sizebig', STEPS, 30);
  assert.equal(pattern, 'MMMMMHMM');
  assert.equal(result.evictions, 3);
});

test('sizesmall evicts the smallest first', () => {
  // 3 evicts 1 (10 B) -> {2 3}; 4 evicts 3 -> {2 4}; 5 evicts 4 -> {2 5};
  // 3 evicts 5; 1 evicts 3. 2 (20 B) stays throughout.
  const { pattern, result } = replay('sizesmall', STEPS, 30);
  assert.equal(pattern, 'MMMMMMMM');
  assert.equal(result.evictions, 5);
});
