/**
 * Agreement with libCacheSim's cachesim (commit aa0fc40) on the shared CloudPhysics
 * sample trace: miss ratio and byte miss ratio within 0.001 at 1% and 10% of the
 * working set. Expected values: /work/shared/traces/README.md.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { simulate } from '../../src/sim/engine.js';
import { policySpec } from '../../src/sim/policies/index.js';
import { type Trace, uniqueBytes } from '../../src/trace/model.js';
import { readTrace } from '../../src/trace/read.js';
import { sharedTraces } from '../helpers.js';

const TRACE_FILE = join(sharedTraces, 'cloudPhysicsIO.oracleGeneral.bin');
const TOLERANCE = 0.001;

/** [policy, fraction, miss ratio, byte miss ratio] from cachesim. */
const EXPECTED: readonly [string, number, number, number][] = [
  ['lru', 0.01, 0.8339, 0.98],
  ['lru', 0.1, 0.8097, 0.9518],
  ['fifo', 0.01, 0.8368, 0.9804],
  ['fifo', 0.1, 0.8075, 0.9509],
  ['lfu', 0.01, 0.8231, 0.9776],
  ['lfu', 0.1, 0.7903, 0.9296],
  ['arc', 0.01, 0.8222, 0.9769],
  ['arc', 0.1, 0.7688, 0.9026],
  ['s3fifo', 0.01, 0.8229, 0.9766],
  ['s3fifo', 0.1, 0.7356, 0.8619],
  ['sieve', 0.01, 0.8231, 0.9776],
  ['sieve', 0.1, 0.7903, 0.9296],
  ['belady', 0.01, 0.8005, 0.9393],
  ['belady', 0.1, 0.6513, 0.732],
];

/** The one place that knows how the shared trace is read. */
async function loadSharedTrace(): Promise<Trace> {
  assert.ok(
    existsSync(TRACE_FILE),
    `shared trace missing: ${TRACE_FILE} (the "shared" folder must sit next to the repository root)`,
  );
  return (await readTrace(TRACE_FILE)).trace;
}

test('miss ratios agree with libCacheSim on cloudPhysicsIO', async (t) => {
  const trace = await loadSharedTrace();
  const workingSet = uniqueBytes(trace);
  for (const [policy, fraction, missRatio, byteMissRatio] of EXPECTED) {
    await t.test(`${policy} at ${fraction}`, () => {
      const r = simulate(trace, policySpec(policy), { capacity: Math.floor(fraction * workingSet) });
      assert.ok(
        Math.abs(r.missRatio - missRatio) <= TOLERANCE,
        `miss ratio ${r.missRatio.toFixed(4)}, libCacheSim ${missRatio}`,
      );
      assert.ok(
        Math.abs(r.byteMissRatio - byteMissRatio) <= TOLERANCE,
        `byte miss ratio ${r.byteMissRatio.toFixed(4)}, libCacheSim ${byteMissRatio}`,
      );
    });
  }
});
