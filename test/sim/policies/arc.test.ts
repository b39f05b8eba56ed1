import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keys, replay } from './replay.js';

test('arc moves objects between T1, T2 and the ghosts and adapts p', () => {
  // c = 20 B, p = 0. 1 2 -> T1 [2 1]; 1 hits -> T2 [1], T1 [2].
  // 3: no ghost hit, T1+B1+10 <= c, REPLACE: |T1| > p -> 2 to B1; T1 [3].
  // 2: B1 ghost hit, p = 1; REPLACE: |T1| = 10 > 1 -> 3 to B1; 2 enters T2 [2 1].
  // 4: REPLACE with |T1| = 0 -> T2's LRU 1 to B2; T1 [4].
  // 1: B2 ghost hit, p = max(1 - 1, 0) = 0; REPLACE -> 4 to B1; 1 enters T2 [1 2].
  // 2 hits. 9 (30 B) is larger than the cache.
  const { pattern, result } = replay('arc', [...keys(1, 2, 1, 3, 2, 4, 1, 2), [9, 30]], 20);
  assert.equal(pattern, 'MMHMMMMHM');
  assert.equal(result.evictions, 4);
});
