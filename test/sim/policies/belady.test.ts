import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cumulativeWeights, pickWeighted, Random } from '../../../src/common/random.js';
import { simulate } from '../../../src/sim/engine.js';
import type { SimResult } from '../../../src/sim/metrics.js';
import { belady } from '../../../src/sim/policies/belady.js';
import { policies } from '../../../src/sim/policies/index.js';
import { traceFromRequests } from '../../../src/trace/builder.js';
import { generateWorkload } from '../../../src/trace/generate.js';
import type { Trace } from '../../../src/trace/model.js';
import { readTrace } from '../../../src/trace/read.js';
import { writeTrace } from '../../../src/trace/write.js';
import { tempPath } from '../../helpers.js';
import { keys, replay } from './replay.js';

test('belady evicts the object requested farthest in the future', () => {
  // capacity 20 B. 1 2; 3 evicts 2 (next at 4) rather than 1 (next at 3).
  // 1 hits and is never requested again, so 2 evicts it; 3 hits. 9 (30 B) does not fit.
  const { pattern, result } = replay('belady', [...keys(1, 2, 3, 1, 2, 3), [9, 30]], 20);
  assert.equal(pattern, 'MMMHMHM');
  assert.equal(result.evictions, 2);
});

test('belady keeps the small object that returns when a large one arrives', () => {
  // capacity 30 B. 1 (10 B) 2 (20 B) fill it; 3 (10 B) evicts 2 (next never) not 1 (next at 3).
  const { pattern } = replay('belady', [[1], [2, 20], [3], [1], [3]], 30);
  assert.equal(pattern, 'MMMHH');
});

/** Request keys drawn from a Zipf-like popularity over `objects` objects (weight 1 / rank^skew). */
function zipfKeys(requests: number, objects: number, skew: number, seed: number): number[] {
  const rng = new Random(seed);
  const cdf = cumulativeWeights(Array.from({ length: objects }, (_, rank) => 1 / (rank + 1) ** skew));
  return Array.from({ length: requests }, () => pickWeighted(cdf, rng));
}

/** A loop over `objects` objects with random jumps: what defeats recency-based policies. */
function loopingKeys(requests: number, objects: number, seed: number): number[] {
  const rng = new Random(seed);
  let at = 0;
  return Array.from({ length: requests }, () => {
    at = rng.chance(0.05) ? rng.int(objects) : (at + 1) % objects;
    return at;
  });
}

const OBJECT_BYTES = 100;

function equalSizes(keys: readonly number[]): Trace {
  return traceFromRequests(keys.map((key, i) => ({ time: i, key, size: OBJECT_BYTES })));
}

test('belady misses no more than any other bounded classic policy when objects have equal sizes', async () => {
  const datalake = generateWorkload({ requests: 4000, seed: 3 });
  const traces: [string, Trace][] = [
    ['zipf 0.8', equalSizes(zipfKeys(4000, 600, 0.8, 1))],
    ['zipf 1.2', equalSizes(zipfKeys(4000, 2000, 1.2, 2))],
    ['loop', equalSizes(loopingKeys(4000, 300, 3))],
    ['datalake', { ...datalake, size: new Float64Array(datalake.length).fill(OBJECT_BYTES) }],
  ];
  // the same trace read back from oracleGeneral, so that belady follows the file's (checked) links
  const bin = tempPath('zipf.bin');
  await writeTrace(traces[0][1], bin);
  traces.push(['zipf 0.8 from oracleGeneral', (await readTrace(bin)).trace]);
  const others = policies().filter((p) => !p.learned && !p.unbounded && p.name !== 'belady');
  assert.ok(others.length >= 10, `${others.length} policies to compare`);
  for (const [name, trace] of traces) {
    for (const objects of [1, 4, 16, 64, 256]) {
      const options = { capacity: objects * OBJECT_BYTES };
      const optimal = simulate(trace, belady, options);
      for (const other of others) {
        const result = simulate(trace, other, options);
        const misses = (r: SimResult) => r.requests - r.hits;
        assert.ok(
          misses(optimal) <= misses(result),
          `${name}, ${objects} objects: belady misses ${misses(optimal)}, ${other.name} ${misses(result)}`,
        );
      }
    }
  }
});
