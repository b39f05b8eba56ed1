/** The registry of trace formats, in auto-detection order for the text formats. */
import { cms } from './cms.js';
import { csv } from './csv.js';
import type { TraceFormat } from './format.js';
import { libCacheSimCsv } from './libcachesim-csv.js';
import { oracleGeneral } from './oracle-general.js';
import { xrootd } from './xrootd.js';

export const TRACE_FORMATS = {
  'libcachesim-csv': libCacheSimCsv,
  'oracle-general': oracleGeneral,
  cms,
  xrootd,
  csv,
} as const satisfies Record<string, TraceFormat>;

export type FormatName = keyof typeof TRACE_FORMATS;

/** Every format with a one-line description (for `--help`). */
export const FORMATS: readonly { name: FormatName; description: string }[] = Object.entries(
  TRACE_FORMATS,
).map(([name, format]) => ({ name: name as FormatName, description: format.description }));

/** Text formats in the order their sniffers are tried: most specific first. */
export const SNIFF_ORDER: readonly FormatName[] = ['xrootd', 'cms', 'csv', 'libcachesim-csv'];

export function isFormatName(name: string): name is FormatName {
  return Object.hasOwn(TRACE_FORMATS, name);
}

/** "Unknown format" message listing the formats, for readers and the CLI. */
export function formatList(): string {
  return FORMATS.map((f) => `  ${f.name.padEnd(16)} ${f.description}`).join('\n');
}
