import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulate } from '../../src/sim/engine.js';
import { runSimulations, type SimJob } from '../../src/sim/parallel.js';
import { policySpec } from '../../src/sim/policies/index.js';
import { traceFromRequests } from '../../src/trace/builder.js';

const trace = traceFromRequests(
  Array.from({ length: 5000 }, (_, i) => ({
    time: i * 60,
    key: (i * 7919) % 613,
    size: 100 + (i % 13) * 10,
  })),
);
const jobs: SimJob[] = ['lru', 'fifo'].flatMap((policy) =>
  [5_000, 20_000].map((capacity) => ({ policy, options: { capacity } })),
);

test('worker threads give the same results as replay in this thread, in job order', async () => {
  let progressed = 0;
  const parallel = await runSimulations(trace, jobs, { workers: 2, onProgress: (n) => (progressed += n) });
  const serial = jobs.map((j) => simulate(trace, policySpec(j.policy), j.options));
  assert.equal(progressed, jobs.length * trace.length);
  assert.deepEqual(
    parallel.map(({ elapsedMs, ...r }) => r),
    serial.map(({ elapsedMs, ...r }) => r),
  );
});

test('an unknown policy in a worker rejects with the job named', async () => {
  await assert.rejects(
    runSimulations(trace, [...jobs, { policy: 'nope', options: { capacity: 1 } }], { workers: 2 }),
    /nope at 1 bytes: unknown policy "nope"/,
  );
});
