import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keys, replay } from './replay.js';

test('2q keeps new objects in A1in and promotes ghost hits to Am', () => {
  // capacity 40 B: A1in 10 B, A1out 20 B, Am 30 B.
  // 1 2 3 4 fill A1in (no eviction until the cache is full).
  // 5: A1in over its share -> evict 1 (remembered in A1out). 1: ghost hit, evict 2, 1 -> Am.
  // 2: ghost hit, evict 3, 2 -> Am. 1 hits in Am. 3: ghost hit, evict 4, 3 -> Am [3 1 2].
  // 6: A1in [5] within its share -> evict Am's LRU 2. 6 hits in A1in (no promotion).
  // 7 (20 B) is larger than A1in: not admitted although the cache is 40 B.
  const { pattern, result } = replay('2q', [...keys(1, 2, 3, 4, 5, 1, 2, 1, 3, 6, 6), [7, 20]], 40);
  assert.equal(pattern, 'MMMMMMMHMMHM');
  assert.equal(result.evictions, 5);
  assert.equal(result.bytesWritten, 90);
});
