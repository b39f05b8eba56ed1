/**
 * The stack's child processes: the real CLI (`node dist/src/cli/main.js KIND ...`) started in
 * its own process group (a terminal's Ctrl-C reaches only the supervisor, which stops each
 * child once), its output in a log file, its URL read from that log, its /healthz waited for;
 * and stopping any process by pid: SIGTERM, time to drain, then SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../common/version.js';

/** The command line the children run: the package's dist/src/cli/main.js, also from the bundle. */
export const CLI_MAIN = join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'main.js');

export class ComponentError extends Error {
  constructor(
    readonly component: string,
    readonly log: string,
    reason: string,
  ) {
    super(`${component}: ${reason} (log: ${log})`);
    this.name = 'ComponentError';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `smartcache ...args` with stdout and stderr in `log` (replaced: its URL line must be this run's). */
export function startCli(args: string[], log: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  const fd = openSync(log, 'w');
  try {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], {
      stdio: ['ignore', fd, fd],
      detached: true,
      env: { ...process.env, ...env },
    });
    // not unref'd: the supervisor lives as long as its children do
    return child;
  } finally {
    closeSync(fd);
  }
}

async function tail(log: string): Promise<string> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-5).join('\n');
}

/**
 * Waits until the child's log holds the line `ready` matches and answers its first group,
 * the URL the child listens on; fails when the child exits first or after `timeoutMs`.
 */
export async function waitForUrl(
  name: string,
  child: ChildProcess,
  log: string,
  ready: RegExp,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = ready.exec(await readFile(log, 'utf8').catch(() => ''));
    if (match) return match[1];
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new ComponentError(
        name,
        log,
        `exited (${child.exitCode ?? child.signalCode}) before it listened:\n${await tail(log)}`,
      );
    }
    await sleep(50);
  }
  throw new ComponentError(name, log, `did not listen within ${timeoutMs} ms:\n${await tail(log)}`);
}

/** What GET URL/healthz says: `ok`, `failing` (an answer other than 200) or `down` (no answer). */
export type Health = 'ok' | 'failing' | 'down';

export async function health(url: string, timeoutMs = 2000): Promise<Health> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.status === 200 ? 'ok' : 'failing';
  } catch {
    return 'down';
  }
}

export async function waitHealthy(name: string, url: string, log: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await health(url)) === 'ok') return;
    await sleep(100);
  }
  throw new ComponentError(name, log, `${url}/healthz did not answer 200 within ${timeoutMs} ms`);
}

/**
 * `pid`'s start time as /proc/PID/stat gives it (clock ticks since boot; undefined without
 * /proc). With the pid it names one process: a later one that reuses the pid starts later.
 */
export function startTicks(pid: number): string | undefined {
  return procStat(pid)?.start;
}

/**
 * Whether `pid` is a running process, and the one that started at `since` when given (a
 * zombie, dead but not yet reaped, counts as gone; so does a process that reused the pid).
 */
export function alive(pid: number, since?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  if (stat === undefined) return true;
  return stat.state !== 'Z' && (since === undefined || stat.start === since);
}

/** Fields of /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses. */
function procStat(pid: number): { state: string; start: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); field 22 is starttime
  return { state: fields[0], start: fields[19] };
}

export type Stopped = 'gone' | 'exited' | 'killed';

/**
 * Stops `pid` (the process started at `since`, when given): SIGTERM, up to `graceMs` to exit
 * (a cache node drains), then SIGKILL. Answers `gone` when it was not running, `exited` when
 * it ended after SIGTERM, `killed` otherwise.
 */
export async function stopPid(pid: number, graceMs: number, since?: string): Promise<Stopped> {
  if (!alive(pid, since)) return 'gone';
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // it ended between the check and the signal
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!alive(pid, since)) return 'exited';
    await sleep(50);
  }
  signal('SIGKILL');
  for (let i = 0; i < 100 && alive(pid, since); i++) await sleep(50);
  if (alive(pid, since)) throw new Error(`process ${pid} is still running 5 s after SIGKILL`);
  return 'killed';
}
