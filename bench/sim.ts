/**
 * `npm run bench -- sim`: whole-process replay of smartcache against libCacheSim's cachesim,
 * measured in the same run on the same traces. Three tables:
 * - single: one policy and size per process, wall time (to the millisecond) and peak RSS (GNU
 *   time), on the shared CloudPhysics trace, the generated data lake and the shapes of
 *   bench/shapes.ts;
 * - grid: every policy x size of a trace in one smartcache process against cachesim run once per
 *   policy with all sizes, both on BENCH_THREADS threads;
 * - start-up: the 114 k-request CloudPhysics trace, where start-up is most of the time, in a
 *   default Node environment and, when this machine sets NODE_EXTRA_CA_CERTS, with it.
 * Ratios are libCacheSim / smartcache: above 1.0 smartcache is faster or smaller.
 * BENCH_TRACES, BENCH_POLICIES and BENCH_SIZES (comma lists) narrow the runs, BENCH_TABLES
 * (single,grid,startup) the tables.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cacheDir, cli, generatedTrace, repoRoot } from './generated.js';
import { SHAPES, shapeTrace } from './shapes.js';

const shared = path.resolve(repoRoot, '..', 'shared');
const GNU_TIME = '/usr/bin/time';

const POLICIES = listFromEnv('BENCH_POLICIES', [
  'lru',
  'fifo',
  'clock',
  'sieve',
  's3fifo',
  'arc',
  'lfu',
  '2q',
  'belady',
  'wtinylfu',
  'lirs',
  'lhd',
]);
const SIZES = listFromEnv('BENCH_SIZES', ['0.01', '0.1']);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);

interface Timed {
  seconds: number;
  /** peak resident set, bytes */
  peakRss: number;
  /** miss ratio of the first size */
  missRatio: number;
}

interface NamedTrace {
  name: string;
  file: string;
}

function listFromEnv(name: string, all: string[]): string[] {
  const value = process.env[name];
  return value ? value.split(',').map((v) => v.trim()) : all;
}

function buildLibCacheSim(): string {
  const script = path.join(shared, 'peers', 'build-libcachesim.sh');
  if (!existsSync(script)) throw new Error(`peer build script not found at ${script}`);
  process.stderr.write('building libCacheSim (first run only)...\n');
  const out = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').at(-1)!;
}

/**
 * NODE_EXTRA_CA_CERTS makes every Node.js 20 process read and parse that certificate bundle
 * before it runs any code (about 50 ms on the 140-certificate system bundle of the machine the
 * README's figures come from). A default Node set-up has none, and no simulation uses TLS, so
 * the runs drop it unless BENCH_KEEP_ENV=1; the start-up table shows both.
 */
const STARTUP_COST_VARIABLES = ['NODE_EXTRA_CA_CERTS'];
/** those of them this machine sets */
const startupCostSet = STARTUP_COST_VARIABLES.filter((name) => process.env[name] !== undefined);
const keepEnvironment = process.env.BENCH_KEEP_ENV === '1';

function environment(keep: boolean): NodeJS.ProcessEnv {
  if (keep) return process.env;
  const env = { ...process.env };
  for (const name of startupCostSet) delete env[name];
  return env;
}

/** Runs a command under GNU time for its peak RSS; wall time is read here, to the millisecond. */
function timeProcess(
  scratch: string,
  cmd: string,
  args: string[],
  parseMissRatio: (stdout: string) => number,
  env = environment(keepEnvironment),
): Timed {
  const report = path.join(scratch, 'time.txt');
  const started = process.hrtime.bigint();
  // cachesim writes a result file into its working directory: keep it out of the repository
  const run = spawnSync(GNU_TIME, ['-f', '%M', '-o', report, cmd, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    cwd: cacheDir,
    env,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${run.stderr}`);
  const kib = Number(readFileSync(report, 'utf8').trim().split('\n').at(-1));
  return { seconds, peakRss: kib * 1024, missRatio: parseMissRatio(run.stdout) };
}

function median(runs: Timed[]): Timed {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  const middle = sorted[Math.floor(sorted.length / 2)];
  const rss = runs.map((r) => r.peakRss).sort((a, b) => a - b);
  return { ...middle, peakRss: rss[Math.floor(rss.length / 2)] };
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

function cachesimMissRatio(out: string): number {
  const m = /miss ratio ([0-9.]+)/.exec(out);
  if (!m) throw new Error(`cannot read cachesim output:\n${out}`);
  return Number(m[1]);
}

function cachesimRun(
  scratch: string,
  cachesim: string,
  trace: string,
  policy: string,
  sizes: string,
  threads: number,
): Timed {
  const args = [trace, 'oracleGeneral', policy, sizes, '--num-thread', String(threads)];
  return timeProcess(scratch, cachesim, args, cachesimMissRatio);
}

function smartcacheRun(
  scratch: string,
  trace: string,
  policies: string,
  sizes: string,
  jobs: number,
  env?: NodeJS.ProcessEnv,
): Timed {
  const args = [cli, 'simulate', '--trace', trace, '--format', 'oracle-general'];
  args.push('--policies', policies, '--sizes', sizes, '--jobs', String(jobs), '--json');
  return timeProcess(scratch, process.execPath, args, (out) => JSON.parse(out)[0].missRatio, env);
}

/** Sum of the cachesim processes a grid takes, one per policy; RSS is the largest. */
function cachesimGrid(scratch: string, cachesim: string, trace: string): Timed {
  const runs = POLICIES.map((p) => cachesimRun(scratch, cachesim, trace, p, SIZES.join(','), THREADS));
  return {
    seconds: runs.reduce((sum, r) => sum + r.seconds, 0),
    peakRss: Math.max(...runs.map((r) => r.peakRss)),
    missRatio: runs[0].missRatio,
  };
}

function requestCount(trace: string): number {
  const args = [cli, 'inspect', trace, '--format', 'oracle-general', '--json'];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })).requests;
}

class Table {
  private readonly widths: number[];
  constructor(header: string[]) {
    this.widths = header.map((h, i) => (i === 0 ? 26 : Math.max(h.length, 9)));
    this.row(header);
  }
  row(cells: string[]): void {
    const padded = cells.map((c, i) => (i < 3 ? c.padEnd(this.widths[i]) : c.padStart(this.widths[i])));
    console.log(padded.join('  '));
  }
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const ratio = (peer: number, ours: number) => `${(peer / ours).toFixed(2)}x`;

/** Both runs' seconds and MiB with their ratios, as the single and grid tables print them. */
function comparison(peer: Timed, ours: Timed): string[] {
  return [
    peer.seconds.toFixed(3),
    ours.seconds.toFixed(3),
    ratio(peer.seconds, ours.seconds),
    mib(peer.peakRss),
    mib(ours.peakRss),
    ratio(peer.peakRss, ours.peakRss),
  ];
}

async function benchTraces(): Promise<NamedTrace[]> {
  const all: NamedTrace[] = [
    { name: 'cloudPhysics', file: path.join(shared, 'traces', 'cloudPhysicsIO.oracleGeneral.bin') },
    { name: 'datalake', file: generatedTrace() },
  ];
  for (const shape of SHAPES) all.push({ name: shape.name, file: await shapeTrace(shape) });
  const wanted = listFromEnv(
    'BENCH_TRACES',
    all.map((t) => t.name),
  );
  const unknown = wanted.filter((w) => !all.some((t) => t.name === w));
  if (unknown.length > 0)
    throw new Error(
      `unknown BENCH_TRACES ${unknown.join(', ')}; known: ${all.map((t) => t.name).join(', ')}`,
    );
  return all.filter((t) => wanted.includes(t.name));
}

function singleTable(scratch: string, cachesim: string, traces: NamedTrace[]): void {
  console.log(`one policy and size per process, median of ${REPEATS} interleaved runs, one thread`);
  const table = new Table([
    'trace',
    'policy',
    'size',
    'lcs s',
    'sc s',
    'time',
    'lcs MiB',
    'sc MiB',
    'memory',
  ]);
  for (const trace of traces) {
    for (const size of SIZES) {
      for (const policy of POLICIES) {
        const [peer, ours] = interleaved(
          () => cachesimRun(scratch, cachesim, trace.file, policy, size, 1),
          () => smartcacheRun(scratch, trace.file, policy, size, 1),
        );
        if (Math.abs(peer.missRatio - ours.missRatio) > 0.01)
          process.stderr.write(
            `note: ${trace.name} ${policy} ${size}: miss ratio ${peer.missRatio} (libCacheSim) vs ${ours.missRatio}\n`,
          );
        table.row([trace.name, policy, size, ...comparison(peer, ours)]);
      }
    }
  }
}

function gridTable(scratch: string, cachesim: string, traces: NamedTrace[]): void {
  console.log();
  console.log(
    `grid of ${POLICIES.length} policies x ${SIZES.length} sizes, ${THREADS} threads: smartcache in one process, cachesim once per policy`,
  );
  const table = new Table(['trace', 'grid', '', 'lcs s', 'sc s', 'time', 'lcs MiB', 'sc MiB', 'memory']);
  for (const trace of traces) {
    const [peer, ours] = interleaved(
      () => cachesimGrid(scratch, cachesim, trace.file),
      () => smartcacheRun(scratch, trace.file, POLICIES.join(','), SIZES.join(','), THREADS),
    );
    table.row([trace.name, `${POLICIES.length}x${SIZES.length}`, '', ...comparison(peer, ours)]);
  }
}

function startupTable(scratch: string, cachesim: string): void {
  const trace = path.join(shared, 'traces', 'cloudPhysicsIO.oracleGeneral.bin');
  console.log();
  console.log(`start-up: LRU at 0.1 on the ${requestCount(trace)}-request CloudPhysics trace, whole process`);
  const table = new Table(['environment', 'policy', 'size', 'lcs s', 'sc s', 'time']);
  const environments: [string, NodeJS.ProcessEnv][] = [['default Node', environment(false)]];
  if (startupCostSet.length > 0) environments.push([`${startupCostSet.join(', ')} set`, process.env]);
  for (const [name, env] of environments) {
    const [peer, ours] = interleaved(
      () => cachesimRun(scratch, cachesim, trace, 'lru', '0.1', 1),
      () => smartcacheRun(scratch, trace, 'lru', '0.1', 1, env),
    );
    table.row([
      name,
      'lru',
      '0.1',
      peer.seconds.toFixed(3),
      ours.seconds.toFixed(3),
      ratio(peer.seconds, ours.seconds),
    ]);
  }
}

function describeEnvironment(): void {
  if (startupCostSet.length === 0) return;
  const action = keepEnvironment
    ? 'kept (BENCH_KEEP_ENV=1)'
    : 'dropped for the runs (BENCH_KEEP_ENV=1 keeps it)';
  console.log(
    `note: ${startupCostSet.join(', ')} is set here, which makes each Node.js start parse a certificate bundle: ${action}`,
  );
}

export async function benchSimulator(): Promise<void> {
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is needed for peak memory: apt-get install time`);
  const cachesim = buildLibCacheSim();
  const traces = await benchTraces();
  const scratch = await mkdtemp(path.join(tmpdir(), 'smartcache-bench-sim-'));
  try {
    const tables = listFromEnv('BENCH_TABLES', ['single', 'grid', 'startup']);
    describeEnvironment();
    if (tables.includes('single')) singleTable(scratch, cachesim, traces);
    if (tables.includes('grid')) gridTable(scratch, cachesim, traces);
    if (tables.includes('startup')) startupTable(scratch, cachesim);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
