/**
 * Running `smartcache up` for the stack tests: in a child process of its own, over a stack
 * file in a folder the test made with mkdtemp, stopped by the test by its own pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { StackStatus } from '../../src/deploy/stack/supervisor.js';
import { repoRoot, smartcache } from '../helpers.js';

const cliMain = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

export interface RunningUp {
  dir: string;
  file: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Writes `stack` as DIR/stack.yaml in a fresh folder and starts `smartcache up -f` on it. */
export async function stackDir(stack: unknown): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'smartcache-stack-'));
  const file = join(dir, 'stack.yaml');
  await writeFile(file, stringify(stack));
  return { dir, file };
}

/** Starts `smartcache up -f FILE`; resolves once it says the stack is up. */
export async function up(dir: string, file: string, timeoutMs = 40_000): Promise<RunningUp> {
  const child = spawn(process.execPath, [cliMain, 'up', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (chunk) => {
    text += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    text += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = Date.now();
  while (!text.includes('stack up:')) {
    if (child.exitCode !== null) throw new Error(`smartcache up exited with ${child.exitCode}:\n${text}`);
    if (Date.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`smartcache up did not start within ${timeoutMs} ms:\n${text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { dir, file, child, output: () => text, exited };
}

export async function status(file: string): Promise<StackStatus> {
  const { stdout } = await smartcache('status', '-f', file, '--json');
  return JSON.parse(stdout) as StackStatus;
}

/** Whether a process of that pid runs: it exists and is not a zombie (dead, its parent gone, not yet reaped). */
export function runs(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves once `check` holds; rejects after `ms`, naming `what`. */
export async function until(
  check: () => Promise<boolean> | boolean,
  ms: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
