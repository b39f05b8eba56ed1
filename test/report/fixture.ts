/** Real simulation results on a small generated trace, shared by the report tests. */
import { simulate } from '../../src/sim/engine.js';
import type { SimResult } from '../../src/sim/metrics.js';
import { policySpec } from '../../src/sim/policies/index.js';
import type { PolicySpec } from '../../src/sim/policy.js';
import { traceFromRequests } from '../../src/trace/builder.js';
import type { Request } from '../../src/trace/model.js';

export const GB = 1e9;
export const DAYS = 5;
export const SIZES = [20 * GB, 60 * GB, 200 * GB];
const START = Date.UTC(2024, 0, 1) / 1000;

/** A deterministic linear congruential generator in [0, 1). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) % 2 ** 32;
    return state / 2 ** 32;
  };
}

/** Skewed popularity over 400 files of 0.5-5 GB, spread over five days. */
function requests(count: number): Request[] {
  const next = random(7);
  const sizes = Array.from({ length: 400 }, () => Math.round((0.5 + 4.5 * next()) * GB));
  return Array.from({ length: count }, (_, i) => {
    const key = Math.floor(400 * next() ** 3);
    return { time: START + Math.floor((i / count) * DAYS * 86_400), key, size: sizes[key] };
  });
}

export const trace = traceFromRequests(requests(3000));

const infinite: PolicySpec = { ...policySpec('lru'), name: 'infinite', unbounded: true };

/** LRU and FIFO at every size plus the unbounded baseline, in a scrambled order. */
export const results: SimResult[] = [
  ...SIZES.toReversed().flatMap((capacity) =>
    ['fifo', 'lru'].map((name) => simulate(trace, policySpec(name), { capacity })),
  ),
  simulate(trace, infinite, { capacity: 0 }),
];
