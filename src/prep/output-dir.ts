/** The prep output directory: refused when it holds data, replaced in one rename when done. */
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { atomically } from '../common/atomic.js';

export class OutputDirectoryError extends Error {
  constructor(
    readonly dir: string,
    reason: string,
  ) {
    super(`output ${dir} ${reason}`);
    this.name = 'OutputDirectoryError';
  }
}

/** True when `dir` exists and is not empty; throws when it is not a directory. */
async function holdsData(dir: string): Promise<boolean> {
  const info = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!info) return false;
  if (!info.isDirectory()) throw new OutputDirectoryError(dir, 'exists and is not a directory');
  return (await readdir(dir)).length > 0;
}

/** Refuses a non-empty output directory unless `overwrite`: call before any expensive work. */
export async function checkOutputDirectory(dir: string, overwrite: boolean): Promise<void> {
  if (!overwrite && (await holdsData(dir))) {
    throw new OutputDirectoryError(dir, 'is not empty; pass --overwrite to replace it');
  }
}

/**
 * Runs `produce` on a fresh temporary directory beside `dir` and renames it to `dir`, so
 * readers see the old content or the complete new one, never a partial one. On failure the
 * temporary directory is removed and an existing `dir` is left as it was.
 */
export async function replaceDirectory(
  dir: string,
  overwrite: boolean,
  produce: (temp: string) => Promise<void>,
): Promise<void> {
  let previous: string | undefined;
  try {
    await atomically(dir, async (temp) => {
      await produce(temp);
      await checkOutputDirectory(dir, overwrite);
      if (await holdsData(dir)) {
        previous = `${temp}.previous`;
        await rename(dir, previous);
      }
    });
  } catch (err) {
    if (previous) await rename(previous, dir);
    throw err;
  }
  if (previous) await rm(previous, { recursive: true, force: true });
}
