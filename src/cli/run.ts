/** Shared CLI plumbing: error reporting and output helpers used by every command file. */
import type { Command } from 'commander';

/** Parses argv and runs the command; expected errors print one clear line and exit 1. */
export async function runCli(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as Error;
    process.stderr.write(`smartcache: ${e.message}\n`);
    if (process.env.SMARTCACHE_DEBUG) process.stderr.write(`${e.stack}\n`);
    process.exitCode = 1;
  }
}

/** Writes a value as pretty JSON to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
}

/** JSON has no Infinity or bigint: write them as strings so no value is lost. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}
