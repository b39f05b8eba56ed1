/** wrk, the load tool of the HTTP benches, run as a child process, and core pinning for servers. */
import { execFileSync, spawn } from 'node:child_process';

export function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `argv` run on one core, when `taskset` exists. */
export const pinned = (core: number, argv: string[]): string[] =>
  has('taskset') ? ['taskset', '-c', String(core), ...argv] : argv;

export interface WrkRun {
  url: string;
  /** Lua script naming the requests */
  script: string;
  connections: number;
  seconds: number;
  core: number;
  /** a request unanswered this long counts as a timeout error; wrk's default is 2 s */
  timeoutSeconds?: number;
}

export interface WrkResult {
  rps: number;
  /** responses completed */
  requests: number;
  p99ms: number;
  /** socket errors and non-2xx/3xx answers, '' when none */
  errors: string;
}

/** Runs wrk (one thread) without blocking this process. */
export async function wrk(run: WrkRun): Promise<WrkResult> {
  const options = ['-t1', `-c${run.connections}`, `-d${run.seconds}s`, '--latency', '-s', run.script];
  if (run.timeoutSeconds !== undefined) options.push('--timeout', `${run.timeoutSeconds}s`);
  const argv = pinned(run.core, ['wrk', ...options, run.url]);
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`wrk exited with ${code} on ${run.url}:\n${out}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out);
  if (!p99 || !Number.isFinite(rps) || !Number.isFinite(requests))
    throw new Error(`cannot read wrk output on ${run.url}:\n${out}`);
  const scale = { us: 1e-3, ms: 1, s: 1e3 }[p99[2] as 'us' | 'ms' | 's'];
  const errors = [/Socket errors:.*/.exec(out)?.[0], /Non-2xx or 3xx responses: \d+/.exec(out)?.[0]]
    .filter(Boolean)
    .join('; ');
  return { rps, requests, p99ms: Number(p99[1]) * scale, errors };
}
