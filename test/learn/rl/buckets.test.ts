import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type Buckets,
  HIT_RATE,
  OCCUPANCY,
  REQUEST_COUNT,
  SINCE_LAST,
  SIZE_MB,
  StateSpace,
} from '../../../src/learn/rl/buckets.js';

/** At an edge a value belongs to that edge's bucket; just above it, to the next one. */
function checkEdges(name: string, buckets: Buckets, edges: number[], below: (e: number) => number) {
  assert.deepEqual([...buckets.edges], edges, `${name} edges`);
  edges.forEach((edge, i) => {
    assert.equal(buckets.index(below(edge)), i, `${name}: just below ${edge}`);
    assert.equal(buckets.index(edge), i, `${name}: at ${edge}`);
    assert.equal(buckets.index(edge + 0.5), i + 1, `${name}: above ${edge}`);
  });
  assert.equal(buckets.size, edges.length + 1);
  assert.equal(buckets.index(Number.POSITIVE_INFINITY), edges.length, `${name}: open right`);
}

test('SCDL2 bucket edges, at, below and above each edge', () => {
  checkEdges('size MB', SIZE_MB, [2301, 2716, 3256, 3665, 3942, 5371], (e) => e - 0.5);
  checkEdges('request count', REQUEST_COUNT, [1, 2, 6], (e) => e - 0.5);
  checkEdges('since last', SINCE_LAST, [41, 200, 937, 6318, 32899, 122540], (e) => e - 1);
  checkEdges('occupancy %', OCCUPANCY, [50, 75, 90, 95], (e) => e - 0.01);
  checkEdges('hit rate %', HIT_RATE, [5, 10, 25, 50, 75], (e) => e - 0.01);
  assert.equal(REQUEST_COUNT.index(0), 0);
});

test('state indices are mixed-radix, first feature most significant, and decode back', () => {
  const space = new StateSpace([REQUEST_COUNT, OCCUPANCY]);
  assert.equal(space.size, 4 * 5);
  assert.equal(space.encode([2, 3]), 2 * 5 + 3);
  assert.equal(space.component(13, 0), 2);
  assert.equal(space.component(13, 1), 3);
});
