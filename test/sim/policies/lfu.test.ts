import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keys, replay, type Step } from './replay.js';

test('lfu evicts the lowest count, the one that reached it first among equals', () => {
  // capacity 30 B. 1 2 3 (count 1 each); 4 evicts 1 (first to reach count 1);
  // 2 3 hit (count 2); 5 evicts 4 (only count 1); 4 evicts 5; 6 evicts 4;
  // 7 (20 B) evicts 6 (count 1) then 2 (count 2, reached before 3) -> {3, 7};
  // 3 hits (count 3); 2 evicts 7 (count 1, 20 B); 9 (40 B) is larger than the cache.
  const steps: Step[] = [...keys(1, 2, 3, 4, 2, 3, 5, 4, 6), [7, 20], [3], [2], [9, 40]];
  const { pattern, result } = replay('lfu', steps, 30);
  assert.equal(pattern, 'MMMMHHMMMMHMM');
  assert.equal(result.evictions, 7);
  assert.equal(result.bytesEvicted, 80);
});
