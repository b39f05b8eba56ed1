/**
 * Feature-prep throughput: `prepare` on the first 1 M requests and on the whole generated
 * trace, per engine, with the time of each stage. Spark runs on a local Spark Connect server
 * started for the run (driver memory BENCH_SPARK_MEMORY, default 8g) and stopped after it.
 * BENCH_PREP_ENGINES picks the engines (default every registered one; `duckdb` alone starts
 * no Spark). The load average is printed with every row: the figures mean little without it.
 * Run by `npm run bench` after the simulator section, or alone: `node dist/bench/prep.js [trace]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ENGINES } from '../src/prep/engines.js';
import { type PrepStage, prepare } from '../src/prep/pipeline.js';
import { type ScratchSpark, startScratchSpark } from '../src/prep/spark/local-server.js';
import { type Trace, traceHead } from '../src/trace/model.js';
import { readTrace } from '../src/trace/read.js';
import { generatedTrace } from './generated.js';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const STAGES: PrepStage[] = ['labelling', 'staging', 'features'];

type StageSeconds = Record<PrepStage, number>;

async function timedPrep(
  trace: Trace,
  engine: string,
  sparkRemote: string | undefined,
): Promise<StageSeconds> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'smartcache-bench-prep-'));
  const seconds: StageSeconds = { labelling: 0, staging: 0, features: 0 };
  try {
    await prepare(
      { trace, file: 'bench', format: 'oracle-general' },
      {
        out: path.join(scratch, 'features'),
        engine: ENGINES[engine],
        sparkRemote,
        onStage: (stage) => {
          const started = performance.now();
          return { advance: () => {}, end: () => (seconds[stage] = (performance.now() - started) / 1000) };
        },
      },
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return seconds;
}

const total = (s: StageSeconds) => STAGES.reduce((sum, stage) => sum + s[stage], 0);

function medianRun(runs: StageSeconds[]): StageSeconds {
  return [...runs].sort((a, b) => total(a) - total(b))[Math.floor(runs.length / 2)];
}

const rate = (requests: number, seconds: number) => `${(requests / seconds / 1e6).toFixed(2)}`;

/** Runs `work` with a local Spark Connect server when `wanted`, with none otherwise. */
async function withLocalSpark<T>(
  wanted: boolean,
  work: (spark: ScratchSpark | undefined) => Promise<T>,
): Promise<T> {
  if (!wanted) return work(undefined);
  const started = performance.now();
  const spark = await startScratchSpark({ driverMemory: process.env.BENCH_SPARK_MEMORY ?? '8g' });
  console.log(
    `prep: local Spark Connect server up in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  try {
    return await work(spark);
  } finally {
    await spark.stop();
  }
}

export async function benchPrep(traceFile: string): Promise<void> {
  const started = performance.now();
  const { trace } = await readTrace(traceFile);
  const reading = (performance.now() - started) / 1000;
  console.log(
    `prep: ${path.basename(traceFile)}, read in ${reading.toFixed(2)} s; median of ${REPEATS} runs`,
  );
  const engines = process.env.BENCH_PREP_ENGINES?.split(',') ?? Object.keys(ENGINES);
  for (const engine of engines) {
    if (!ENGINES[engine])
      throw new Error(`BENCH_PREP_ENGINES: no engine "${engine}" (${Object.keys(ENGINES)})`);
  }
  const sizes = [...new Set([Math.min(1_000_000, trace.length), trace.length])];
  const prepRates = await withLocalSpark(engines.includes('spark'), async (spark) => {
    const header = [
      'engine',
      'requests',
      'label s',
      'stage s',
      'sql+write s',
      'engine Mrec/s',
      'prep Mrec/s',
      'load',
    ];
    console.log(header.map((h) => h.padStart(15)).join(''));
    const rates = new Map<string, string>();
    for (const requests of sizes) {
      const head = traceHead(trace, requests);
      for (const engine of engines) {
        const runs: StageSeconds[] = [];
        for (let r = 0; r < REPEATS; r++) runs.push(await timedPrep(head, engine, spark?.server.remote));
        const s = medianRun(runs);
        const row = [engine, String(requests), ...STAGES.map((stage) => s[stage].toFixed(2))];
        row.push(rate(requests, s.staging + s.features), rate(requests, total(s)), loadavg()[0].toFixed(1));
        console.log(row.map((c) => c.padStart(15)).join(''));
        rates.set(`${engine} ${requests}`, rate(requests, total(s)));
      }
    }
    return rates;
  });
  console.log(
    'engine = staging + SQL + Parquet writing; prep = that plus Belady labelling (reading excluded)',
  );
  console.log(`prep Mrec/s side by side:\n${['requests', ...engines].map((h) => h.padStart(15)).join('')}`);
  for (const requests of sizes) {
    const row = [String(requests), ...engines.map((engine) => prepRates.get(`${engine} ${requests}`) ?? '')];
    console.log(row.map((c) => c.padStart(15)).join(''));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchPrep(process.argv[2] ?? generatedTrace());
}
