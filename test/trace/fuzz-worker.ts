/**
 * Runs in a worker thread for fuzz.test.ts, so that a reader stuck in a loop can be
 * stopped: reads each file it is sent, then uses the trace the way the commands do
 * (inspect's statistics and text, a replay, a CSV write), and posts what happened.
 */
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { formatTraceStats } from '../../src/report/stats-text.js';
import { simulate } from '../../src/sim/engine.js';
import { policySpec } from '../../src/sim/policies/index.js';
import { inspectTrace } from '../../src/trace/inspect.js';
import type { Trace } from '../../src/trace/model.js';
import { type ReadOptions, readTrace } from '../../src/trace/read.js';
import { writeTrace } from '../../src/trace/write.js';

export interface FuzzCase {
  file: string;
  options: ReadOptions;
  /** where the worker writes the trace back as CSV */
  csvOut: string;
}

export type FuzzOutcome =
  | { file: string; kind: 'read'; digest: string }
  | { file: string; kind: 'refused' | 'crashed'; error: string; message: string };

/** The requests of a trace, hashed: equal digests mean equal requests. */
export function traceDigest(trace: Trace): string {
  const hash = createHash('sha256');
  for (let i = 0; i < trace.length; i++) {
    hash.update(`${trace.time[i]},${trace.keys.key(trace.obj[i])},${trace.size[i]}\n`);
  }
  return hash.digest('hex');
}

/** Errors the readers and writers raise on purpose, each naming file and place. */
const REFUSALS = new Set(['TraceFormatError', 'CompressedDataError', 'TraceWriteError']);

async function run({ file, options, csvOut }: FuzzCase): Promise<FuzzOutcome> {
  try {
    const { trace } = await readTrace(file, options);
    formatTraceStats(inspectTrace(trace));
    simulate(trace, policySpec('lru'), { capacity: 1e12 });
    await writeTrace(trace, csvOut, 'csv');
    return { file, kind: 'read', digest: traceDigest(trace) };
  } catch (err) {
    const e = err as Error;
    return { file, kind: REFUSALS.has(e.name) ? 'refused' : 'crashed', error: e.name, message: e.message };
  }
}

parentPort?.on('message', async (c: FuzzCase) => {
  parentPort?.postMessage(await run(c));
});
