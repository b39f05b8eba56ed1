import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keys, replay } from './replay.js';

test('lfuda ages priorities the way libCacheSim does', () => {
  // capacity 20 B, age L = 0. 1, 2 enter with K = 1; 1 hits: K = 1 + L = 1, refreshed.
  // 3 evicts 2 (K 1, older); L = 1; 3 enters with K = 2.
  // 1 hits: K = 1 + 1 = 2; its class K = 1 is now empty, L rises to the lowest resident K = 2.
  // 2 evicts 3 (K 2, older than 1); enters with K = 3. 3 evicts 1 (K 2).
  // 9 (30 B) is larger than the cache.
  const { pattern, result } = replay('lfuda', [...keys(1, 2, 1, 3, 1, 2, 3), [9, 30]], 20);
  assert.equal(pattern, 'MMHMHMMM');
  assert.equal(result.evictions, 3);
});
