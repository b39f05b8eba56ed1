import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulate } from '../../src/sim/engine.js';
import { policySpec } from '../../src/sim/policies/index.js';
import { traceFromRequests } from '../../src/trace/builder.js';

const trace = traceFromRequests([1, 2, 3, 1, 4, 1, 2].map((key, i) => ({ time: i, key, size: 10 })));

test('LRU on a hand-checked sequence', () => {
  // capacity 3 objects: 1 2 3 | 1 hit | 4 evicts 2 | 1 hit | 2 miss evicts 3
  const r = simulate(trace, policySpec('lru'), { capacity: 30 });
  assert.equal(r.hits, 2);
  assert.equal(r.bytesWritten, 50);
  assert.equal(r.evictions, 2);
  assert.equal(r.bytesEvicted, 20);
});
