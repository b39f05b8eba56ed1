import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OnlineCache } from '../../../src/sim/online.js';
import { policySpec } from '../../../src/sim/policies/index.js';
import { replay, type Step } from './replay.js';

// Before its first reconfiguration (2^20 accesses) LHD ranks by its initial hit densities,
// (class number + 1) / (age + 1) / size, and ages stay 0 for 1024 requests: an object never
// hit has class number 16 (density 17 / size), one hit at age 0 has 31 (32 / size). A
// capacity under 100 B leaves no explorer budget. With two residents, the 8 candidates
// drawn with seed 1 include both.
const STEPS: Step[] = [
  [1, 30],
  [2, 60],
  [1, 30],
  [2, 60],
  [3, 20],
  [4, 60],
  [1, 30],
];

test('lhd evicts the resident of least hit density per byte, not the least recent', () => {
  // 1 (30 B) and 2 (60 B) are hit once each: densities 32/30 and 32/60. 3 (20 B) evicts 2,
  // the more recent. 4 (60 B) evicts 3 (17/20 < 32/30), the more recent, so 1 still hits.
  const online = new OnlineCache(policySpec('lhd'), { capacity: 99, maxObjects: 8 });
  const victims = STEPS.map(([key, size], time) => [
    ...online.request(String(key), size ?? 10, time).evicted,
  ]);
  assert.deepEqual(victims, [[], [], [], [], ['2'], ['3'], []]);
  const { pattern, result } = replay('lhd', STEPS, 99);
  assert.equal(pattern, 'MMHHMMH');
  assert.equal(result.evictions, 2);
  assert.equal(replay('lru', STEPS, 99).pattern, 'MMHHMMM');
});

test('lhd draws its candidates from the seeded generator: a run is reproducible', () => {
  const steps: Step[] = Array.from({ length: 4000 }, (_, i) => [(i * 7919) % 613, 1 + ((i * 31) % 50)]);
  const run = (seed: number) => replay('lhd', steps, 2000, { seed }).pattern;
  assert.equal(run(3), run(3));
  assert.notEqual(run(3), run(4));
});
