/**
 * Starts and stops a Spark Connect server on this machine, from the Spark that the `pyspark` package
 * ships, for users without a Spark cluster. Its pid, port and log live in a state directory so that
 * another process (`smartcache spark stop`) can find it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { SparkConnectClient } from './connect.js';
import { SparkUnreachableError } from './errors.js';
import { DEFAULT_SPARK_CONNECT_PORT, formatSparkRemote } from './remote.js';

export const LOCAL_SPARK_HOST = '127.0.0.1';
const SERVER_CLASS = 'org.apache.spark.sql.connect.service.SparkConnectServer';

export interface LocalSparkOptions {
  /** Port of the Connect server on 127.0.0.1; default 15002. */
  port?: number;
  /** Where the state file, log and warehouse go; default `defaultSparkStateDir()`. */
  stateDir?: string;
  /** Spark master; default `local[2]`. */
  master?: string;
  /** JVM heap of the driver, which runs all tasks in local mode; default `2g`. */
  driverMemory?: string;
  /** Spark installation to run; default $SPARK_HOME, else the one inside the `pyspark` package of `python`. */
  sparkHome?: string;
  /** Python used to locate pyspark; default `python3`. */
  python?: string;
  /** How long to wait for the server to answer; default 180 s. */
  startTimeoutMs?: number;
}

/** A running local server, as recorded in its state file. */
export interface LocalSpark {
  pid: number;
  port: number;
  /** `sc://127.0.0.1:<port>`, to pass to SparkConnectClient.connect. */
  remote: string;
  logFile: string;
  startedAt: string;
}

export interface LocalSparkStatus {
  running: boolean;
  /** The server, when one is running. */
  server?: LocalSpark;
  stateDir: string;
}

/** Starting or stopping the local server failed; the message says why and where the log is. */
export class LocalSparkError extends Error {
  constructor(
    message: string,
    readonly logFile?: string,
  ) {
    super(logFile ? `${message} (server log: ${logFile})` : message);
    this.name = 'LocalSparkError';
  }
}

/** `$XDG_CACHE_HOME/smartcache/spark`, or `~/.cache/smartcache/spark`. */
export function defaultSparkStateDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'smartcache', 'spark');
}

/** Starts a Spark Connect server bound to 127.0.0.1 and resolves once it answers Connect calls. */
export async function startLocalSpark(options: LocalSparkOptions = {}): Promise<LocalSpark> {
  const stateDir = options.stateDir ?? defaultSparkStateDir();
  const port = options.port ?? DEFAULT_SPARK_CONNECT_PORT;
  const running = await readRunningServer(stateDir);
  if (running) {
    throw new LocalSparkError(
      `a local Spark Connect server is already running at ${running.remote} (pid ${running.pid}); ` +
        'stop it with `smartcache spark stop`',
    );
  }
  const remote = formatSparkRemote({ host: LOCAL_SPARK_HOST, port });
  if (await portInUse(port)) {
    throw new LocalSparkError(
      `port ${port} on ${LOCAL_SPARK_HOST} is already in use (by a Spark Connect server? try ${remote}); ` +
        'pick another --port',
    );
  }
  const sparkHome =
    options.sparkHome ?? process.env.SPARK_HOME ?? (await findPysparkHome(options.python ?? 'python3'));
  await mkdir(stateDir, { recursive: true });
  const logFile = join(stateDir, 'connect-server.log');
  const child = spawnServer(sparkHome, stateDir, logFile, port, options);
  const server: LocalSpark = { pid: child.pid, port, remote, logFile, startedAt: new Date().toISOString() };
  await writeFile(stateFile(stateDir), `${JSON.stringify(server, null, 2)}\n`);
  try {
    await waitUntilAnswering(server, child, options.startTimeoutMs ?? 180_000);
  } catch (err) {
    signalGroup(child.pid, 'SIGKILL');
    await rm(stateFile(stateDir), { force: true });
    throw err;
  }
  child.unref();
  return server;
}

/** A local server of its own, for tests and benchmarks. */
export interface ScratchSpark {
  server: LocalSpark;
  stateDir: string;
  /** stops the server and removes its state directory */
  stop(): Promise<void>;
}

/**
 * Starts a local server on a free loopback port with a throwaway state directory, so it
 * never meets a server the user runs.
 */
export async function startScratchSpark(
  options: Omit<LocalSparkOptions, 'port' | 'stateDir'> = {},
): Promise<ScratchSpark> {
  const stateDir = await mkdtemp(join(tmpdir(), 'smartcache-spark-'));
  try {
    const server = await startLocalSpark({ ...options, port: await freePort(), stateDir });
    return {
      server,
      stateDir,
      async stop() {
        await stopLocalSpark({ stateDir });
        await rm(stateDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(stateDir, { recursive: true, force: true });
    throw err;
  }
}

/** A port nothing listens on right now on 127.0.0.1 (the OS picks it, then it is released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, LOCAL_SPARK_HOST, () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port')),
      );
    });
  });
}

/** Stops the server recorded in `stateDir`; resolves to it, or to undefined when none was running. */
export async function stopLocalSpark(options: { stateDir?: string } = {}): Promise<LocalSpark | undefined> {
  const stateDir = options.stateDir ?? defaultSparkStateDir();
  const server = await readRunningServer(stateDir);
  if (server) await terminate(server);
  await rm(stateFile(stateDir), { force: true });
  return server;
}

export async function localSparkStatus(options: { stateDir?: string } = {}): Promise<LocalSparkStatus> {
  const stateDir = options.stateDir ?? defaultSparkStateDir();
  const server = await readRunningServer(stateDir);
  return server ? { running: true, server, stateDir } : { running: false, stateDir };
}

/** The Spark distribution inside the installed `pyspark` package (it ships bin/, jars/ and the Connect server). */
async function findPysparkHome(python: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(python, [
      '-c',
      'import os, pyspark; print(os.path.dirname(pyspark.__file__))',
    ]);
    return stdout.trim();
  } catch {
    throw new LocalSparkError(
      `no Spark found: SPARK_HOME is not set and '${python}' cannot import pyspark. ` +
        'Install it with `scripts/install-spark.sh` (pip install pyspark), or set SPARK_HOME.',
    );
  }
}

/** spark-submit execs the JVM in place, so the pid is the server's and it leads its own process group. */
function spawnServer(
  sparkHome: string,
  stateDir: string,
  logFile: string,
  port: number,
  options: LocalSparkOptions,
) {
  const sparkSubmit = join(sparkHome, 'bin', 'spark-submit');
  if (!existsSync(sparkSubmit))
    throw new LocalSparkError(`${sparkSubmit} not found: ${sparkHome} is not a Spark home`);
  const conf = {
    'spark.connect.grpc.binding.address': LOCAL_SPARK_HOST,
    'spark.connect.grpc.binding.port': String(port),
    'spark.driver.host': LOCAL_SPARK_HOST,
    'spark.driver.bindAddress': LOCAL_SPARK_HOST,
    'spark.ui.enabled': 'false',
    // One machine's data: Spark's default of 200 shuffle partitions only adds task overhead.
    'spark.sql.shuffle.partitions': '8',
    'spark.sql.warehouse.dir': join(stateDir, 'warehouse'),
  };
  const args = [
    '--class',
    SERVER_CLASS,
    '--name',
    'smartcache-spark-connect',
    '--master',
    options.master ?? 'local[2]',
    '--driver-memory',
    options.driverMemory ?? '2g',
    ...Object.entries(conf).flatMap(([key, value]) => ['--conf', `${key}=${value}`]),
    'spark-internal',
  ];
  const log = openSync(logFile, 'w');
  try {
    const child = spawn(sparkSubmit, args, {
      cwd: stateDir,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, SPARK_HOME: sparkHome, SPARK_LOCAL_IP: LOCAL_SPARK_HOST },
    });
    if (child.pid === undefined) throw new LocalSparkError(`could not run ${sparkSubmit}`, logFile);
    return child as ChildProcess & { pid: number };
  } finally {
    closeSync(log);
  }
}

async function waitUntilAnswering(server: LocalSpark, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new LocalSparkError(
        `the Spark Connect server exited during start-up:\n${lastLines(server.logFile, 15)}`,
        server.logFile,
      );
    }
    if (await answersAt(server.remote, 2_000)) return;
    await sleep(500);
  }
  throw new LocalSparkError(
    `the Spark Connect server did not answer at ${server.remote} within ${timeoutMs} ms`,
    server.logFile,
  );
}

async function answersAt(remote: string, timeoutMs: number): Promise<boolean> {
  try {
    const client = await SparkConnectClient.connect(remote, { connectTimeoutMs: timeoutMs });
    await client.close();
    return true;
  } catch (err) {
    if (err instanceof SparkUnreachableError) return false;
    throw err;
  }
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: LOCAL_SPARK_HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function terminate(server: LocalSpark): Promise<void> {
  signalGroup(server.pid, 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while (isServerProcess(server.pid)) {
    if (Date.now() > deadline) {
      signalGroup(server.pid, 'SIGKILL');
      return;
    }
    await sleep(200);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

function stateFile(stateDir: string): string {
  return join(stateDir, 'connect-server.json');
}

/** The recorded server if its process still runs; a stale record (crash, reboot) counts as none. */
async function readRunningServer(stateDir: string): Promise<LocalSpark | undefined> {
  let text: string;
  try {
    text = await readFile(stateFile(stateDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const server = JSON.parse(text) as LocalSpark;
  return isServerProcess(server.pid) ? server : undefined;
}

/**
 * Whether `pid` is alive and still our Connect server: a recycled pid of an unrelated process must
 * never be signalled. Where /proc is missing, being alive has to do.
 */
function isServerProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync('/proc/self/cmdline')) return true;
  try {
    return readFileSync(cmdline, 'utf8').includes(SERVER_CLASS);
  } catch {
    return false;
  }
}

function lastLines(file: string, count: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '(no log)';
  }
}
