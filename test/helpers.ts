/** Helpers every test folder shares: repository paths, scratch files, running the CLI. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** Two levels above dist/test/. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The project's shared data folder sits beside the repository. */
export const sharedTraces = join(resolve(repoRoot, '..', 'shared'), 'traces');
export const examples = join(repoRoot, 'examples');
export const fixtures = join(repoRoot, 'test', 'fixtures');
const cliMain = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
/** The package's bin: the command line bundled by scripts/bundle.ts. */
export const bundledCli = join(repoRoot, 'dist', 'bin', 'smartcache.js');

const scratch = mkdtempSync(join(tmpdir(), 'smartcache-test-'));
let counter = 0;

/** A fresh path in this test process's scratch folder (nothing is created). */
export function tempPath(name: string): string {
  return join(scratch, `${counter++}-${name}`);
}

/** Writes `content` to a fresh temporary file named `name` and returns its path. */
export function tempFile(name: string, content: string | Uint8Array): string {
  const file = tempPath(name);
  writeFileSync(file, content);
  return file;
}

const execFileAsync = promisify(execFile);

/** Runs `smartcache ...args`; rejects (with code, stdout, stderr) when it exits non-zero. */
export function smartcache(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return runCli(cliMain, args);
}

/** Runs the command line at `main` (the compiled one, or the bundled bin) with `args`. */
export function runCli(main: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return execFileAsync(process.execPath, [main, ...args], { maxBuffer: 64 << 20 });
}
