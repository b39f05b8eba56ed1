/**
 * Generic CSV with a header. Columns are named by a map (`--map time=ts,id=filename,size=bytes`);
 * without one, smartcache's canonical header is expected: `time,id,size` followed by any of
 * `site,user,dataset,op,bytes_read`. Times are seconds or ISO-8601 dates; ids are text.
 */
import type { Writable } from 'node:stream';
import { type StringField, TraceBuilder } from '../builder.js';
import { TraceFormatError } from '../errors.js';
import { bytesReadAboveSize, FieldRow, lateTimeReason, parseNumber, splitFields } from '../fields.js';
import { forEachLine } from '../input.js';
import type { DictColumn, Trace } from '../model.js';
import { delimitedField, dictValue, idText, writeLines } from '../output.js';
import type { CsvColumnMap, ReadContext, TraceFormat } from './format.js';

const CANONICAL_MAP: Required<CsvColumnMap> = {
  time: 'time',
  id: 'id',
  size: 'size',
  site: 'site',
  user: 'user',
  dataset: 'dataset',
  op: 'op',
  bytesRead: 'bytes_read',
};

const REQUIRED: readonly (keyof CsvColumnMap)[] = ['time', 'id', 'size'];
const STRING_FIELDS: readonly StringField[] = ['site', 'user', 'dataset', 'op'];

/** Parses `time=ts,id=filename,size=bytes[,site=...,user=...,dataset=...,op=...,bytesRead=...]`. */
export function parseColumnMap(text: string): CsvColumnMap {
  const map: Partial<Record<keyof CsvColumnMap, string>> = {};
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq).trim() as keyof CsvColumnMap;
    if (eq === -1 || !(key in CANONICAL_MAP)) {
      throw new Error(
        `--map: expected field=column with field one of ${Object.keys(CANONICAL_MAP).join(', ')}, found "${pair}"`,
      );
    }
    map[key] = pair.slice(eq + 1).trim();
  }
  const missing = REQUIRED.filter((k) => map[k] === undefined);
  if (missing.length > 0) throw new Error(`--map: missing ${missing.join(', ')}`);
  return map as CsvColumnMap;
}

/** True when the first line is the canonical header (starts with `time,id,size`). */
export function isCanonicalHeader(firstLine: string): boolean {
  const names = splitFields(firstLine, ',', []).map((n) => n.trim());
  return names[0] === 'time' && names[1] === 'id' && names[2] === 'size';
}

type ColumnIndex = Partial<Record<keyof CsvColumnMap, number>>;

/** Header positions of the mapped columns; the canonical map only uses the optional columns present. */
function mapColumns(names: string[], map: CsvColumnMap | undefined, file: string, line: number): ColumnIndex {
  const wanted: Partial<CsvColumnMap> = map ?? CANONICAL_MAP;
  const index: ColumnIndex = {};
  for (const [field, column] of Object.entries(wanted) as [keyof CsvColumnMap, string][]) {
    const at = names.indexOf(column);
    if (at !== -1) index[field] = at;
    else if (map !== undefined || REQUIRED.includes(field)) {
      throw new TraceFormatError(
        { file, line, field: column },
        `missing column "${column}" (for ${field}) in the header`,
      );
    }
  }
  return index;
}

export async function readCsv(chunks: AsyncIterable<Uint8Array>, context: ReadContext): Promise<Trace> {
  const builder = TraceBuilder.text();
  let row = new FieldRow(context.file, []);
  let col: ColumnIndex = {};
  await forEachLine(chunks, context, {
    header(line, lineNumber) {
      const names = splitFields(line, ',', []).map((n) => n.trim());
      col = mapColumns(names, context.map, context.file, lineNumber);
      row = new FieldRow(context.file, names);
      return true;
    },
    row(line, lineNumber) {
      row.split(line, lineNumber);
      const time = csvTime(row, col.time!);
      const size = row.byteCount(col.size!);
      const bytesRead =
        col.bytesRead === undefined || row.text(col.bytesRead) === ''
          ? undefined
          : row.byteCount(col.bytesRead);
      const tooMany = bytesRead === undefined ? undefined : bytesReadAboveSize(bytesRead, size);
      if (tooMany !== undefined) throw row.error(col.bytesRead!, tooMany);
      const id = row.text(col.id!);
      if (id === '') throw row.error(col.id!, 'empty object id');
      const i = builder.add(time, builder.keys.intern(id), size);
      for (const field of STRING_FIELDS) {
        const at = col[field];
        if (at !== undefined) builder.setString(field, i, row.text(at));
      }
      if (bytesRead !== undefined) builder.setBytesRead(i, bytesRead);
      return time;
    },
  });
  return builder.finish();
}

/** Seconds as a number, or an ISO-8601 date or date-time (without an offset, UTC). */
function csvTime(row: FieldRow, col: number): number {
  const text = row.text(col);
  const seconds = parseNumber(text);
  if (seconds >= 0) {
    const late = lateTimeReason(seconds);
    if (late !== undefined) throw row.error(col, late);
    return seconds;
  }
  const iso = ISO_DATE_TIME.exec(text);
  if (iso === null) {
    throw row.error(col, `expected seconds >= 0 or an ISO-8601 date, found ${JSON.stringify(text)}`);
  }
  const problem = impossibleDate(iso);
  if (problem !== undefined)
    throw row.error(col, `impossible ISO-8601 date ${JSON.stringify(text)}: ${problem}`);
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', offset] = iso;
  let ms = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
  );
  ms += fraction === '' ? 0 : Number(`0.${fraction}`) * 1000;
  ms -= offsetMinutes(offset) * 60_000;
  if (ms < 0) throw row.error(col, `expected a time from 1970 on, found ${JSON.stringify(text)}`);
  return ms / 1000;
}

/** `2019-01-01`, `2019-01-01T10:00`, `2019-01-01 10:00:00.5Z`, `2019-01-01T10:00:00+02:00`. */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?[ ]?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** Why the parts of a date-time name no moment (Date.UTC would roll 2019-02-30 over to March). */
function impossibleDate([, year, month, day, hour, minute, second, , offset]: RegExpExecArray):
  | string
  | undefined {
  const y = Number(year);
  const m = Number(month);
  if (y < 1970) return 'times start in 1970';
  if (m < 1 || m > 12) return `no month ${month}`;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (Number(day) < 1 || Number(day) > days) return `month ${month} of ${year} has days 01 to ${days}`;
  if (hour !== undefined && Number(hour) > 23) return `no hour ${hour}`;
  if (minute !== undefined && Number(minute) > 59) return `no minute ${minute}`;
  if (second !== undefined && Number(second) > 59) return `no second ${second}`;
  if (offset !== undefined && offset.toUpperCase() !== 'Z' && Math.abs(offsetMinutes(offset)) >= 24 * 60) {
    return `no offset ${offset}`;
  }
  return undefined;
}

/** Minutes east of UTC of `Z`, `+02`, `+0200` or `-02:30`; 0 when there is none. */
function offsetMinutes(offset: string | undefined): number {
  if (offset === undefined || offset.toUpperCase() === 'Z') return 0;
  const digits = offset.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  return offset[0] === '-' ? -minutes : minutes;
}

/** Writes the canonical header with the optional columns the trace has. */
export async function writeCsv(trace: Trace, out: Writable): Promise<void> {
  const dicts = STRING_FIELDS.map((f) => [f, trace[f]] as [StringField, DictColumn | undefined]).filter(
    ([, d]) => d !== undefined,
  );
  const header = ['time', 'id', 'size', ...dicts.map(([f]) => f), ...(trace.bytesRead ? ['bytes_read'] : [])];
  await writeLines(out, header.join(','), trace.length, (i) => {
    const fields = [
      String(trace.time[i]),
      delimitedField(idText(trace, i, 'csv', 'id'), 'csv', i, 'id'),
      String(trace.size[i]),
    ];
    for (const [field, dict] of dicts) fields.push(delimitedField(dictValue(dict, i), 'csv', i, field));
    if (trace.bytesRead) fields.push(String(trace.bytesRead[i]));
    return fields.join(',');
  });
}

export const csv: TraceFormat = {
  description:
    "CSV with a header: smartcache's time,id,size[,site,user,dataset,op,bytes_read] or any columns via --map",
  read: readCsv,
  write: writeCsv,
  sniff: isCanonicalHeader,
};
