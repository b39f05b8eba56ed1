/** Opening trace files: format selection and the single entry point readers share. */
import { createReadStream } from 'node:fs';
import { readOracleGeneral } from './formats/oracle-general.js';
import type { Trace } from './model.js';

export const FORMATS = ['oracle-general'] as const;
export type FormatName = (typeof FORMATS)[number];

export interface ReadOptions {
  format?: FormatName;
}

export async function readTrace(file: string, options: ReadOptions = {}): Promise<Trace> {
  const format = options.format ?? 'oracle-general';
  switch (format) {
    case 'oracle-general':
      return readOracleGeneral(createReadStream(file, { highWaterMark: 1 << 20 }), file);
  }
}
