/**
 * Replay throughput of the RL policies (requests/s): scdl2 and rl, learning from scratch and
 * greedy from a bundle trained on the first 20 % of the trace, on a generated trace of
 * BENCH_RL_REQUESTS requests (default 1 M) at 5 % of its unique bytes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainRl } from '../src/learn/rl/train-rl.js';
import { trainScdl2 } from '../src/learn/rl/train-scdl2.js';
import { simulate } from '../src/sim/engine.js';
import { policySpec } from '../src/sim/policies/index.js';
import { generateWorkload } from '../src/trace/generate.js';
import { traceHead, uniqueBytes } from '../src/trace/model.js';

export interface RlBenchRow {
  policy: string;
  mode: 'learning' | 'greedy';
  requests: number;
  requestsPerSecond: number;
  byteHitRatio: number;
}

export async function benchRl(
  requests = Number(process.env.BENCH_RL_REQUESTS ?? 1_000_000),
): Promise<RlBenchRow[]> {
  const trace = generateWorkload({ requests, seed: 1, days: 30 });
  const capacity = uniqueBytes(trace) * 0.05;
  const train = traceHead(trace, Math.floor(requests * 0.2));
  const dir = mkdtempSync(join(tmpdir(), 'smartcache-bench-rl-'));
  await trainScdl2(train, { capacity, out: join(dir, 'scdl2') });
  await trainRl(train, { capacity, out: join(dir, 'rl') });
  const rows: RlBenchRow[] = [];
  for (const policy of ['scdl2', 'rl']) {
    for (const mode of ['learning', 'greedy'] as const) {
      const params: Record<string, string> = mode === 'greedy' ? { bundle: join(dir, policy) } : {};
      const started = performance.now();
      const r = simulate(trace, policySpec(policy), { capacity, params });
      const seconds = (performance.now() - started) / 1000;
      rows.push({
        policy,
        mode,
        requests,
        requestsPerSecond: requests / seconds,
        byteHitRatio: r.byteHitRatio,
      });
    }
  }
  return rows;
}
