/** The generated data-lake trace the benchmarks share, made once and kept in .cache/bench. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** the package's bin (the bundled command line), as `smartcache` runs for a user */
export const cli = path.join(repoRoot, 'dist', 'bin', 'smartcache.js');
export const cacheDir = path.join(repoRoot, '.cache', 'bench');
export const GENERATED_REQUESTS = Number(process.env.BENCH_REQUESTS ?? 10_000_000);

export function generatedTrace(): string {
  mkdirSync(cacheDir, { recursive: true });
  const file = path.join(cacheDir, `datalake-${GENERATED_REQUESTS}.oracleGeneral.bin`);
  if (!existsSync(file)) {
    process.stderr.write(`generating a ${GENERATED_REQUESTS}-request data-lake trace...\n`);
    const args = ['generate', '--requests', String(GENERATED_REQUESTS), '--seed', '1'];
    args.push('--max-file-size', '4GB', '--out', file);
    execFileSync(process.execPath, [cli, ...args], { stdio: 'inherit' });
  }
  return file;
}
