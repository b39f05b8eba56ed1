/** Reading trace files: format detection and the single entry point every command uses. */
import { basename } from 'node:path';
import { BadInputBudget, TraceFormatError } from './errors.js';
import { type CsvColumnMap, ReadAgain, type ReadContext } from './formats/format.js';
import { type FormatName, formatList, SNIFF_ORDER, TRACE_FORMATS } from './formats/index.js';
import { HEAD_BYTES, openInput, type ProgressListener } from './input.js';
import type { Trace } from './model.js';
import { type FirstOutOfOrder, TimeOrder } from './order.js';
import { sortByTime } from './sort.js';

export { FORMATS, type FormatName, isFormatName } from './formats/index.js';

export interface ReadOptions {
  /** the input format; detected from the file name and content when absent */
  format?: FormatName;
  /** header columns of the `csv` format */
  map?: CsvColumnMap;
  /** libCacheSim reader parameters for `libcachesim-csv`, e.g. `time-col=2, obj-id-col=5, obj-size-col=4` */
  csvParams?: string;
  /** how many bad records may be skipped (each is returned in `skipped`); default 0 */
  skipBad?: number;
  /** cms: keep only successful jobs (JobSuccess and exit code 0) */
  onlySuccessful?: boolean;
  /** oracle-general: ignore the file's next-access values (checked otherwise) and recompute them */
  recomputeNext?: boolean;
  onProgress?: ProgressListener;
}

export interface ReadResult {
  trace: Trace;
  format: FormatName;
  /** bad records skipped under `skipBad`, in input order */
  skipped: TraceFormatError[];
  /** requests that were earlier than a request before them; the trace is sorted stably when any were */
  outOfOrder: number;
  /** where the first of them was */
  firstOutOfOrder?: FirstOutOfOrder;
}

const COMPRESSION_SUFFIX = /\.(gz|zst|zstd)$/i;
const ORACLE_GENERAL_SUFFIX = /\.(bin|oracleGeneral)$/i;

export async function readTrace(file: string, options: ReadOptions = {}): Promise<ReadResult> {
  try {
    return await readOnce(file, options, false);
  } catch (err) {
    if (!(err instanceof ReadAgain)) throw err;
    return readOnce(file, options, true);
  }
}

async function readOnce(file: string, options: ReadOptions, again: boolean): Promise<ReadResult> {
  const input = await openInput(file, options.onProgress);
  if (input.head.length === 0) throw new TraceFormatError({ file }, 'no requests: the file is empty');
  const format = options.format ?? impliedFormat(options) ?? detectFormat(file, input.head);
  const budget = new BadInputBudget(options.skipBad ?? 0);
  const order = new TimeOrder();
  const context: ReadContext = {
    file,
    budget,
    order,
    map: options.map,
    csvParams: options.csvParams,
    onlySuccessful: options.onlySuccessful,
    recomputeNext: options.recomputeNext,
    contentBytes: input.contentBytes,
    again,
  };
  const trace = await TRACE_FORMATS[format].read(input.chunks, context).catch(async (err: unknown) => {
    if (!(err instanceof ReadAgain)) await input.checkRest();
    throw err;
  });
  if (trace.length === 0) throw new TraceFormatError({ file }, noRequestsReason(options, budget));
  const { outOfOrder, first } = order;
  return {
    trace: outOfOrder > 0 ? sortByTime(trace) : trace,
    format,
    skipped: budget.skipped,
    outOfOrder,
    firstOutOfOrder: first,
  };
}

/** Why a file that is not empty gave no requests: only a header, only bad records or no successful job. */
function noRequestsReason(options: ReadOptions, budget: BadInputBudget): string {
  const kept = options.onlySuccessful
    ? 'no record is a successful job (--only-successful)'
    : 'the file holds no records';
  const skipped = budget.skipped.length;
  return `no requests: ${kept}${skipped > 0 ? ` besides ${skipped} bad records (skipped)` : ''}`;
}

/** Options that only one format takes name that format. */
function impliedFormat(options: ReadOptions): FormatName | undefined {
  if (options.map) return 'csv';
  if (options.csvParams) return 'libcachesim-csv';
  return undefined;
}

/**
 * Detects the format of a file from its name and the first bytes of its decompressed content:
 * `.bin`/`.oracleGeneral` (before any .gz/.zst) is oracle-general; otherwise the first line
 * decides (JSON object: xrootd; the 25 cms columns: cms; `time,id,size...`: csv; a libCacheSim
 * header: libcachesim-csv). Throws when nothing matches; a file of blank lines holds no
 * requests (a TraceFormatError, as from every reader).
 */
export function detectFormat(file: string, head: Uint8Array): FormatName {
  const name = basename(file).replace(COMPRESSION_SUFFIX, '');
  if (ORACLE_GENERAL_SUFFIX.test(name)) return 'oracle-general';
  // what every text reader says of a file of blank lines, rather than that its format is unknown
  if (head.length < HEAD_BYTES && isBlank(head)) {
    throw new TraceFormatError({ file }, 'no requests: the file holds no records');
  }
  const line = firstLine(head);
  const found = line === undefined ? undefined : SNIFF_ORDER.find((f) => TRACE_FORMATS[f].sniff?.(line));
  if (found) return found;
  throw new Error(
    `cannot tell the format of ${file}; pass --format (or --from) with one of:\n${formatList()}\n` +
      'libCacheSim csv traces with other headers need --format libcachesim-csv and --csv-params.',
  );
}

function headText(head: Uint8Array): string {
  return Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('utf8');
}

function firstLine(head: Uint8Array): string | undefined {
  const text = headText(head);
  if (text.includes('\0')) return undefined;
  return text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
}

/** Only spaces and line breaks (and a byte order mark), so no format has a record in it. */
function isBlank(head: Uint8Array): boolean {
  return headText(head).trim() === '';
}
