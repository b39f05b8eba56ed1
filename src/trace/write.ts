/** Writing trace files atomically, gzip-compressed when the name ends in `.gz`. */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { type FormatName, TRACE_FORMATS } from './formats/index.js';
import type { Trace } from './model.js';

const BY_EXTENSION: readonly [RegExp, FormatName][] = [
  [/\.(bin|oracleGeneral)$/i, 'oracle-general'],
  [/\.(jsonl|ndjson|json)$/i, 'xrootd'],
  [/\.csv$/i, 'csv'],
];

/** The output format a file name implies (compression suffix ignored); cms needs an explicit format. */
export function formatForFileName(file: string): FormatName | undefined {
  const name = basename(file).replace(/\.gz$/i, '');
  return BY_EXTENSION.find(([pattern]) => pattern.test(name))?.[1];
}

/**
 * Writes a trace in a format to a temporary file in the same directory, then renames it over
 * `file`, so readers never see a partial trace.
 */
export async function writeTrace(trace: Trace, file: string, format: FormatName): Promise<void> {
  if (/\.(zst|zstd)$/i.test(file))
    throw new Error(`cannot write ${file}: zstd output is not supported, use .gz`);
  await mkdir(dirname(file), { recursive: true });
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fileStream = createWriteStream(temp);
    const gzip = file.toLowerCase().endsWith('.gz') ? createGzip() : undefined;
    const out: Writable = gzip ?? fileStream;
    const done = gzip ? pipeline(gzip, fileStream) : finished(fileStream);
    const write = async () => {
      await TRACE_FORMATS[format].write(trace, out);
      out.end();
    };
    await Promise.all([write(), done]);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
