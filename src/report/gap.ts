/**
 * The learning evaluation table: per cache size, each learned policy against the best
 * classic policy (by byte hit ratio) and Belady, with the fraction of the gap between the
 * two that the learned policy closes: (learned - best classic) / (Belady - best classic),
 * on byte hit ratio (negative when the learned policy is worse than the best classic one).
 */

import { formatBytes, formatPercent } from '../common/units.js';
import type { SimResult } from '../sim/metrics.js';
import { runName } from './table.js';

export interface GapRow {
  cacheSize: number;
  policy: string;
  role: 'learned' | 'best classic' | 'belady';
  hitRatio: number;
  byteHitRatio: number;
  bytesWritten: number;
  /** fraction of the best-classic-to-Belady byte hit ratio gap closed (learned rows) */
  gapClosed: number;
  /** bytes written relative to the best classic policy (learned rows; below 1 writes less) */
  writtenVsBest: number;
}

export interface GapOptions {
  /** result names (labels) that are learned policies */
  isLearned(r: SimResult): boolean;
  /** results that may be "the best classic policy" (online, bounded, caching) */
  isClassic(r: SimResult): boolean;
}

export function gapRows(results: readonly SimResult[], options: GapOptions): GapRow[] {
  const sizes = [...new Set(results.map((r) => r.cacheSize))].filter(Number.isFinite).sort((a, b) => a - b);
  const rows: GapRow[] = [];
  for (const size of sizes) {
    const atSize = results.filter((r) => r.cacheSize === size);
    const classic = atSize.filter(options.isClassic);
    const best = classic.reduce<SimResult | undefined>(
      (b, r) =>
        !b ||
        r.byteHitRatio > b.byteHitRatio ||
        (r.byteHitRatio === b.byteHitRatio && r.bytesWritten < b.bytesWritten)
          ? r
          : b,
      undefined,
    );
    const belady = atSize.find((r) => r.policy === 'belady');
    const row = (r: SimResult, role: GapRow['role']): GapRow => {
      const gap = best && belady ? belady.byteHitRatio - best.byteHitRatio : Number.NaN;
      return {
        cacheSize: size,
        policy: runName(r),
        role,
        hitRatio: r.hitRatio,
        byteHitRatio: r.byteHitRatio,
        bytesWritten: r.bytesWritten,
        gapClosed: best && gap > 0 ? (r.byteHitRatio - best.byteHitRatio) / gap : Number.NaN,
        writtenVsBest: best && best.bytesWritten > 0 ? r.bytesWritten / best.bytesWritten : Number.NaN,
      };
    };
    for (const r of atSize.filter(options.isLearned).sort((a, b) => b.byteHitRatio - a.byteHitRatio)) {
      rows.push(row(r, 'learned'));
    }
    if (best) rows.push(row(best, 'best classic'));
    if (belady) rows.push(row(belady, 'belady'));
  }
  return rows;
}

const HEADERS = [
  'cache size',
  'policy',
  'role',
  'hit ratio',
  'byte hit ratio',
  'written',
  'written/best',
  'gap closed',
];

function cells(r: GapRow): string[] {
  const learned = r.role === 'learned';
  return [
    formatBytes(r.cacheSize),
    r.policy,
    r.role,
    formatPercent(r.hitRatio, 2),
    formatPercent(r.byteHitRatio, 2),
    formatBytes(r.bytesWritten),
    learned && Number.isFinite(r.writtenVsBest) ? r.writtenVsBest.toFixed(3) : '',
    learned && Number.isFinite(r.gapClosed) ? formatPercent(r.gapClosed, 1) : '',
  ];
}

/** Aligned plain text (the terminal). */
export function gapTable(rows: readonly GapRow[]): string {
  const body = rows.map(cells);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...body.map((c) => c[i].length)));
  const left = new Set([1, 2]);
  const line = (c: string[]) =>
    c
      .map((v, i) => (left.has(i) ? v.padEnd(widths[i]) : v.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
