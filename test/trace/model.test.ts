import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TraceBuilder } from '../../src/trace/builder.js';
import { firstSeenSizes, nextRequestIndex, uniqueBytes } from '../../src/trace/model.js';

/** Requests of objects given by index, with sizes: objects need not be numbered in first-seen order. */
function trace(requests: [number, number][], objects: number) {
  const b = TraceBuilder.numeric();
  for (let key = 0; key < objects; key++) b.keys.intern(key);
  for (const [i, [obj, size]] of requests.entries()) b.add(i, obj, size);
  return b.finish();
}

test('first-seen sizes and unique bytes, whether objects are numbered in first-seen order or not', () => {
  const inOrder = trace(
    [
      [0, 10],
      [1, 20],
      [0, 99],
      [2, 30],
    ],
    3,
  );
  assert.deepEqual([...firstSeenSizes(inOrder)], [10, 20, 30]);
  assert.equal(uniqueBytes(inOrder), 60);
  // the builder's running sum (in order) and the pass over a copy of the columns agree
  assert.equal(uniqueBytes({ ...inOrder }), 60);
  const outOfOrder = trace(
    [
      [0, 10],
      [2, 30],
      [0, 99],
      [1, 20],
      [2, 77],
    ],
    3,
  );
  assert.deepEqual([...firstSeenSizes(outOfOrder)], [10, 30, 20]);
  assert.equal(uniqueBytes(outOfOrder), 60);
});

test('next requests: -1 where an object is not requested again, computed once per trace', () => {
  const t = trace(
    [
      [0, 1],
      [1, 1],
      [0, 1],
      [2, 1],
      [1, 1],
    ],
    3,
  );
  assert.deepEqual([...nextRequestIndex(t)], [2, 4, -1, -1, -1]);
  assert.equal(nextRequestIndex(t), nextRequestIndex(t), 'computed once per trace');
});
