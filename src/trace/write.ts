/** Writing trace files atomically, gzip-compressed when the name ends in `.gz`. */
import { createWriteStream } from 'node:fs';
import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { atomically } from '../common/atomic.js';
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

/** The format to write `file` in: the explicit one, else the one its name implies. */
export function outputFormat(file: string, explicit?: FormatName): FormatName {
  const format = explicit ?? formatForFileName(file);
  if (!format) throw new Error(`cannot tell the output format from ${file}; pass the format explicitly`);
  return format;
}

/** Writes a trace atomically (readers never see a partial trace); returns the format used. */
export async function writeTrace(trace: Trace, file: string, explicit?: FormatName): Promise<FormatName> {
  const format = outputFormat(file, explicit);
  if (/\.(zst|zstd)$/i.test(file))
    throw new Error(`cannot write ${file}: zstd output is not supported, use .gz`);
  await atomically(file, async (temp) => {
    const fileStream = createWriteStream(temp);
    const gzip = file.toLowerCase().endsWith('.gz') ? createGzip() : undefined;
    const out: Writable = gzip ?? fileStream;
    const done = gzip ? pipeline(gzip, fileStream) : finished(fileStream);
    const write = async () => {
      await TRACE_FORMATS[format].write(trace, out);
      out.end();
    };
    await Promise.all([write(), done]);
  });
  return format;
}
