/**
 * libCacheSim's csv traces. Two headers are recognised as they are (`time,obj_id,obj_size[,...]`
 * and the CloudPhysics `version,time,op,size,lbn` with SCSI opcodes in hex); any other layout
 * is described with libCacheSim's reader parameters (`-t` of cachesim), 1-based columns:
 * `time-col=N, obj-id-col=N, obj-size-col=N, delimiter=C, has-header=BOOL, obj-id-is-num=BOOL`.
 */
import type { Writable } from 'node:stream';
import { TraceBuilder } from '../builder.js';
import { columnNumbers, FieldRow, parseNumber, splitFields } from '../fields.js';
import { forEachLine } from '../input.js';
import { type NumericKeyInterner, TextKeyInterner } from '../keys.js';
import type { Trace } from '../model.js';
import { delimitedField, writeLines } from '../output.js';
import type { ReadContext, TraceFormat } from './format.js';

export interface LibCacheSimCsvParams {
  /** 1-based column numbers */
  timeCol?: number;
  idCol?: number;
  sizeCol?: number;
  delimiter?: string;
  hasHeader?: boolean;
  /** numeric ids are interned as u64 numbers, others as text; unset = decided by the first row */
  idIsNum?: boolean;
}

interface Layout {
  time: number;
  id: number;
  size: number;
  /** column of a SCSI opcode, 0-based; -1 when the trace has none */
  op: number;
}

const KNOWN_HEADERS: { prefix: string; exact: boolean; layout: Layout }[] = [
  { prefix: 'time,obj_id,obj_size', exact: false, layout: { time: 0, id: 1, size: 2, op: -1 } },
  { prefix: 'version,time,op,size,lbn', exact: true, layout: { time: 1, id: 4, size: 3, op: 2 } },
];

const DEFAULT_LAYOUT: Layout = { time: 0, id: 1, size: 2, op: -1 };

/** SCSI READ and WRITE command opcodes (6, 10, 12 and 16 byte forms), in lower-case hex. */
const SCSI_OPS: ReadonlyMap<string, string> = new Map([
  ['8', 'read'],
  ['28', 'read'],
  ['a8', 'read'],
  ['88', 'read'],
  ['a', 'write'],
  ['2a', 'write'],
  ['aa', 'write'],
  ['8a', 'write'],
]);

const TWO_32 = 2n ** 32n;
const TWO_64 = 2n ** 64n;

function knownLayout(line: string): Layout | undefined {
  const header = line.trim();
  for (const known of KNOWN_HEADERS) {
    const matches = known.exact
      ? header === known.prefix
      : header === known.prefix || header.startsWith(`${known.prefix},`);
    if (matches) return known.layout;
  }
  return undefined;
}

/** True when the first line is one of the libCacheSim headers this reader knows. */
export function isLibCacheSimHeader(firstLine: string): boolean {
  return knownLayout(firstLine) !== undefined;
}

/** Parses libCacheSim's reader parameter string, e.g. `time-col=2, obj-id-col=5, delimiter=,, has-header=true`. */
export function parseLibCacheSimParams(text: string): LibCacheSimCsvParams {
  const params: LibCacheSimCsvParams = {};
  let rest = text;
  while (rest.length > 0) {
    const eq = rest.indexOf('=');
    if (eq === -1) throw new Error(`csv params: expected key=value, found ${JSON.stringify(rest)}`);
    const key = rest.slice(0, eq).trim().toLowerCase().replaceAll('_', '-');
    const comma = rest.indexOf(',', eq + 1);
    const value = (comma === -1 ? rest.slice(eq + 1) : rest.slice(eq + 1, comma)).trim();
    rest = comma === -1 ? '' : rest.slice(comma + 1).replace(/^[\s,]+/, '');
    applyParam(params, key, value);
  }
  return params;
}

function applyParam(params: LibCacheSimCsvParams, key: string, value: string): void {
  switch (key) {
    case 'time-col':
    case 'time-field':
      params.timeCol = columnParam(key, value);
      return;
    case 'obj-id-col':
    case 'obj-id-field':
      params.idCol = columnParam(key, value);
      return;
    case 'obj-size-col':
    case 'obj-size-field':
    case 'size-col':
    case 'size-field':
      params.sizeCol = columnParam(key, value);
      return;
    case 'delimiter':
      params.delimiter = delimiterParam(value);
      return;
    case 'has-header':
    case 'header':
      params.hasHeader = booleanParam(key, value);
      return;
    case 'obj-id-is-num':
      params.idIsNum = booleanParam(key, value);
      return;
    default:
      throw new Error(
        `csv params: unknown parameter "${key}" (known: time-col, obj-id-col, obj-size-col, delimiter, has-header, obj-id-is-num)`,
      );
  }
}

function columnParam(key: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`csv params: ${key} must be a column number >= 1, found "${value}"`);
  return n;
}

/** As in libCacheSim, `delimiter=,,` (empty value) means a comma and `\t` means a tab. */
function delimiterParam(value: string): string {
  if (value === '' || value === '\\') return ',';
  if (value === '\\t') return '\t';
  if (value.length !== 1) throw new Error(`csv params: delimiter must be one character, found "${value}"`);
  return value;
}

function booleanParam(key: string, value: string): boolean {
  const v = value.toLowerCase();
  if (['true', '1', 'yes', 'y'].includes(v)) return true;
  if (['false', '0', 'no', 'n'].includes(v)) return false;
  throw new Error(`csv params: ${key} must be true or false, found "${value}"`);
}

function paramLayout(params: LibCacheSimCsvParams): Layout {
  return {
    time: (params.timeCol ?? DEFAULT_LAYOUT.time + 1) - 1,
    id: (params.idCol ?? DEFAULT_LAYOUT.id + 1) - 1,
    size: (params.sizeCol ?? DEFAULT_LAYOUT.size + 1) - 1,
    op: -1,
  };
}

function hasParams(params: LibCacheSimCsvParams): boolean {
  return Object.keys(params).length > 0;
}

export async function readLibCacheSimCsv(
  chunks: AsyncIterable<Uint8Array>,
  context: ReadContext,
): Promise<Trace> {
  const params = parseLibCacheSimParams(context.csvParams ?? '');
  const delimiter = params.delimiter ?? ',';
  let layout = paramLayout(params);
  let row: FieldRow | undefined;
  let builder: TraceBuilder<NumericKeyInterner> | TraceBuilder<TextKeyInterner> | undefined;
  const fields: string[] = [];
  await forEachLine(chunks, context, {
    header(line) {
      const known = hasParams(params) ? undefined : knownLayout(line);
      if (known) layout = known;
      splitFields(line, delimiter, fields);
      const isHeader =
        known !== undefined || (params.hasHeader ?? Number.isNaN(parseNumber(fields[layout.time])));
      row = new FieldRow(context.file, isHeader ? [...fields] : columnNumbers(fields.length), delimiter);
      checkLayout(row, layout);
      return isHeader;
    },
    row(line, lineNumber) {
      const r = row!;
      r.split(line, lineNumber);
      builder ??=
        params.idIsNum === false || !isUnsignedInteger(r.text(layout.id))
          ? TraceBuilder.text()
          : TraceBuilder.numeric();
      const time = r.seconds(layout.time);
      const size = r.byteCount(layout.size);
      const op = layout.op >= 0 ? scsiOp(r, layout.op) : undefined;
      const i = builder.add(time, internId(builder, r, layout.id), size);
      if (op !== undefined) builder.setString('op', i, op);
      return time;
    },
  });
  return (builder ?? TraceBuilder.numeric()).finish();
}

function checkLayout(row: FieldRow, layout: Layout): void {
  const needed = Math.max(layout.time, layout.id, layout.size, layout.op) + 1;
  if (row.names.length < needed) {
    throw row.error(
      undefined,
      `the line has ${row.names.length} columns but the parameters use column ${needed}`,
    );
  }
}

/** A numeric id: decimal digits or 0x hex, as libCacheSim's strtoull reads them. */
const NUMERIC_ID = /^(?:\d+|0[xX][0-9a-fA-F]+)$/;

function isUnsignedInteger(text: string): boolean {
  return NUMERIC_ID.test(text);
}

function internId(
  b: TraceBuilder<NumericKeyInterner> | TraceBuilder<TextKeyInterner>,
  row: FieldRow,
  col: number,
): number {
  const text = row.text(col);
  if (b.keys instanceof TextKeyInterner) return b.keys.intern(text);
  const n = isUnsignedInteger(text) ? Number(text) : Number.NaN;
  if (Number.isSafeInteger(n)) return b.keys.intern(n);
  const big = Number.isNaN(n) ? -1n : BigInt(text);
  if (big >= 0n && big < TWO_64) return b.keys.internWords(Number(big / TWO_32), Number(big % TWO_32));
  throw row.error(
    col,
    `expected a numeric object id (pass obj-id-is-num=false for text ids), found ${JSON.stringify(text)}`,
  );
}

function normaliseHex(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/^0x/, '')
    .replace(/^0+(?=.)/, '');
}

function scsiOp(row: FieldRow, col: number): string {
  const text = row.text(col);
  const op = SCSI_OPS.get(text) ?? SCSI_OPS.get(normaliseHex(text));
  if (op === undefined)
    throw row.error(
      col,
      `unknown SCSI opcode ${JSON.stringify(row.text(col))} (expected 28 read or 2a write)`,
    );
  return op;
}

/** Writes `time,obj_id,obj_size`, the layout libCacheSim reads with `time-col=1, obj-id-col=2, obj-size-col=3`. */
export async function writeLibCacheSimCsv(trace: Trace, out: Writable): Promise<void> {
  await writeLines(
    out,
    'time,obj_id,obj_size',
    trace.length,
    (i) =>
      `${trace.time[i]},${delimitedField(String(trace.keys.key(trace.obj[i])), 'libcachesim-csv', i, 'obj_id')},${trace.size[i]}`,
  );
}

export const libCacheSimCsv: TraceFormat = {
  description: 'libCacheSim csv: headers time,obj_id,obj_size or version,time,op,size,lbn, else --csv-params',
  read: readLibCacheSimCsv,
  write: writeLibCacheSimCsv,
  sniff: isLibCacheSimHeader,
};
