/** The data-lake simulation as a terminal table: one row per client site, the total, then node lifetimes. */
import { formatBytes, formatPercent, isoTime } from '../report/units.js';
import type { LakeResult, SiteResult } from './lake-sim.js';

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

function columns(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '))
    .join('\n');
}

export function lakeTable(result: LakeResult): string {
  const header = ['site', 'requests', 'hit ratio', 'byte hit', 'WAN', 'inter-site', 'origin direct'];
  const sites = columns([header, ...result.sites.map(siteRow), siteRow(result.total)]);
  const nodeHeader = [
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
  const nodes = columns([
    nodeHeader,
    ...result.nodes.map((n) => [
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
    ]),
  ]);
  const events = result.events.map((e) => `  ${isoTime(e.time)}  ${e.label}`).join('\n');
  return `${sites}\n\n${nodes}${events ? `\n\nchurn:\n${events}` : ''}\n`;
}
