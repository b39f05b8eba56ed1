/**
 * Cache bench: the smartcache cache node beside nginx proxy_cache and XCache (xrootd-server as a
 * proxy file cache, clients on its HTTP door), on 127.0.0.1, over the same generated files, one
 * after the other in the same run. Equivalent settings: 1 MiB blocks (nginx slices, XCache
 * blocks), 8 GiB capacity (far above the working set), cache folders on the same disk, no
 * revalidation within the run, one core each. One load tool for all: wrk, 16 connections:
 * (a) cached 1 MiB GETs, (b) cached 64 KiB seeded random ranges within 256 MiB files, (c) first
 * reads of 1 MiB files never asked before. (autocannon appends every body chunk to a string and
 * tops out near 40 1 MiB responses/s, so it would measure itself.) Warm-up (every file read once,
 * so all are cached) and the memory run are plain downloads from this process, the caches' VmRSS
 * sampled meanwhile: the memory run has 64 clients on the cached 256 MiB files for 10 s.
 * nginx and the node read a local nginx origin; XCache's proxy speaks only root:// here (Debian
 * ships no XrdClHttp), so its origin is a local xrootd serving the same folder.
 * Caches run on core 1; wrk, this process and the origins on core 0, when `taskset` exists.
 * Runs alone with `node dist/bench/cache.js` or in `npm run bench -- cache`.
 */
import { execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { get } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { atomically } from '../src/common/atomic.js';
import {
  type Launch,
  nodeArgs,
  type RunningServer,
  startNginxWith,
  startNode,
  startXrootd,
  startXrootdWith,
} from '../test/cache/servers.js';
import { tempPath } from '../test/helpers.js';
import { cacheDir } from './generated.js';
import { has, pinned, type WrkResult, wrk } from './wrk.js';

const SECONDS = Number(process.env.BENCH_CACHE_SECONDS ?? 5);
const CONNECTIONS = 16;
const DOWNLOADERS = 64;
const MIB = 1 << 20;
const RANGE_BYTES = 64 * 1024;
const CAPACITY_GIB = 8;
const RSS_TARGET_MB = 300;
/** no single transfer of this bench may take longer */
const TRANSFER_TIMEOUT_S = 60;
/** how long the 64 clients download in the memory run */
const MEMORY_SECONDS = 10;

interface FileSet {
  folder: string;
  count: number;
  size: number;
}

const SMALL: FileSet = { folder: 'small', count: 64, size: MIB };
const LARGE: FileSet = { folder: 'large', count: 8, size: 256 * MIB };
/** files each cache reads once, in phase (c) only */
const FRESH: FileSet = { folder: 'fresh', count: 1024, size: MIB };

const filesRoot = path.join(cacheDir, 'cache-files');
const urlPath = (set: FileSet, i: number) => `/${set.folder}/${String(i).padStart(4, '0')}.bin`;

const onCore = (core: number): Launch => ({ prefix: pinned(core, []) });

/** Writes the random files of `set` under filesRoot unless they are there at their size. */
async function ensureFiles(set: FileSet): Promise<void> {
  const chunk = Buffer.allocUnsafe(Math.min(set.size, 16 * MIB));
  for (let i = 0; i < set.count; i++) {
    const file = path.join(filesRoot, urlPath(set, i));
    if (existsSync(file) && statSync(file).size === set.size) continue;
    await atomically(file, async (temp) => {
      const out = await open(temp, 'w');
      try {
        for (let written = 0; written < set.size; written += chunk.length)
          await out.write(randomFillSync(chunk), 0, Math.min(chunk.length, set.size - written));
      } finally {
        await out.close();
      }
    });
  }
}

/** Reads the files once, so that every cache finds the origin's bytes in the page cache alike. */
function readAll(set: FileSet): void {
  for (let i = 0; i < set.count; i++) readFileSync(path.join(filesRoot, urlPath(set, i)));
}

interface Cache {
  name: string;
  url: string;
  pid: number;
  /** the folder its cached bytes go to */
  dir: string;
  stop(): Promise<void>;
}

/** A fresh cache folder, open to XRootD's `nobody` when this runs as root. */
function cacheFolder(name: string): string {
  const dir = tempPath(name);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777);
  return dir;
}

async function startNginxCache(origin: string): Promise<Cache> {
  const dir = cacheFolder('nginx-cache');
  const nginx = await startNginxWith(
    {
      // no tcp_nopush: with it, each cached range answer waits about 40 ms for a delayed ACK here
      http: `sendfile on;
  keepalive_requests 1000000;
  proxy_cache_path ${dir} levels=1:2 keys_zone=bench:64m max_size=${CAPACITY_GIB}g inactive=1d use_temp_path=off;
  upstream origin { server ${new URL(origin).host}; keepalive 64; }`,
      server: `location / {
      slice 1m;
      proxy_cache bench;
      proxy_cache_key $uri$slice_range;
      proxy_set_header Range $slice_range;
      proxy_cache_valid 200 206 1d;
      proxy_cache_lock on;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass http://origin;
    }`,
    },
    onCore(1),
  );
  return { name: 'nginx proxy_cache', url: nginx.url, pid: nginx.child.pid!, dir, stop: nginx.stop };
}

async function startXcache(rootOrigin: string): Promise<Cache> {
  const dir = cacheFolder('xcache');
  const xcache = await startXrootdWith(
    `all.export /
ofs.osslib libXrdPss.so
pss.cachelib libXrdPfc.so
pss.origin ${new URL(rootOrigin).host}
oss.localroot ${dir}
pfc.blocksize 1M
pfc.ram 1g
pfc.diskusage ${CAPACITY_GIB - 1}g ${CAPACITY_GIB}g`,
    onCore(1),
  );
  return { name: 'XCache', url: xcache.url, pid: xcache.child.pid!, dir, stop: xcache.stop };
}

async function startSmartcache(origin: string): Promise<Cache> {
  const dir = cacheFolder('smartcache');
  const setup = { origin, dir, capacity: `${CAPACITY_GIB}GiB`, site: 'bench', blockSize: '1MiB' };
  const node = await startNode(nodeArgs(setup, '--revalidate', '1d'), onCore(1));
  return { name: 'smartcache', url: node.url, pid: node.child.pid!, dir, stop: node.stop };
}

/**
 * GETs `url` and discards the body; fails unless the status is 200 and all `size` bytes came.
 * With `until` (a time of performance.now()), stops there instead and resolves the bytes so far.
 */
function download(url: string, size: number, until = Number.POSITIVE_INFINITY): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`GET ${url}: ${why}`));
    const request = get(url, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        return fail(`status ${response.statusCode}`);
      }
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (performance.now() >= until) {
          request.destroy();
          resolve(bytes);
        }
      });
      response.on('error', (err) => fail(err.message));
      response.on('end', () => (bytes === size ? resolve(bytes) : fail(`${bytes} bytes, expected ${size}`)));
    });
    request.on('error', (err) => fail(err.message));
    request.setTimeout(TRANSFER_TIMEOUT_S * 1000, () =>
      request.destroy(new Error(`silent for ${TRANSFER_TIMEOUT_S} s`)),
    );
  });
}

/** Downloads every file of `set`, `perFile` clients at once on each; the bytes received. */
async function readEveryFile(url: string, set: FileSet, perFile: number, until?: number): Promise<number> {
  const downloads: Promise<number>[] = [];
  for (let i = 0; i < set.count; i++)
    for (let c = 0; c < perFile; c++) downloads.push(download(`${url}${urlPath(set, i)}`, set.size, until));
  return (await Promise.all(downloads)).reduce((sum, bytes) => sum + bytes, 0);
}

/** Bytes the folder holds on disk (allocated blocks, as sparse files count). */
function diskBytes(dir: string): number {
  return Number(execFileSync('du', ['-s', '-B1', dir], { encoding: 'utf8' }).split('\t')[0]);
}

interface Load extends WrkResult {
  /** response bodies, GB/s */
  gbps: number;
}

const luaPath = (set: FileSet, index: string) => `string.format("/${set.folder}/%04d.bin", ${index})`;

/** Scripts of the three wrk runs, written into `dir`. */
function wrkScripts(dir: string): Record<'hits' | 'ranges' | 'misses', string> {
  mkdirSync(dir, { recursive: true });
  const write = (name: string, lua: string) => {
    const file = path.join(dir, `${name}.lua`);
    writeFileSync(file, lua);
    return file;
  };
  return {
    hits: write(
      'hits',
      `local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", ${luaPath(SMALL, `i % ${SMALL.count}`)})
end
`,
    ),
    ranges: write(
      'ranges',
      `math.randomseed(11)
request = function()
  local start = math.random(0, ${LARGE.size - RANGE_BYTES})
  local range = "bytes=" .. start .. "-" .. (start + ${RANGE_BYTES - 1})
  return wrk.format("GET", ${luaPath(LARGE, `math.random(0, ${LARGE.count - 1})`)}, { Range = range })
end
`,
    ),
    // stops CONNECTIONS answers early, so that no file is asked twice
    misses: write(
      'misses',
      `local sent, done = 0, 0
request = function()
  sent = sent + 1
  return wrk.format("GET", ${luaPath(FRESH, `(sent - 1) % ${FRESH.count}`)})
end
response = function()
  done = done + 1
  if done >= ${FRESH.count - CONNECTIONS} then wrk.thread:stop() end
end
`,
    ),
  };
}

/** One wrk run of 16 connections on core 0; fails on errors, naming the cache and the run. */
async function load(cache: Cache, what: string, script: string, bodyBytes: number): Promise<Load> {
  const result = await wrk({ url: cache.url, script, connections: CONNECTIONS, seconds: SECONDS, core: 0 });
  if (result.errors) throw new Error(`${cache.name}, ${what}: ${result.errors}`);
  return { ...result, gbps: (result.rps * bodyBytes) / 1e9 };
}

/** A kB field of /proc/PID/status, in MB. */
function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) / 1000;
}

/** VmRSS of the process and its children (an nginx master and its worker), in MB. */
function rssMb(pid: number): number {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
  );
  return [pid, ...children].reduce((sum, p) => sum + statusMb(p, 'VmRSS'), 0);
}

/** Runs `during` while sampling the cache's RSS every 50 ms; the highest sample in MB. */
async function peakRss(pid: number, during: () => Promise<unknown>): Promise<number> {
  let peak = rssMb(pid);
  const sampling = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 50);
  try {
    await during();
  } finally {
    clearInterval(sampling);
  }
  return Math.max(peak, rssMb(pid));
}

interface Figures {
  warmSeconds: number;
  coldPeakRssMb: number;
  hits: Load;
  ranges: Load;
  misses: Load;
  diskGb: number;
}

async function measure(cache: Cache, scripts: ReturnType<typeof wrkScripts>): Promise<Figures> {
  const warmStarted = performance.now();
  await readEveryFile(cache.url, SMALL, 1);
  const coldPeakRssMb = await peakRss(cache.pid, () => readEveryFile(cache.url, LARGE, 1));
  const warmSeconds = (performance.now() - warmStarted) / 1000;
  const hits = await load(cache, 'cached 1 MiB GETs', scripts.hits, SMALL.size);
  const ranges = await load(cache, 'cached 64 KiB ranges', scripts.ranges, RANGE_BYTES);
  const misses = await load(cache, 'first reads of 1 MiB', scripts.misses, FRESH.size);
  return { warmSeconds, coldPeakRssMb, hits, ranges, misses, diskGb: diskBytes(cache.dir) / 1e9 };
}

/** The cache's memory while 64 clients download the cached 256 MiB files, 8 on each, for a while. */
async function downloadsRss(cache: Cache): Promise<NodeMemory> {
  const started = performance.now();
  let bytes = 0;
  const peak = await peakRss(cache.pid, async () => {
    const until = started + MEMORY_SECONDS * 1000;
    bytes = await readEveryFile(cache.url, LARGE, DOWNLOADERS / LARGE.count, until);
  });
  const gbps = bytes / ((performance.now() - started) / 1000) / 1e9;
  return { peak, hwm: statusMb(cache.pid, 'VmHWM'), gbps };
}

function table(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows)
    console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
}

export async function benchCache(): Promise<void> {
  for (const [tool, debian] of [
    ['nginx', 'nginx'],
    ['xrootd', 'xrootd-server'],
    ['wrk', 'wrk'],
  ])
    if (!has(tool)) throw new Error(`${tool} is not installed (Debian: apt-get install -y ${debian})`);
  if (has('taskset'))
    execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  process.stderr.write(`cache bench: files in ${filesRoot} (written once)...\n`);
  for (const set of [SMALL, LARGE, FRESH]) await ensureFiles(set);
  for (const set of [SMALL, LARGE, FRESH]) readAll(set);
  const figures = new Map<string, Figures>();
  let memory: NodeMemory | undefined;
  const origins: RunningServer[] = [];
  try {
    const origin = await startNginxWith({ server: `root ${filesRoot};`, http: 'sendfile on;' }, onCore(0));
    origins.push(origin);
    const rootOrigin = await startXrootd(filesRoot, onCore(0));
    origins.push(rootOrigin);
    const scripts = wrkScripts(tempPath('wrk'));
    const starts: [string, () => Promise<Cache>][] = [
      ['nginx', () => startNginxCache(origin.url)],
      ['XCache', () => startXcache(rootOrigin.rootUrl)],
      ['smartcache', () => startSmartcache(origin.url)],
    ];
    for (const [name, start] of starts) {
      process.stderr.write(`cache bench: ${name}...\n`);
      const cache = await start();
      try {
        figures.set(name, await measure(cache, scripts));
        if (name === 'smartcache') memory = await downloadsRss(cache);
      } finally {
        await cache.stop();
        rmSync(cache.dir, { recursive: true, force: true });
      }
    }
  } finally {
    for (const origin of origins) await origin.stop();
  }
  print(figures, memory!);
}

interface NodeMemory {
  peak: number;
  hwm: number;
  /** bodies to the 64 clients */
  gbps: number;
}

function print(figures: Map<string, Figures>, memory: NodeMemory): void {
  const [nginx, xcache, ours] = ['nginx', 'XCache', 'smartcache'].map((name) => figures.get(name)!);
  console.log(
    `\ncaches on 127.0.0.1, one core each; wrk, ${CONNECTIONS} connections, ${SECONDS} s per run;` +
      ` ${SMALL.count} x 1 MiB and ${LARGE.count} x 256 MiB cached, ${FRESH.count} x 1 MiB read once`,
  );
  const rows = [['', 'nginx', 'XCache', 'smartcache', 'smartcache/nginx', 'smartcache/XCache']];
  const add = (label: string, pick: (f: Figures) => number, digits: number, ratios = true) =>
    rows.push([
      label,
      ...[nginx, xcache, ours].map((f) => pick(f).toFixed(digits)),
      ratios ? `${(pick(ours) / pick(nginx)).toFixed(2)}x` : '',
      ratios ? `${(pick(ours) / pick(xcache)).toFixed(2)}x` : '',
    ]);
  add('(a) cached 1 MiB GETs, req/s', (f) => f.hits.rps, 0);
  add('(a) GB/s', (f) => f.hits.gbps, 2);
  add('(a) p99 ms', (f) => f.hits.p99ms, 1);
  add('(b) cached 64 KiB ranges, req/s', (f) => f.ranges.rps, 0);
  add('(b) GB/s', (f) => f.ranges.gbps, 2);
  add('(b) p99 ms', (f) => f.ranges.p99ms, 1);
  add('(c) first reads of 1 MiB, req/s', (f) => f.misses.rps, 0);
  add('(c) GB/s', (f) => f.misses.gbps, 2);
  add('(c) p99 ms', (f) => f.misses.p99ms, 1);
  add(`warm-up s (64 x 1 MiB, then ${LARGE.count} x 256 MiB, one client each)`, (f) => f.warmSeconds, 1);
  add(`peak RSS MB, the ${LARGE.count} cold 256 MiB downloads`, (f) => f.coldPeakRssMb, 0, false);
  add('cache folder GB after the runs', (f) => f.diskGb, 2, false);
  table(rows);
  console.log(
    `smartcache RSS while ${DOWNLOADERS} clients download the cached 256 MiB files for ${MEMORY_SECONDS} s (${memory.gbps.toFixed(2)} GB/s):` +
      ` peak ${memory.peak.toFixed(0)} MB, VmHWM since start ${memory.hwm.toFixed(0)} MB; target below ${RSS_TARGET_MB} MB`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchCache();
