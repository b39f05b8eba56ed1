/** Test helper: replays a tiny hand-written trace and reports which requests hit. */
import { simulate } from '../../../src/sim/engine.js';
import type { SimResult } from '../../../src/sim/metrics.js';
import { policySpec } from '../../../src/sim/policies/index.js';
import type { PolicySpec } from '../../../src/sim/policy.js';
import { traceFromRequests } from '../../../src/trace/builder.js';

/** [key, size in bytes (default 10), time in s (default: the request index)] */
export type Step = readonly [key: number, size?: number, time?: number];

export interface Replay {
  /** one letter per request: H for a hit, M for a miss */
  pattern: string;
  result: SimResult;
}

export function replay(
  policy: string,
  steps: readonly Step[],
  capacity: number,
  options: { params?: Record<string, string>; seed?: number } = {},
): Replay {
  const trace = traceFromRequests(steps.map(([key, size = 10, time], i) => ({ key, size, time: time ?? i })));
  const hitRequests = new Set<number>();
  const spec = policySpec(policy);
  const recording: PolicySpec = {
    ...spec,
    create(ctx) {
      const inner = spec.create(ctx);
      const hit = inner.hit.bind(inner);
      inner.hit = (obj, req) => {
        hitRequests.add(req);
        hit(obj, req);
      };
      return inner;
    },
  };
  const result = simulate(trace, recording, { capacity, ...options });
  const pattern = Array.from({ length: trace.length }, (_, i) => (hitRequests.has(i) ? 'H' : 'M')).join('');
  return { pattern, result };
}

/** Steps of size 10 from keys. */
export function keys(...ids: number[]): Step[] {
  return ids.map((id) => [id]);
}
