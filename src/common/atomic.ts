/** Atomic file output: write a temporary file beside the target, rename it over the target. */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Runs `produce` on a temporary path in the target's directory and renames the result over
 * `file`, so readers never see a partial file; on failure the temporary file is removed.
 */
export async function atomically(file: string, produce: (tempPath: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  // node:crypto loads here, when a file is written: a run that writes none starts without it
  const { randomBytes } = await import('node:crypto');
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await produce(temp);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true, recursive: true });
    throw err;
  }
}

export function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  return atomically(file, (temp) => writeFile(temp, data));
}
