/**
 * Agreement with libCacheSim's cachesim (commit aa0fc40) on the shared CloudPhysics
 * sample trace: miss ratio and byte miss ratio within 0.001 for every policy both
 * implement (random draws differently; LHD, which samples, within the tolerance given with
 * it), at 0.1 %, 1 %, 3 %, 10 % and 30 % of the working set.
 * The expected values were printed by
 *   cachesim cloudPhysicsIO.oracleGeneral.bin oracleGeneral POLICY 0.001,0.01,0.03,0.1,0.3
 * built with /work/shared/peers/build-libcachesim.sh; cachesim's cache sizes are
 * floor(fraction x working set), as here. The 1 % and 10 % values are also in
 * /work/shared/traces/README.md.
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
const FRACTIONS = [0.001, 0.01, 0.03, 0.1, 0.3];

/** Per policy, [miss ratio, byte miss ratio] from cachesim at each of FRACTIONS. */
const EXPECTED: Readonly<Record<string, readonly [number, number][]>> = {
  lru: [
    [0.8512, 0.9837],
    [0.8339, 0.98],
    [0.8277, 0.975],
    [0.8097, 0.9518],
    [0.7132, 0.8311],
  ],
  fifo: [
    [0.8621, 0.9849],
    [0.8368, 0.9804],
    [0.8289, 0.9751],
    [0.8075, 0.9509],
    [0.736, 0.8686],
  ],
  lfu: [
    [0.8394, 0.9824],
    [0.8231, 0.9776],
    [0.8174, 0.971],
    [0.7903, 0.9296],
    [0.6702, 0.7852],
  ],
  arc: [
    [0.8369, 0.9822],
    [0.8222, 0.9769],
    [0.8145, 0.9663],
    [0.7688, 0.9026],
    [0.6192, 0.6995],
  ],
  s3fifo: [
    [0.8367, 0.982],
    [0.8229, 0.9766],
    [0.8138, 0.9633],
    [0.7356, 0.8619],
    [0.6648, 0.7419],
  ],
  sieve: [
    [0.8398, 0.982],
    [0.8231, 0.9776],
    [0.8174, 0.971],
    [0.7903, 0.9296],
    [0.6702, 0.7852],
  ],
  belady: [
    [0.8243, 0.9759],
    [0.8005, 0.9393],
    [0.76, 0.8761],
    [0.6513, 0.732],
    [0.5317, 0.5645],
  ],
  clock: [
    [0.8498, 0.9835],
    [0.8328, 0.9798],
    [0.827, 0.9749],
    [0.8086, 0.952],
    [0.7108, 0.8288],
  ],
  '2q': [
    [0.84, 0.9819],
    [0.8276, 0.9783],
    [0.8222, 0.9689],
    [0.7695, 0.9017],
    [0.6693, 0.7488],
  ],
  lfuda: [
    [0.8381, 0.982],
    [0.8252, 0.9783],
    [0.8218, 0.9738],
    [0.8023, 0.9442],
    [0.6994, 0.8115],
  ],
  gdsf: [
    [0.8319, 0.9827],
    [0.8209, 0.9796],
    [0.8101, 0.9758],
    [0.7582, 0.9509],
    [0.6072, 0.7672],
  ],
  // cachesim cloudPhysicsIO.oracleGeneral.bin oracleGeneral wtinylfu 0.001,0.01,0.03,0.1,0.3
  // (WTinyLFU-w0.01-SLRU). libCacheSim's sketch hashes ids with xxHash into ~14 counters
  // per byte of main, so it never collides; ours (4 rows, 4 counters per id) does now and
  // then, which moves the ratios by up to 0.0005 here. With a collision-free sketch the
  // four digits are equal at every size.
  wtinylfu: [
    [0.8356, 0.9842],
    [0.8262, 0.9762],
    [0.8123, 0.9655],
    [0.7666, 0.893],
    [0.6446, 0.6989],
  ],
  // cachesim cloudPhysicsIO.oracleGeneral.bin oracleGeneral lirs 0.001,0.01,0.03,0.1,0.3
  lirs: [
    [0.8304, 0.9838],
    [0.822, 0.9775],
    [0.8104, 0.9661],
    [0.739, 0.873],
    [0.6091, 0.6701],
  ],
};

/**
 * LHD evicts the lowest-ranked of randomly drawn residents: cachesim draws from its own
 * generator, shared by the caches of a thread (its own 10 % and 30 % results move by
 * 0.0002-0.0004 when run one size per process), and smartcache from src/common/random.ts.
 * Over seeds 1..10 smartcache's values spread by up to 0.0025 (at 30 %) around cachesim's,
 * which lie inside that spread at every size; seed 1 is within 0.0018. Hence 0.003.
 * cachesim cloudPhysicsIO.oracleGeneral.bin oracleGeneral lhd 0.001,0.01,0.03,0.1,0.3
 */
const SAMPLED: Readonly<Record<string, { tolerance: number; expected: readonly [number, number][] }>> = {
  lhd: {
    tolerance: 0.003,
    expected: [
      [0.8348, 0.985],
      [0.8172, 0.9798],
      [0.8078, 0.9737],
      [0.7793, 0.9486],
      [0.6505, 0.7896],
    ],
  },
};

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
  const checks = [
    ...Object.entries(EXPECTED).map(([policy, expected]) => ({ policy, expected, tolerance: TOLERANCE })),
    ...Object.entries(SAMPLED).map(([policy, { expected, tolerance }]) => ({ policy, expected, tolerance })),
  ];
  for (const { policy, expected, tolerance } of checks) {
    for (const [i, [missRatio, byteMissRatio]] of expected.entries()) {
      const fraction = FRACTIONS[i];
      await t.test(`${policy} at ${fraction}`, () => {
        const r = simulate(trace, policySpec(policy), { capacity: Math.floor(fraction * workingSet) });
        assert.ok(
          Math.abs(r.missRatio - missRatio) <= tolerance,
          `miss ratio ${r.missRatio.toFixed(4)}, libCacheSim ${missRatio}`,
        );
        assert.ok(
          Math.abs(r.byteMissRatio - byteMissRatio) <= tolerance,
          `byte miss ratio ${r.byteMissRatio.toFixed(4)}, libCacheSim ${byteMissRatio}`,
        );
      });
    }
  }
});
