/**
 * CMS per-job file-access records (the 25-column CSV of the original smart-cache studies,
 * /work/shared/formats/cms-access.md). One row is one job reading one whole file.
 */
import type { Writable } from 'node:stream';
import { DAY } from '../../common/time.js';
import { TraceBuilder } from '../builder.js';
import { TraceFormatError, TraceWriteError } from '../errors.js';
import { FieldRow, parseNumber, splitFields } from '../fields.js';
import { forEachLine } from '../input.js';
import { lfnDataset } from '../lfn.js';
import type { Trace } from '../model.js';
import { delimitedField, dictValue, idText, writeLines } from '../output.js';
import type { ReadContext, TraceFormat } from './format.js';

/**
 * The 25 columns in their documented order. `id` columns hold category ids (or the original
 * strings); the writer leaves them empty when the trace has no value, and numbers 0.
 */
const COLUMN_KINDS = {
  Filename: 'id',
  SiteName: 'id',
  UserID: 'id',
  TaskID: 'id',
  TaskMonitorID: 'id',
  JobID: 'id',
  Protocol: 'number',
  JobExecExitCode: 'number',
  JobStart: 'number',
  JobEnd: 'number',
  NumCPU: 'number',
  WrapWC: 'number',
  WrapCPU: 'number',
  Size: 'number',
  DataType: 'id',
  FileType: 'id',
  JobLengthH: 'number',
  JobLengthM: 'number',
  JobSuccess: 'number',
  CPUTime: 'number',
  IOTime: 'number',
  reqDay: 'number',
  Region: 'id',
  Campaign: 'id',
  Process: 'id',
} as const satisfies Record<string, 'id' | 'number'>;

type CmsColumn = keyof typeof COLUMN_KINDS;

export const CMS_COLUMNS = Object.keys(COLUMN_KINDS) as readonly CmsColumn[];

type ColumnIndex = Record<CmsColumn, number>;

function headerColumns(line: string, file: string, lineNumber: number): ColumnIndex {
  const names = splitFields(line, ',', []).map((n) => n.trim());
  const missing = CMS_COLUMNS.filter((c) => !names.includes(c));
  const unexpected = names.filter((n) => !Object.hasOwn(COLUMN_KINDS, n));
  const problems = [
    missing.length > 0 ? `missing columns ${missing.join(', ')}` : '',
    unexpected.length > 0 ? `unexpected columns ${unexpected.join(', ')}` : '',
  ].filter((p) => p !== '');
  if (problems.length > 0) {
    const field = (missing.length > 0 ? missing : unexpected).join(',');
    throw new TraceFormatError(
      { file, line: lineNumber, field },
      `cms header must have exactly the 25 cms columns: ${problems.join('; ')}`,
    );
  }
  return Object.fromEntries(CMS_COLUMNS.map((c) => [c, names.indexOf(c)])) as ColumnIndex;
}

/** True when the first line holds all 25 cms columns. */
export function isCmsHeader(firstLine: string): boolean {
  const names = new Set(splitFields(firstLine, ',', []).map((n) => n.trim()));
  return CMS_COLUMNS.every((c) => names.has(c));
}

/**
 * The dataset of a request: for a logical file name `/store/<type>/<Campaign>/<Process>/<Tier>/...`
 * its first five path components, otherwise (anonymised ids) `<Campaign>/<Process>`.
 */
export function cmsDataset(filename: string, campaign: string, process: string): string {
  return lfnDataset(filename) ?? [campaign, process].filter((p) => p !== '').join('/');
}

export async function readCms(chunks: AsyncIterable<Uint8Array>, context: ReadContext): Promise<Trace> {
  const builder = TraceBuilder.text();
  let col = {} as ColumnIndex;
  let row = new FieldRow(context.file, CMS_COLUMNS);
  await forEachLine(chunks, context, {
    header(line, lineNumber) {
      col = headerColumns(line, context.file, lineNumber);
      row = new FieldRow(
        context.file,
        splitFields(line, ',', []).map((n) => n.trim()),
      );
      return true;
    },
    row(line, lineNumber) {
      row.split(line, lineNumber);
      if (context.onlySuccessful && !succeeded(row, col)) return undefined;
      const filename = row.text(col.Filename);
      if (filename === '') throw row.error(col.Filename, 'empty file name');
      const time = requestTime(row, col);
      const size = row.byteCount(col.Size);
      const i = builder.add(time, builder.keys.intern(filename), size);
      builder.setString('site', i, row.text(col.SiteName));
      builder.setString('user', i, row.text(col.UserID));
      builder.setString('dataset', i, cmsDataset(filename, row.text(col.Campaign), row.text(col.Process)));
      builder.setString('op', i, 'read');
      return time;
    },
  });
  return builder.finish();
}

/** JobStart, or reqDay when JobStart is 0 or empty. */
function requestTime(row: FieldRow, col: ColumnIndex): number {
  const start = row.text(col.JobStart);
  if (start !== '' && parseNumber(start) !== 0) return row.seconds(col.JobStart);
  const day = row.text(col.reqDay);
  if (day === '' || parseNumber(day) === 0)
    throw row.error(col.JobStart, 'no request time: JobStart and reqDay are both 0 or empty');
  return row.seconds(col.reqDay);
}

/** The studies' filter: JobSuccess true (or 1) and JobExecExitCode 0. */
function succeeded(row: FieldRow, col: ColumnIndex): boolean {
  const success = row.text(col.JobSuccess).trim().toLowerCase();
  if (!['true', '1', 'false', '0'].includes(success)) {
    throw row.error(
      col.JobSuccess,
      `expected true/false or 1/0, found ${JSON.stringify(row.text(col.JobSuccess))}`,
    );
  }
  const exitCode = parseNumber(row.text(col.JobExecExitCode));
  if (!Number.isInteger(exitCode)) {
    throw row.error(
      col.JobExecExitCode,
      `expected an integer exit code, found ${JSON.stringify(row.text(col.JobExecExitCode))}`,
    );
  }
  return (success === 'true' || success === '1') && exitCode === 0;
}

/**
 * Writes the 25 columns. Values the trace carries: Filename (key), SiteName, UserID, Size,
 * JobStart = JobEnd = time, reqDay = time's day, Campaign/Process split from a dataset that is
 * not derived from the file name. Every request was served, so JobSuccess is 1 and
 * JobExecExitCode 0. Other category-id columns are empty and other numbers 0.
 */
export async function writeCms(trace: Trace, out: Writable): Promise<void> {
  const values = new Map<CmsColumn, string>();
  await writeLines(out, CMS_COLUMNS.join(','), trace.length, (i) => {
    const filename = idText(trace, i, 'cms', 'Filename');
    const time = trace.time[i];
    if (time === 0)
      throw new TraceWriteError('cms', i, 'JobStart', '0 cannot be read back (it means no start time)');
    const [campaign, process] = campaignAndProcess(filename, dictValue(trace.dataset, i), i);
    values.set('Filename', filename);
    values.set('SiteName', dictValue(trace.site, i));
    values.set('UserID', dictValue(trace.user, i));
    values.set('JobStart', String(time));
    values.set('JobEnd', String(time));
    values.set('reqDay', String(Math.floor(time / DAY) * DAY));
    values.set('Size', String(trace.size[i]));
    values.set('JobSuccess', '1');
    values.set('Campaign', campaign);
    values.set('Process', process);
    return CMS_COLUMNS.map((c) =>
      delimitedField(values.get(c) ?? (COLUMN_KINDS[c] === 'id' ? '' : '0'), 'cms', i, c),
    ).join(',');
  });
}

/** Campaign and Process of a dataset; one that the reader would not derive back the same is refused. */
function campaignAndProcess(filename: string, dataset: string, i: number): [string, string] {
  if (dataset === '' || lfnDataset(filename) === dataset) return ['', ''];
  const slash = dataset.indexOf('/');
  const parts: [string, string] =
    slash === -1 ? [dataset, ''] : [dataset.slice(0, slash), dataset.slice(slash + 1)];
  const readBack = cmsDataset(filename, ...parts);
  if (readBack !== dataset) {
    const reason =
      `${JSON.stringify(dataset)} would be read back as ${JSON.stringify(readBack)} (cms derives an LFN's ` +
      'dataset from its first five components, and joins non-empty Campaign and Process otherwise)';
    throw new TraceWriteError('cms', i, 'dataset', reason);
  }
  return parts;
}

export const cms: TraceFormat = {
  description: 'CMS per-job file-access CSV with the 25 columns Filename,SiteName,...,Campaign,Process',
  read: readCms,
  write: writeCms,
  sniff: isCmsHeader,
};
