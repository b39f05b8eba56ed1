/** Human-readable text of trace statistics (`smartcache inspect`). */

import { DAY } from '../common/time.js';
import { formatBytes, formatPercent, isoTime } from '../common/units.js';
import type { ReuseBucket, TopValue, TraceStats } from '../trace/inspect.js';

export function formatTraceStats(stats: TraceStats): string {
  const sections = [overview(stats), reuse(stats)];
  const { site, user, dataset } = stats.top;
  if (site) sections.push(top('top sites', site, stats.requests));
  if (user) sections.push(top('top users', user, stats.requests));
  if (dataset) sections.push(top('top datasets', dataset, stats.requests));
  return `${sections.join('\n\n')}\n`;
}

function overview(s: TraceStats): string {
  const sizes = s.objectSizes;
  const rows = [
    ['requests', count(s.requests)],
    ['unique objects', count(s.uniqueObjects)],
    ['bytes requested', formatBytes(s.totalBytes)],
    ['unique bytes', formatBytes(s.uniqueBytes)],
    [
      'time span',
      `${isoTime(Math.floor(s.firstTime))} .. ${isoTime(Math.floor(s.lastTime))} (${(s.spanSeconds / DAY).toFixed(1)} days)`,
    ],
    ['one-hit wonders', formatPercent(s.oneHitWonderRatio)],
    [
      'Zipf alpha',
      `${s.zipf.alpha.toFixed(2)} (R² ${s.zipf.r2.toFixed(2)} over ${count(s.zipf.ranks)} objects)`,
    ],
    [
      'object sizes',
      `p50 ${formatBytes(sizes.p50)}, p90 ${formatBytes(sizes.p90)}, p99 ${formatBytes(sizes.p99)}, max ${formatBytes(sizes.max)}`,
    ],
  ];
  return aligned(rows, '', false);
}

function reuse(s: TraceStats): string {
  const reRequests = s.requests - s.reuse.coldMisses;
  const rows = [['cold misses', count(s.reuse.coldMisses), '']];
  for (const b of s.reuse.buckets)
    rows.push([distanceRange(b), count(b.requests), share(b.requests, reRequests)]);
  return `reuse distance (distinct objects between requests to an object)\n${aligned(rows, '  ')}`;
}

function top(title: string, values: TopValue[], requests: number): string {
  const rows = values.map((v) => [
    v.value,
    count(v.requests),
    share(v.requests, requests),
    formatBytes(v.bytes),
  ]);
  return `${title}\n${aligned(rows, '  ')}`;
}

function distanceRange(b: ReuseBucket): string {
  return b.from === b.to ? String(b.from) : `${b.from}-${b.to}`;
}

function share(part: number, whole: number): string {
  return whole === 0 ? '' : formatPercent(part / whole);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Rows as columns, the first left-aligned, the others right-aligned unless `numbers` is false. */
function aligned(rows: string[][], indent = '', numbers = true): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [c, cell] of row.entries()) widths[c] = Math.max(widths[c] ?? 0, cell.length);
  }
  return rows
    .map((row) => {
      const cells = row.map((cell, c) =>
        c === 0 || !numbers ? cell.padEnd(widths[c]) : cell.padStart(widths[c]),
      );
      return `${indent}${cells.join('  ')}`.trimEnd();
    })
    .join('\n');
}
