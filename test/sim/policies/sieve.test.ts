import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keys, replay, type Step } from './replay.js';

test('sieve hand skips visited objects and never moves them', () => {
  // capacity 30 B, queue head..tail. 1 2 3 -> [3 2 1]; 1 hit (visited).
  // 4: hand from tail: 1 visited -> cleared, 2 evicted, hand rests on 3 -> [4 3 1].
  // 2 evicts 3 (hand -> 4); 5 evicts 4 (hand -> 2) -> [5 2 1]; 1 hit; 3 evicts 2 (hand -> 5).
  // 6 (20 B) evicts 5 then 3 (hand passes the head) -> [6 1]; 1 hit;
  // 7: hand from tail: 1 visited -> cleared, 6 evicted. 9 (40 B) is larger than the cache.
  const steps: Step[] = [...keys(1, 2, 3, 1, 4, 2, 5, 1, 3), [6, 20], [1], [7], [9, 40]];
  const { pattern, result } = replay('sieve', steps, 30);
  assert.equal(pattern, 'MMMHMMMHMMHMM');
  assert.equal(result.evictions, 7);
  assert.equal(result.bytesEvicted, 80);
});
