/**
 * Feature-prep throughput: `prepare` on the first 1 M requests and on the whole generated
 * trace, per engine, with the time of each stage. Run by `npm run bench` after the simulator
 * section, or alone: `node dist/bench/prep.js [trace]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ENGINES } from '../src/prep/engines.js';
import { type PrepStage, prepare } from '../src/prep/pipeline.js';
import { type Trace, traceHead } from '../src/trace/model.js';
import { readTrace } from '../src/trace/read.js';
import { generatedTrace } from './generated.js';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const STAGES: PrepStage[] = ['labelling', 'staging', 'features'];

type StageSeconds = Record<PrepStage, number>;

async function timedPrep(trace: Trace, engine: string): Promise<StageSeconds> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'smartcache-bench-prep-'));
  const seconds: StageSeconds = { labelling: 0, staging: 0, features: 0 };
  try {
    await prepare(
      { trace, file: 'bench', format: 'oracle-general' },
      {
        out: path.join(scratch, 'features'),
        engine: ENGINES[engine],
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

export async function benchPrep(traceFile: string): Promise<void> {
  const started = performance.now();
  const { trace } = await readTrace(traceFile);
  const reading = (performance.now() - started) / 1000;
  console.log(
    `prep: ${path.basename(traceFile)}, read in ${reading.toFixed(2)} s; median of ${REPEATS} runs`,
  );
  const header = ['engine', 'requests', 'label s', 'stage s', 'sql+write s', 'engine Mrec/s', 'prep Mrec/s'];
  console.log(header.map((h) => h.padStart(15)).join(''));
  for (const requests of [...new Set([Math.min(1_000_000, trace.length), trace.length])]) {
    const head = traceHead(trace, requests);
    for (const engine of Object.keys(ENGINES)) {
      const runs: StageSeconds[] = [];
      for (let r = 0; r < REPEATS; r++) runs.push(await timedPrep(head, engine));
      const s = medianRun(runs);
      const row = [engine, String(requests), ...STAGES.map((stage) => s[stage].toFixed(2))];
      row.push(rate(requests, s.staging + s.features), rate(requests, total(s)));
      console.log(row.map((c) => c.padStart(15)).join(''));
    }
  }
  console.log(
    'engine = staging + SQL + Parquet writing; prep = that plus Belady labelling (reading excluded)',
  );
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchPrep(process.argv[2] ?? generatedTrace());
}
