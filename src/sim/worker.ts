/** Worker thread: replays jobs on the shared trace and reports progress and results. */
import { parentPort, workerData } from 'node:worker_threads';
import { simulate } from './engine.js';
import type { JobMessage, WorkerData, WorkerReply } from './parallel.js';
import { policySpec } from './policies/index.js';
import { fromSharedTrace } from './shared-trace.js';

const { trace: shared, plugins } = workerData as WorkerData;
for (const plugin of plugins) await import(plugin);
const trace = fromSharedTrace(shared);
const port = parentPort!;

port.on('message', (msg: JobMessage) => {
  let reported = 0;
  try {
    const result = simulate(trace, policySpec(msg.job.policy), {
      ...msg.job.options,
      onProgress: (done) => {
        port.postMessage({ kind: 'progress', id: msg.id, requests: done - reported } satisfies WorkerReply);
        reported = done;
      },
    });
    port.postMessage({ kind: 'result', id: msg.id, result } satisfies WorkerReply);
  } catch (err) {
    port.postMessage({ kind: 'error', id: msg.id, message: (err as Error).message } satisfies WorkerReply);
  }
});
