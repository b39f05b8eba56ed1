/** Workloads built so that a learned policy must beat LRU, and training on them. */

import { Random } from '../../src/common/random.js';
import { DAY } from '../../src/common/time.js';
import { type Bundle, writeBundle } from '../../src/learn/bundle.js';
import { parseDayRange } from '../../src/learn/dataset.js';
import { trainFromTrace } from '../../src/learn/from-trace.js';
import { onlineFeatures } from '../../src/learn/online-features.js';
import type { TrainSettings } from '../../src/learn/train.js';
import { traceFromRequests } from '../../src/trace/builder.js';
import type { Request, Trace } from '../../src/trace/model.js';
import { tempPath } from '../helpers.js';

export const T0 = Date.UTC(2025, 0, 1) / 1000;

/**
 * A reused working set of 200 files of 100 MB (60 % of requests) mixed with one-hit
 * wonders of 1 GB each (40 %): LRU lets the wonders flush the working set; an admission
 * model that learns "large and never seen" = "never again" keeps it.
 */
export function oneHitWonders(days: number, perDay: number, seed = 1): Trace {
  const random = new Random(seed);
  const requests: Request[] = [];
  let wonder = 1_000_000;
  for (let i = 0; i < days * perDay; i++) {
    const time = T0 + Math.floor((i * DAY) / perDay);
    if (random.uint32() % 10 < 6) requests.push({ time, key: random.uint32() % 200, size: 1e8 });
    else requests.push({ time, key: wonder++, size: 1e9 });
  }
  return traceFromRequests(requests);
}

/**
 * Where recency misleads: 100 periodic files of 1 MB read every hour (with a per-file
 * phase), and a stream of burst files read twice 10 s apart and never again. Recently used
 * bursts push the periodic files out of an LRU cache; a model of the next request time
 * learns that a burst file read twice is done.
 */
export function periodicAndBursts(days: number, seed = 1): Trace {
  const random = new Random(seed);
  const requests: Request[] = [];
  const end = T0 + days * DAY;
  for (let f = 0; f < 100; f++) {
    const phase = random.uint32() % 3600;
    for (let t = T0 + phase; t < end; t += 3600) requests.push({ time: t, key: f, size: 1e6 });
  }
  let burst = 1_000_000;
  for (let t = T0; t < end; t += 20) {
    requests.push({ time: t, key: burst, size: 1e6 });
    requests.push({ time: t + 10, key: burst++, size: 1e6 });
  }
  requests.sort((a, b) => a.time - b.time);
  return traceFromRequests(requests);
}

export const FAST: Omit<TrainSettings, 'tuneSize'> = {
  seed: 7,
  epochs: 4,
  batchSize: 256,
  learningRate: 0.003,
  hidden: [16, 16],
};

/** Trains `kind` on days `train` (indices) of a trace and writes the bundle. */
export async function trainOn(
  trace: Trace,
  kind: string,
  train: string,
  tuneSize: number,
  settings: Partial<TrainSettings> = {},
): Promise<Bundle> {
  const trained = await trainFromTrace({
    trace,
    features: onlineFeatures(trace),
    kind,
    range: parseDayRange(train, T0, DAY),
    period: DAY,
    settings: { ...FAST, tuneSize, ...settings },
  });
  return writeBundle(tempPath(`${kind}-bundle`), trained.params, trained.labels, trained.files);
}

/** A hot file: ~4800 requests a week (past the 4096 times the hint endpoint once kept) from 1500 users (past 1024). */
export function hotFileTrace(): Trace {
  const T = Date.UTC(2025, 0, 1) / 1000;
  return traceFromRequests(
    Array.from({ length: 9000 }, (_, i) => ({
      time: T + i * 100,
      key: i % 5 === 0 ? 2 + (i % 37) : 1,
      size: 1000,
      user: `u${i % 1500}`,
      dataset: i % 5 === 0 ? 'other' : 'hot',
    })),
  );
}
