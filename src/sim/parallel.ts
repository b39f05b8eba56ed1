/**
 * Runs many (policy, size) simulations over one trace, in parallel on worker threads
 * sharing the trace's memory, or in this thread when there is one job or one worker.
 */
import { availableParallelism } from 'node:os';
import type { Trace } from '../trace/model.js';
import { type SimOptions, simulate } from './engine.js';
import type { SimResult } from './metrics.js';
import { policyPlugins, policySpec } from './policies/index.js';
import { type SharedTrace, toSharedTrace } from './shared-trace.js';

export interface SimJob {
  /** registry name */
  policy: string;
  /** label shown in reports, e.g. `wlru-additive(a=2)` */
  label?: string;
  options: Omit<SimOptions, 'onProgress'>;
}

export interface JobMessage {
  id: number;
  job: SimJob;
}

/** What each worker starts with: the trace and the modules that register extra policies. */
export interface WorkerData {
  trace: SharedTrace;
  plugins: string[];
}

export type WorkerReply =
  | { kind: 'progress'; id: number; requests: number }
  | { kind: 'result'; id: number; result: SimResult }
  | { kind: 'error'; id: number; message: string };

export interface RunOptions {
  /** worker threads to use (default: available cores, at most one per job) */
  workers?: number;
  /** called with the number of newly replayed requests across all jobs */
  onProgress?: (requests: number) => void;
}

export class SimJobError extends Error {
  constructor(
    readonly job: SimJob,
    message: string,
  ) {
    super(`${job.label ?? job.policy} at ${job.options.capacity} bytes: ${message}`);
    this.name = 'SimJobError';
  }
}

export async function runSimulations(
  trace: Trace,
  jobs: SimJob[],
  options: RunOptions = {},
): Promise<SimResult[]> {
  const workers = Math.min(options.workers ?? availableParallelism(), jobs.length);
  if (workers <= 1) return runInThread(trace, jobs, options.onProgress);
  return runOnWorkers(trace, jobs, workers, options.onProgress);
}

function labelled(result: SimResult, job: SimJob): SimResult {
  return job.label && job.label !== job.policy ? { ...result, label: job.label } : result;
}

function runInThread(trace: Trace, jobs: SimJob[], onProgress?: (n: number) => void): SimResult[] {
  return jobs.map((job) => {
    let reported = 0;
    const result = simulate(trace, policySpec(job.policy), {
      ...job.options,
      onProgress: (done) => {
        onProgress?.(done - reported);
        reported = done;
      },
    });
    return labelled(result, job);
  });
}

async function runOnWorkers(
  trace: Trace,
  jobs: SimJob[],
  count: number,
  onProgress?: (n: number) => void,
): Promise<SimResult[]> {
  // loaded here: a run of one job, most short runs, needs no threads
  const { Worker } = await import('node:worker_threads');
  const shared = toSharedTrace(trace);
  const results: SimResult[] = new Array(jobs.length);
  let nextJob = 0;
  const pool = Array.from(
    { length: count },
    () =>
      new Worker(new URL('./worker.js', import.meta.url), {
        workerData: { trace: shared, plugins: policyPlugins() } satisfies WorkerData,
      }),
  );
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const feed = () => {
              if (nextJob >= jobs.length) return resolve();
              const id = nextJob++;
              worker.postMessage({ id, job: jobs[id] } satisfies JobMessage);
            };
            worker.on('message', (reply: WorkerReply) => {
              if (reply.kind === 'progress') onProgress?.(reply.requests);
              else if (reply.kind === 'error') reject(new SimJobError(jobs[reply.id], reply.message));
              else {
                results[reply.id] = labelled(reply.result, jobs[reply.id]);
                feed();
              }
            });
            worker.on('error', reject);
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}
