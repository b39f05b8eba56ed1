/**
 * `npm run bench`: whole-process replay time of smartcache against libCacheSim's
 * cachesim, measured in the same run on the same traces, one policy and size per
 * process. Prints wall time, requests/s and the ratio (libCacheSim time / smartcache
 * time: above 1.0 smartcache is faster). Then feature-prep throughput (bench/prep.ts) and
 * learning: training time per epoch and replay throughput with learned policies (bench/learn.ts),
 * the redirector's decisions per second against nginx (bench/cluster.ts), and the cache node
 * against nginx proxy_cache and XCache (bench/cache.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { benchCache } from './cache.js';
import { benchCluster } from './cluster.js';
import { cacheDir, cli, generatedTrace, repoRoot } from './generated.js';
import { benchLearn } from './learn.js';
import { benchPrep } from './prep.js';
import { printRlBench } from './rl.js';
import { benchServe } from './serve.js';

const shared = path.resolve(repoRoot, '..', 'shared');

const POLICIES = ['lru', 'fifo', 'sieve', 's3fifo', 'arc', 'wtinylfu', 'lirs', 'lhd'];
const SIZE = '0.1';
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

interface Timed {
  seconds: number;
  missRatio: number;
}

function buildLibCacheSim(): string {
  const script = path.join(shared, 'peers', 'build-libcachesim.sh');
  if (!existsSync(script)) throw new Error(`peer build script not found at ${script}`);
  process.stderr.write('building libCacheSim (first run only)...\n');
  const out = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').at(-1)!;
}

function timeProcess(cmd: string, args: string[], parseMissRatio: (stdout: string) => number): Timed {
  const started = process.hrtime.bigint();
  // cachesim writes a result file into its working directory: keep it out of the repository
  const run = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, cwd: cacheDir });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${run.stderr}`);
  return { seconds, missRatio: parseMissRatio(run.stdout) };
}

function median(runs: Timed[]): Timed {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Alternates the two programs run by run, so a change in machine load hits both alike. */
function interleaved(a: () => Timed, b: () => Timed): [Timed, Timed] {
  const runsA: Timed[] = [];
  const runsB: Timed[] = [];
  for (let r = 0; r < REPEATS; r++) {
    runsA.push(a());
    runsB.push(b());
  }
  return [median(runsA), median(runsB)];
}

function cachesimRun(cachesim: string, trace: string, policy: string): Timed {
  return timeProcess(cachesim, [trace, 'oracleGeneral', policy, SIZE, '--num-thread', '1'], (out) => {
    const m = /miss ratio ([0-9.]+)/.exec(out);
    if (!m) throw new Error(`cannot read cachesim output:\n${out}`);
    return Number(m[1]);
  });
}

function smartcacheRun(trace: string, policy: string): Timed {
  const args = [cli, 'simulate', '--trace', trace, '--format', 'oracle-general'];
  args.push('--policies', policy, '--sizes', SIZE, '--jobs', '1', '--json');
  return timeProcess(process.execPath, args, (out) => JSON.parse(out)[0].missRatio);
}

function requestCount(trace: string): number {
  const out = execFileSync(
    process.execPath,
    [cli, 'inspect', trace, '--format', 'oracle-general', '--json'],
    {
      encoding: 'utf8',
    },
  );
  return JSON.parse(out).requests;
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
}

function benchSimulator(): void {
  const cachesim = buildLibCacheSim();
  const traces = [path.join(shared, 'traces', 'cloudPhysicsIO.oracleGeneral.bin'), generatedTrace()];
  const header = [
    'trace',
    'policy',
    'libCacheSim s',
    'smartcache s',
    'libCacheSim Mreq/s',
    'smartcache Mreq/s',
  ];
  header.push('ratio', 'miss ratio (lcs / sc)');
  const widths = header.map((h) => Math.max(h.length, 12));
  widths[0] = 34;
  console.log(
    `cache size ${SIZE} of unique bytes, median of ${REPEATS} interleaved runs, one process per run`,
  );
  console.log(pad(header, widths));
  for (const trace of traces) {
    const requests = requestCount(trace);
    for (const policy of POLICIES) {
      const [peer, ours] = interleaved(
        () => cachesimRun(cachesim, trace, policy),
        () => smartcacheRun(trace, policy),
      );
      const row = [path.basename(trace), policy, peer.seconds.toFixed(3), ours.seconds.toFixed(3)];
      row.push((requests / peer.seconds / 1e6).toFixed(2), (requests / ours.seconds / 1e6).toFixed(2));
      row.push(
        `${(peer.seconds / ours.seconds).toFixed(2)}x`,
        `${peer.missRatio.toFixed(4)} / ${ours.missRatio.toFixed(4)}`,
      );
      console.log(pad(row, widths));
    }
  }
}

/** Sections by name; `npm run bench -- sim` runs one, no argument runs all. */
const SECTIONS: Record<string, () => Promise<void> | void> = {
  sim: benchSimulator,
  prep: () => benchPrep(generatedTrace()),
  serve: benchServe,
  learn: benchLearn,
  rl: printRlBench,
  cluster: benchCluster,
  cache: benchCache,
};

const chosen = process.argv.slice(2);
for (const name of chosen) {
  if (!(name in SECTIONS))
    throw new Error(`unknown bench section "${name}"; known: ${Object.keys(SECTIONS).join(', ')}`);
}
for (const name of chosen.length > 0 ? chosen : Object.keys(SECTIONS)) {
  await SECTIONS[name]();
  console.log();
}
