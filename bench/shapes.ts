/**
 * Synthetic trace shapes the simulator bench makes itself, beside the shared CloudPhysics trace
 * and the generated data lake: skewed popularity over many small objects, and a scan-heavy mix.
 * Each is deterministic from its seed, written once as oracleGeneral into .cache/bench.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { cumulativeWeights, pickWeighted, Random } from '../src/common/random.js';
import { TraceBuilder } from '../src/trace/builder.js';
import type { Trace } from '../src/trace/model.js';
import { writeTrace } from '../src/trace/write.js';
import { cacheDir } from './generated.js';

export interface Shape {
  /** file-name stem and table label */
  name: string;
  build(): Trace;
}

const SHAPE_REQUESTS = Number(process.env.BENCH_SHAPE_REQUESTS ?? 4_000_000);
/** requests per trace second: times only order the records, the policies ignore them */
const REQUESTS_PER_SECOND = 1000;

/** Small objects (median 8 KiB, lognormal), requested with Zipf popularity of exponent `alpha`. */
function zipfShape(alpha: number): Shape {
  return {
    name: `zipf${alpha.toFixed(1)}-small`,
    build() {
      const rng = new Random(Math.round(alpha * 1000));
      const objects = Math.round(SHAPE_REQUESTS / 10);
      const zipf = zipfCdf(objects, alpha);
      const sizes = objectSizes(rng, objects, 8 << 10);
      const ids = shuffledIds(rng, objects);
      const builder = TraceBuilder.numeric(SHAPE_REQUESTS);
      for (let i = 0; i < SHAPE_REQUESTS; i++) {
        const rank = pickWeighted(zipf, rng);
        builder.add(Math.floor(i / REQUESTS_PER_SECOND), builder.keys.intern(ids[rank]), sizes[rank]);
      }
      return builder.finish();
    },
  };
}

/**
 * A hot Zipf set read by 60 % of the requests, and sequential scans over a cold range ten times
 * larger (runs of 1 000 to 20 000 consecutive objects) for the rest: the shape that flushes LRU.
 */
function scanShape(): Shape {
  return {
    name: 'scan-mix',
    build() {
      const rng = new Random(7);
      const hot = Math.round(SHAPE_REQUESTS / 40);
      const cold = hot * 10;
      const zipf = zipfCdf(hot, 0.9);
      const sizes = objectSizes(rng, hot + cold, 64 << 10);
      const ids = shuffledIds(rng, hot + cold);
      const builder = TraceBuilder.numeric(SHAPE_REQUESTS);
      let scanAt = 0;
      let scanLeft = 0;
      for (let i = 0; i < SHAPE_REQUESTS; i++) {
        let object: number;
        if (rng.chance(0.6)) object = pickWeighted(zipf, rng);
        else {
          if (scanLeft === 0) {
            scanLeft = 1000 + rng.int(19_001);
            scanAt = rng.int(cold);
          }
          object = hot + (scanAt++ % cold);
          scanLeft--;
        }
        builder.add(Math.floor(i / REQUESTS_PER_SECOND), builder.keys.intern(ids[object]), sizes[object]);
      }
      return builder.finish();
    },
  };
}

export const SHAPES: readonly Shape[] = [zipfShape(0.6), zipfShape(1.0), scanShape()];

/** The shape's oracleGeneral file, made on first use. */
export async function shapeTrace(shape: Shape): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  const file = path.join(cacheDir, `${shape.name}-${SHAPE_REQUESTS}.oracleGeneral.bin`);
  if (existsSync(file)) return file;
  process.stderr.write(`generating the ${shape.name} trace (${SHAPE_REQUESTS} requests)...\n`);
  await writeTrace(shape.build(), file, 'oracle-general');
  return file;
}

function zipfCdf(n: number, alpha: number): Float64Array {
  const weights = new Float64Array(n);
  for (let rank = 0; rank < n; rank++) weights[rank] = 1 / (rank + 1) ** alpha;
  return cumulativeWeights(weights);
}

/** Lognormal sizes of the given median (sigma 1.5), whole bytes from 64 B to 64 MiB. */
function objectSizes(rng: Random, n: number, median: number): Float64Array {
  const sizes = new Float64Array(n);
  for (let i = 0; i < n; i++)
    sizes[i] = Math.min(64 << 20, Math.max(64, Math.round(rng.lognormal(median, 1.5))));
  return sizes;
}

/** Object ids 1..n in random order, so popularity is not the order of the ids. */
function shuffledIds(rng: Random, n: number): Uint32Array {
  const ids = new Uint32Array(n);
  for (let i = 0; i < n; i++) ids[i] = i + 1;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = ids[i];
    ids[i] = ids[j];
    ids[j] = t;
  }
  return ids;
}
