/** Simulation results as a plain-text table for the terminal and as CSV for notebooks. */

import { formatBytes, formatCount, formatPercent, isoTime } from '../common/units.js';
import type { SimResult, WindowMetrics } from '../sim/metrics.js';

export interface TableColumn {
  header: string;
  align: 'left' | 'right';
  cell(result: SimResult): string;
}

/** The CMS study scores divide by the cache size, so they mean nothing for the unbounded baseline. */
function formatScore(score: number, cacheSize: number): string {
  return Number.isFinite(cacheSize) ? score.toFixed(2) : 'n/a';
}

export const TABLE_COLUMNS: readonly TableColumn[] = [
  { header: 'policy', align: 'left', cell: runName },
  { header: 'cache size', align: 'right', cell: (r) => formatBytes(r.cacheSize) },
  { header: 'requests', align: 'right', cell: (r) => formatCount(r.requests) },
  { header: 'hit ratio', align: 'right', cell: (r) => formatPercent(r.hitRatio) },
  { header: 'byte hit ratio', align: 'right', cell: (r) => formatPercent(r.byteHitRatio) },
  { header: 'written', align: 'right', cell: (r) => formatBytes(r.bytesWritten) },
  { header: 'evicted', align: 'right', cell: (r) => formatBytes(r.bytesEvicted) },
  { header: 'WAN', align: 'right', cell: (r) => formatBytes(r.wanBytes) },
  { header: 'redirected', align: 'right', cell: (r) => formatCount(r.redirected) },
  { header: 'throughput', align: 'right', cell: (r) => formatScore(r.throughputScore, r.cacheSize) },
  { header: 'cost', align: 'right', cell: (r) => formatScore(r.costScore, r.cacheSize) },
];

/** Smallest cache first (the unbounded baseline last), best byte hit ratio first within a size. */
/** The policy with its parameters, which tells runs of one policy apart. */
export function runName(r: SimResult): string {
  return r.label ?? r.policy;
}

export function sortResults(results: readonly SimResult[]): SimResult[] {
  return [...results].sort(
    (a, b) =>
      a.cacheSize - b.cacheSize || b.byteHitRatio - a.byteHitRatio || runName(a).localeCompare(runName(b)),
  );
}

/** The humanised cells of the results table, one row per run in table order. */
export function tableCells(results: readonly SimResult[]): string[][] {
  return sortResults(results).map((r) => TABLE_COLUMNS.map((c) => c.cell(r)));
}

/** An aligned plain-text table: text left-aligned, numbers right-aligned. */
export function resultsTable(results: readonly SimResult[]): string {
  const rows = [TABLE_COLUMNS.map((c) => c.header), ...tableCells(results)];
  const widths = TABLE_COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) =>
        TABLE_COLUMNS[i].align === 'left' ? cell.padEnd(widths[i]) : cell.padStart(widths[i]),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const [header, ...body] = rows;
  return `${[line(header), rule, ...body.map(line)].join('\n')}\n`;
}

type CsvValue = string | number;
export type CsvColumns<T> = readonly (readonly [header: string, value: (record: T) => CsvValue])[];

function csvField(value: CsvValue): string {
  if (typeof value === 'number') return String(value).replace('Infinity', 'inf');
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** CSV with a header line, CRLF line ends, fields quoted only when they need it. */
export function toCsv<T>(columns: CsvColumns<T>, records: readonly T[]): string {
  const lines = [
    columns.map(([header]) => header),
    ...records.map((r) => columns.map(([, value]) => value(r))),
  ];
  return `${lines.map((fields) => fields.map(csvField).join(',')).join('\r\n')}\r\n`;
}

interface RunWindow {
  run: SimResult;
  window: WindowMetrics;
}

const WINDOW_COLUMNS: CsvColumns<RunWindow> = [
  ['policy', ({ run }) => runName(run)],
  ['cache_size', ({ run }) => run.cacheSize],
  ['window_start', ({ window }) => isoTime(window.start)],
  ['window_start_unix', ({ window }) => window.start],
  ['requests', ({ window }) => window.requests],
  ['hits', ({ window }) => window.hits],
  ['hit_ratio', ({ window }) => window.hitRatio],
  ['bytes_requested', ({ window }) => window.bytesRequested],
  ['bytes_hit', ({ window }) => window.bytesHit],
  ['byte_hit_ratio', ({ window }) => window.byteHitRatio],
  ['bytes_written', ({ window }) => window.bytesWritten],
  ['bytes_evicted', ({ window }) => window.bytesEvicted],
  ['wan_bytes', ({ window }) => window.wanBytes],
  ['redirected', ({ window }) => window.redirected],
  ['occupancy', ({ window }) => window.occupancy],
];

/** The time series of every run: one CSV row per run and window, in table order then time order. */
export function windowsCsv(results: readonly SimResult[]): string {
  const records = sortResults(results).flatMap((run) => run.windows.map((window) => ({ run, window })));
  return toCsv(WINDOW_COLUMNS, records);
}
