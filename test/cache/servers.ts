/**
 * Servers the cache-node tests and bench/cache.ts start on 127.0.0.1: the node itself (the CLI,
 * in a child process), nginx and XRootD (through its HTTP door) as origins or, with a config of
 * their own, as caches, and a small in-process origin that counts requests and can stall or
 * change files. Each child is stopped by its own pid.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { dirname, join } from 'node:path';
import { repoRoot, tempPath } from '../helpers.js';

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

const answers = (url: string) => async () => (await fetch(url, { method: 'HEAD' })).status < 500;

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * How a child is launched: `prefix` goes before its command, e.g. `taskset -c 1`, which
 * execs it, so the child's pid stays the server's own.
 */
export interface Launch {
  prefix?: string[];
}

function launch(command: string, args: string[], how: Launch, options: SpawnOptions): ChildProcess {
  const [first, ...rest] = [...(how.prefix ?? []), command, ...args];
  return spawn(first, rest, options);
}

export interface RunningNode {
  url: string;
  child: ChildProcess;
  stdout: () => string;
  /** SIGTERM, then the exit */
  stop(): Promise<void>;
  /** SIGKILL, then the exit */
  kill(): Promise<void>;
}

/** The options every started node needs; what a test leaves out takes the usual test value. */
export interface NodeSetup {
  origin: string;
  /** the cache folder (default: a fresh scratch path) */
  dir?: string;
  /** default 100MB */
  capacity?: string;
  /** default T2_TEST */
  site?: string;
  /** default 64KiB */
  blockSize?: string;
}

/** The arguments of `smartcache cache` for `setup`, then `extra` (options of the test's own). */
export function nodeArgs(setup: NodeSetup, ...extra: string[]): string[] {
  return [
    ...['--origin', setup.origin, '--dir', setup.dir ?? tempPath('cache')],
    ...['--capacity', setup.capacity ?? '100MB', '--site', setup.site ?? 'T2_TEST'],
    ...['--block-size', setup.blockSize ?? '64KiB', ...extra],
  ];
}

/** Starts `smartcache cache --listen 127.0.0.1:0 ...args -q`; resolves once it listens. */
export async function startNode(args: string[], how: Launch = {}): Promise<RunningNode> {
  const child = launch(
    process.execPath,
    [join(repoRoot, 'dist', 'src', 'cli', 'main.js'), 'cache', '--listen', '127.0.0.1:0', '-q', ...args],
    how,
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    err += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cache node did not start: ${out}${err}`)), 15_000);
    const onData = () => {
      const ready = /"msg":"cache node ready".*?"url":"([^"]+)"/.exec(out);
      if (ready) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(ready[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cache node exited with ${code}: ${out}${err}`));
    });
  });
  return {
    url,
    child,
    stdout: () => out,
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}

export interface RunningOrigin {
  url: string;
  stop(): Promise<void>;
}

export interface RunningServer extends RunningOrigin {
  child: ChildProcess;
}

/** nginx serving `root` on a free port, with a generated config in a temporary folder. */
export async function startNginx(root: string): Promise<RunningServer & { accessLog: string }> {
  const accessLog = tempPath('nginx-access.log');
  const nginx = await startNginxWith({ server: `root ${root};`, accessLog });
  return { ...nginx, accessLog };
}

export interface NginxSite {
  /** directives of the one server block (its `listen` is added) */
  server: string;
  /** directives added to the http block */
  http?: string;
  /** the access log file; none when absent */
  accessLog?: string;
}

/** nginx, one worker, with a generated config in a temporary folder, listening on a free port. */
export async function startNginxWith(site: NginxSite, how: Launch = {}): Promise<RunningServer> {
  const dir = tempPath('nginx');
  mkdirSync(join(dir, 'temp'), { recursive: true });
  const port = await freePort();
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
${process.getuid?.() === 0 ? 'user root;' : ''}
events { worker_connections 1024; }
http {
  access_log ${site.accessLog ?? 'off'};
  client_body_temp_path ${dir}/temp/client;
  proxy_temp_path ${dir}/temp/proxy;
  fastcgi_temp_path ${dir}/temp/fastcgi;
  uwsgi_temp_path ${dir}/temp/uwsgi;
  scgi_temp_path ${dir}/temp/scgi;
  ${site.http ?? ''}
  server {
    listen 127.0.0.1:${port};
    ${site.server}
  }
}
`,
  );
  const child = launch('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], how, { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(answers(`${url}/`), `nginx (config ${dir}/nginx.conf, log ${dir}/error.log)`);
  return {
    url,
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}

/** XRootD serving `root` through its root:// port and its HTTP door. */
export function startXrootd(root: string, how: Launch = {}): Promise<RunningXrootd> {
  return startXrootdWith(`all.export /\noss.localroot ${root}\n`, how);
}

export interface RunningXrootd extends RunningServer {
  /** root://127.0.0.1:port, its xroot protocol port */
  rootUrl: string;
}

/**
 * XRootD with `config` (exports, storage, plugins) plus free ports for xroot and its HTTP door
 * and its own admin folder. XRootD refuses to run as root, so under root it runs as `nobody`
 * (-R), and its folders are opened to it (the scratch folder above them to traversal only).
 */
export async function startXrootdWith(config: string, how: Launch = {}): Promise<RunningXrootd> {
  const dir = tempPath('xrootd');
  mkdirSync(join(dir, 'admin'), { recursive: true });
  const [port, httpPort] = [await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'xrootd.cfg'),
    `${config}
xrd.port ${port}
xrd.protocol XrdHttp:${httpPort} libXrdHttp.so
all.adminpath ${dir}/admin
all.pidpath ${dir}/admin
`,
  );
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chmodSync(dirname(dir), 0o711);
    for (const path of [dir, join(dir, 'admin')]) chmodSync(path, 0o777);
  }
  const child = launch(
    'xrootd',
    [
      ...(asRoot ? ['-R', 'nobody'] : []),
      '-c',
      join(dir, 'xrootd.cfg'),
      '-l',
      join(dir, 'xrootd.log'),
      '-n',
      'test',
    ],
    how,
    { stdio: 'ignore', cwd: dir },
  );
  const url = `http://127.0.0.1:${httpPort}`;
  await waitFor(answers(`${url}/`), `xrootd (config ${dir}/xrootd.cfg, log ${dir}/test/xrootd.log)`);
  return {
    url,
    rootUrl: `root://127.0.0.1:${port}`,
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}

/** An origin in the test process: serves `files` (closed ranges only), counts ranges asked, can stall. */
export interface TestOrigin extends RunningOrigin {
  files: Map<string, Buffer>;
  /** `path bytes=a-b` -> times asked */
  asked: Map<string, number>;
  /** answer nothing while set */
  stall: boolean;
  /** delay each body chunk of 64 KiB by this much */
  chunkDelayMs: number;
  /** GET bodies being sent now, and the most at once so far */
  sending: number;
  mostSending: number;
}

export async function startTestOrigin(files: Map<string, Buffer>): Promise<TestOrigin> {
  const state = { stall: false, chunkDelayMs: 0, sending: 0, mostSending: 0 };
  const asked = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    if (state.stall) return;
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const body = files.get(path);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    const range = req.headers.range ?? '';
    if (req.method === 'GET') asked.set(`${path} ${range}`, (asked.get(`${path} ${range}`) ?? 0) + 1);
    const closed = /^bytes=(\d+)-(\d+)$/.exec(range);
    const etag = `"${sha256(body).slice(0, 16)}"`;
    if (range && (!closed || Number(closed[2]) >= body.length)) {
      res.writeHead(400).end('this origin takes closed in-file ranges only');
      return;
    }
    const [start, end] = closed ? [Number(closed[1]), Number(closed[2])] : [0, body.length - 1];
    res.setHeader('etag', etag);
    if (closed) res.setHeader('content-range', `bytes ${start}-${end}/${body.length}`);
    res.writeHead(closed ? 206 : 200, { 'content-length': end - start + 1 });
    if (req.method === 'HEAD') return void res.end();
    state.sending++;
    state.mostSending = Math.max(state.mostSending, state.sending);
    res.once('close', () => state.sending--);
    let at = start;
    const pump = () => {
      const next = Math.min(end + 1, at + 64 * 1024);
      if (next > end) return void res.end(body.subarray(at, next));
      const ok = res.write(body.subarray(at, next));
      at = next;
      const more = () => (state.chunkDelayMs > 0 ? setTimeout(pump, state.chunkDelayMs) : setImmediate(pump));
      if (ok) more();
      else res.once('drain', more);
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    files,
    asked,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  });
}
