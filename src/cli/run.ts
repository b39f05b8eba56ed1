/** Shared CLI plumbing: error reporting and output helpers used by every command file. */
import type { Command } from 'commander';
import { jsonText } from '../common/json.js';

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

/** Writes a value as pretty JSON to stdout (Infinity as a string: see `jsonText`). */
export function printJson(value: unknown): void {
  process.stdout.write(`${jsonText(value)}\n`);
}

/**
 * Closes a long-running server on SIGINT or SIGTERM and exits 0 once it has, 1 with the reason
 * when closing fails; a second signal exits 1 at once.
 */
export function closeOnSignals(close: () => Promise<void>): void {
  let closing = false;
  const stop = () => {
    if (closing) process.exit(1);
    closing = true;
    close().then(
      () => process.exit(0),
      (err: Error) => {
        process.stderr.write(`smartcache: shutdown failed: ${err.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
