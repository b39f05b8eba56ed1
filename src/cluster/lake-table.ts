/** The data-lake simulation as tables: one row per client site and the total, one per node lifetime. */

import { formatBytes, formatPercent, isoTime } from '../common/units.js';
import { type CsvColumns, toCsv } from '../report/table.js';
import type { CapacityPlan } from './capacity-plan.js';
import type { LakeResult, LakeWindow, SiteResult } from './lake-sim.js';

export interface TextTable {
  header: string[];
  rows: string[][];
  /** right-aligned columns */
  numeric: boolean[];
}

function siteRow(s: SiteResult): string[] {
  return [
    s.site,
    String(s.requests),
    formatPercent(s.hitRatio),
    formatPercent(s.byteHitRatio),
    formatBytes(s.wanBytes),
    formatBytes(s.interSiteBytes),
    formatBytes(s.originDirectBytes),
  ];
}

export function sitesTable(result: LakeResult): TextTable {
  const header = ['site', 'requests', 'hit ratio', 'byte hit', 'WAN', 'inter-site', 'origin direct'];
  return {
    header,
    rows: [...result.sites.map(siteRow), siteRow(result.total)],
    numeric: header.map((_, i) => i > 0),
  };
}

export function nodesTable(result: LakeResult): TextTable {
  const header = [
    'node',
    'site',
    'policy',
    'capacity',
    'joined',
    'left',
    'requests',
    'hit ratio',
    'written',
    'lost',
  ];
  const rows = result.nodes.map((n) => [
    n.node,
    n.site,
    n.policy,
    formatBytes(n.capacity),
    isoTime(n.joined),
    n.left === undefined ? '-' : isoTime(n.left),
    String(n.requests),
    formatPercent(n.requests === 0 ? 0 : n.hits / n.requests),
    formatBytes(n.bytesWritten),
    formatBytes(n.bytesLost),
  ]);
  return { header, rows, numeric: header.map((_, i) => i > 0) };
}

function columns(table: TextTable): string {
  const rows = [table.header, ...table.rows];
  const widths = table.header.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '))
    .join('\n');
}

export function lakeTable(result: LakeResult): string {
  const events = result.events.map((e) => `  ${isoTime(e.time)}  ${e.label}`).join('\n');
  return `${columns(sitesTable(result))}\n\n${columns(nodesTable(result))}${events ? `\n\nchurn:\n${events}` : ''}\n`;
}

interface SiteWindow {
  site: string;
  window: LakeWindow;
}

const WINDOW_COLUMNS: CsvColumns<SiteWindow> = [
  ['site', (r) => r.site],
  ['window_start', (r) => isoTime(r.window.start)],
  ['window_start_unix', (r) => r.window.start],
  ['requests', (r) => r.window.requests],
  ['hits', (r) => r.window.hits],
  ['hit_ratio', (r) => r.window.hitRatio],
  ['bytes_requested', (r) => r.window.bytesRequested],
  ['bytes_hit', (r) => r.window.bytesHit],
  ['byte_hit_ratio', (r) => r.window.byteHitRatio],
  ['wan_bytes', (r) => r.window.wanBytes],
  ['inter_site_bytes', (r) => r.window.interSiteBytes],
  ['origin_direct_bytes', (r) => r.window.originDirectBytes],
];

/** The per-window time series of every client site and of the total (site `total`), in time order. */
export function lakeWindowsCsv(result: LakeResult): string {
  const rows = [...result.sites, result.total].flatMap((s) =>
    s.windows.map((window) => ({ site: s.site, window })),
  );
  return toCsv(WINDOW_COLUMNS, rows);
}

export function planTable(plan: CapacityPlan): string {
  const header = [
    'site',
    'requests',
    'curve policy',
    'planned',
    'WAN saved',
    'uniform',
    'WAN saved (uniform)',
  ];
  const rows = plan.sites.map((s, i) => [
    s.site,
    String(plan.curves[i].requests),
    plan.curves[i].policy,
    formatBytes(s.capacity),
    formatBytes(s.saved),
    formatBytes(s.uniformCapacity),
    formatBytes(s.uniformSaved),
  ]);
  const saved = plan.planned.total.bytesHit;
  const uniformSaved = plan.uniform.total.bytesHit;
  rows.push([
    'total',
    String(plan.planned.total.requests),
    '',
    formatBytes(plan.sites.reduce((a, s) => a + s.capacity, 0)),
    formatBytes(saved),
    formatBytes(plan.sites.reduce((a, s) => a + s.uniformCapacity, 0)),
    formatBytes(uniformSaved),
  ]);
  const table = columns({ header, rows, numeric: header.map((_, i) => i > 0) });
  const gain = uniformSaved > 0 ? ` (${formatPercent(saved / uniformSaved - 1)})` : '';
  const spare =
    plan.needed < plan.budget
      ? `\nthe site curves gain nothing beyond ${formatBytes(plan.needed)}; the rest was spread by requested bytes`
      : '';
  return `${table}

budget ${formatBytes(plan.budget)}: WAN from the origin ${formatBytes(plan.planned.total.wanBytes)} with the plan, ${formatBytes(plan.uniform.total.wanBytes)} split evenly; the plan saves ${formatBytes(saved - uniformSaved)} more${gain}${spare}
`;
}
