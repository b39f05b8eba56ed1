import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replay, type Step } from './replay.js';

test('s3fifo filters one-hit objects through the small FIFO and the ghost', () => {
  // capacity 20 B, fifo-size-ratio 0.5: small 10 B, main 10 B, ghost 18 B; objects 5 B.
  // 1 2 3 4 enter small. 1 hits twice (freq 2), 2 once (freq 1).
  // 5: small's tail 1 has freq >= 2 -> main (freq 0); tail 2 (freq 1) evicted -> ghost.
  // 2: ghost hit, straight to main; evicts small's tail 3 -> ghost. 1 hits (freq 1).
  // 6: main 10 B is within its share -> small's tail 4 evicted. 3: ghost hit, evicts 5, 3 -> main.
  // 7: main 15 B > 10 B -> main's tail 1 (freq 1) reinserted with freq 0, tail 2 evicted.
  // 8 (25 B) is larger than the cache.
  const ids = [1, 2, 3, 4, 1, 1, 2, 5, 2, 1, 6, 3, 7];
  const steps: Step[] = [...ids.map((id): Step => [id, 5]), [8, 25]];
  const { pattern, result } = replay('s3fifo', steps, 20, { params: { 'fifo-size-ratio': '0.5' } });
  assert.equal(pattern, 'MMMMHHHMMHMMMM');
  assert.equal(result.evictions, 5);
});

test('s3fifo does not admit objects as large as the small FIFO', () => {
  // capacity 100 B: small FIFO 10 B; a 10 B object that is not a ghost is not cached.
  const { pattern, result } = replay(
    's3fifo',
    [
      [1, 10],
      [1, 10],
      [2, 9],
      [2, 9],
    ],
    100,
  );
  assert.equal(pattern, 'MMMH');
  assert.equal(result.bytesWritten, 9);
});
