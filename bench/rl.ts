/**
 * Replay throughput of the RL policies (requests/s): scdl2 and rl, learning from scratch and
 * greedy from a bundle trained on the first 20 % of the trace, on a generated trace of
 * BENCH_RL_REQUESTS requests (default 200 k: the DQN replays tens of thousands of requests
 * per second) at 5 % of its unique bytes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainRl } from '../src/learn/rl/train-rl.js';
import { trainScdl2 } from '../src/learn/rl/train-scdl2.js';
import { simulate } from '../src/sim/engine.js';
import { policySpec } from '../src/sim/policies/index.js';
import '../src/learn/policies/index.js';
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
  requests = Number(process.env.BENCH_RL_REQUESTS ?? 200_000),
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

/** Prints the RL replay throughput as a table (the `rl` section of `npm run bench`). */
export async function printRlBench(): Promise<void> {
  const rows = await benchRl();
  console.log(`RL policies: replay of ${rows[0]?.requests ?? 0} generated requests at 5 % of unique bytes`);
  console.log('policy  mode      requests/s  byte hit ratio');
  for (const r of rows) {
    const rate = r.requestsPerSecond.toFixed(0).padStart(10);
    console.log(
      `${r.policy.padEnd(6)}  ${r.mode.padEnd(8)}  ${rate}  ${(r.byteHitRatio * 100).toFixed(2)} %`,
    );
  }
}
