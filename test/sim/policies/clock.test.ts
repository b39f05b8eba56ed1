import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keys, replay } from './replay.js';

test('clock gives a second chance to objects hit since their last pass', () => {
  // capacity 3 x 10 B. queue head..tail
  // 1 2 3 -> [3 2 1]; 1 hit sets its bit; 4: tail 1 has the bit -> cleared, to head [1 3 2],
  // tail 2 evicted -> [4 1 3]; 2 evicts 3; 5 evicts 1; 1 evicts 4 -> [1 5 2];
  // 9 (40 B) exceeds the cache: miss, no eviction; 6 (20 B) evicts 2 then 5 -> [6 1]; 1 hits.
  const { pattern, result } = replay('clock', [...keys(1, 2, 3, 1, 4, 2, 5, 1), [9, 40], [6, 20], [1]], 30);
  assert.equal(pattern, 'MMMHMMMMMMH');
  assert.equal(result.evictions, 6);
  assert.equal(result.bytesEvicted, 60);
});
