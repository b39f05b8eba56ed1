/**
 * Vega-Lite specs of the report plots. Each spec carries its data inline so that the
 * HTML report and the PNG renderer need nothing but the spec.
 */
import type { TopLevelSpec } from 'vega-lite';
import { DAY, HOUR } from '../common/time.js';
import { formatBytes, formatPercent } from '../common/units.js';
import type { SimResult } from '../sim/metrics.js';
import type { GapRow } from './gap.js';
import { runName, sortResults } from './table.js';

export interface ReportPlot {
  /** file stem of the PNG, also the HTML anchor */
  name: string;
  title: string;
  /** what the reader sees and how to read it */
  caption: string;
  spec: TopLevelSpec;
}

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
export const WIDTH = 620;
export const HEIGHT = 320;
/** Above this many windows per line the point markers hide the line. */
const MAX_MARKED_WINDOWS = 60;

export const CONFIG = {
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  title: { fontSize: 16, subtitleFontSize: 12, subtitleColor: '#555', anchor: 'start', offset: 12 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e6e6e6' },
  legend: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'normal' },
  header: { labelFontSize: 12, titleFontSize: 12 },
} as const;

/** Vega expression that writes an axis value in bytes as formatBytes does: 20 GB, 1.5 TB. */
export const BYTES_LABEL = "replace(format(datum.value, '.3~s'), /([kMGTPE]?)$/, ' $1') + 'B'";

interface RunRow {
  policy: string;
  /** bytes; null for the unbounded baseline, which a log axis cannot place */
  cacheSize: number | null;
  sizeLabel: string;
  infinite: boolean;
  requests: number;
  hitRatio: number;
  byteHitRatio: number;
  hitRatioLabel: string;
  byteHitRatioLabel: string;
}

interface WindowRow {
  policy: string;
  sizeLabel: string;
  infinite: boolean;
  /** window start, ISO-8601 UTC */
  start: string;
  requests: number;
  hitRatio: number;
  byteHitRatio: number;
}

interface VolumeRow {
  policy: string;
  sizeLabel: string;
  volume: string;
  bytes: number;
  bytesLabel: string;
}

function runRow(r: SimResult): RunRow {
  const infinite = !Number.isFinite(r.cacheSize);
  return {
    policy: runName(r),
    cacheSize: infinite ? null : r.cacheSize,
    sizeLabel: formatBytes(r.cacheSize),
    infinite,
    requests: r.requests,
    hitRatio: r.hitRatio,
    byteHitRatio: r.byteHitRatio,
    hitRatioLabel: formatPercent(r.hitRatio, 2),
    byteHitRatioLabel: formatPercent(r.byteHitRatio, 2),
  };
}

function windowRows(r: SimResult): WindowRow[] {
  return r.windows.map((w) => ({
    policy: runName(r),
    sizeLabel: formatBytes(r.cacheSize),
    infinite: !Number.isFinite(r.cacheSize),
    start: new Date(w.start * 1000).toISOString(),
    requests: w.requests,
    hitRatio: w.hitRatio,
    byteHitRatio: w.byteHitRatio,
  }));
}

function volumeRows(r: SimResult): VolumeRow[] {
  const volumes: [string, number][] = [
    ['written to the cache', r.bytesWritten],
    ['read over the WAN', r.wanBytes],
  ];
  return volumes.map(([volume, bytes]) => ({
    policy: runName(r),
    sizeLabel: formatBytes(r.cacheSize),
    volume,
    bytes,
    bytesLabel: formatBytes(bytes),
  }));
}

/** Every plot colours a policy the same way, whichever policies it shows. */
function policyColor(results: readonly SimResult[]) {
  const policies = [...new Set(results.map(runName))].sort();
  return {
    field: 'policy',
    type: 'nominal',
    title: 'policy',
    scale: { domain: policies, scheme: policies.length <= 10 ? 'tableau10' : 'tableau20' },
  } as const;
}

/** Cache-size labels from the smallest cache to the unbounded one. */
function sizeLabels(results: readonly SimResult[]): string[] {
  return [...new Set(sortResults(results).map((r) => formatBytes(r.cacheSize)))];
}

type RatioField = 'hitRatio' | 'byteHitRatio';

const RATIO_TITLES: Record<RatioField, string> = {
  hitRatio: 'hit ratio (share of requests)',
  byteHitRatio: 'byte hit ratio (share of bytes read)',
};

function ratioAxis(field: RatioField) {
  return { field, type: 'quantitative', title: RATIO_TITLES[field], axis: { format: '.0%' } } as const;
}

/** Cache sizes on a log axis, a tick at each simulated size labelled in bytes. */
function cacheSizeAxis(sizes: readonly number[]) {
  return {
    field: 'cacheSize',
    type: 'quantitative' as const,
    title: 'cache size (log scale)',
    scale: { type: 'log' as const, nice: false, padding: 40 },
    axis: { values: [...sizes], labelExpr: BYTES_LABEL, labelOverlap: true, grid: true },
  };
}

function ratioVsSize(results: readonly SimResult[], field: RatioField, title: string): TopLevelSpec {
  const finiteSizes = [...new Set(results.map((r) => r.cacheSize).filter(Number.isFinite))];
  const tooltip = [
    { field: 'policy', title: 'policy' },
    { field: 'sizeLabel', title: 'cache size' },
    { field: 'hitRatioLabel', title: 'hit ratio' },
    { field: 'byteHitRatioLabel', title: 'byte hit ratio' },
    { field: 'requests', title: 'requests', format: ',' },
  ];
  return {
    $schema: SCHEMA,
    title: { text: title, subtitle: 'Dashed line: the unbounded cache, an upper bound for any policy' },
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    data: { values: results.map(runRow) },
    encoding: { color: policyColor(results), y: ratioAxis(field), tooltip },
    layer: [
      {
        transform: [{ filter: '!datum.infinite' }],
        mark: { type: 'line', point: { size: 50, filled: true } },
        encoding: {
          x: cacheSizeAxis(finiteSizes),
        },
      },
      {
        transform: [{ filter: 'datum.infinite' }],
        mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5 },
      },
    ],
  };
}

function ratioOverTime(results: readonly SimResult[], field: RatioField, title: string): TopLevelSpec {
  const labels = sizeLabels(results.filter((r) => Number.isFinite(r.cacheSize)));
  const windowCount = Math.max(0, ...results.map((r) => r.windows.length));
  const windowSeconds = results[0]?.window ?? 0;
  return {
    $schema: SCHEMA,
    title: {
      text: { expr: `'${title} at cache size ' + selectedSize` },
      subtitle: `One point per ${describeWindow(windowSeconds)} window; dashed: the unbounded cache`,
    },
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    params: [
      {
        name: 'selectedSize',
        value: labels[0] ?? '',
        bind: { input: 'select', options: labels, name: 'cache size ' },
      },
    ],
    data: { values: results.flatMap(windowRows) },
    transform: [{ filter: 'datum.sizeLabel === selectedSize || datum.infinite' }],
    mark: { type: 'line', point: windowCount <= MAX_MARKED_WINDOWS, strokeWidth: 1.8 },
    encoding: {
      x: {
        field: 'start',
        type: 'temporal',
        title: 'window start (UTC)',
        scale: { type: 'utc' },
        axis: {
          format: windowSeconds % DAY === 0 ? '%Y-%m-%d' : '%Y-%m-%d %H:%M',
          tickMinStep: windowSeconds * 1000,
          labelOverlap: true,
        },
      },
      y: ratioAxis(field),
      color: policyColor(results),
      strokeDash: dashedWhere('infinite'),
      tooltip: [
        { field: 'policy', title: 'policy' },
        { field: 'sizeLabel', title: 'cache size' },
        {
          field: 'start',
          type: 'temporal',
          title: 'window start (UTC)',
          format: '%Y-%m-%d %H:%M',
          formatType: 'utc',
        },
        { field, type: 'quantitative', title: RATIO_TITLES[field], format: '.2%' },
        { field: 'requests', type: 'quantitative', title: 'requests', format: ',' },
      ],
    },
  };
}

function describeWindow(seconds: number): string {
  if (seconds % DAY === 0) return seconds === DAY ? 'one-day' : `${seconds / DAY}-day`;
  if (seconds % HOUR === 0) return `${seconds / HOUR}-hour`;
  return `${seconds}-second`;
}

function volumes(results: readonly SimResult[]): TopLevelSpec {
  const color = policyColor(results);
  return {
    $schema: SCHEMA,
    title: {
      text: 'Bytes written to the cache and read over the WAN',
      subtitle: 'Per policy at each cache size; lower is cheaper for the site and the network',
    },
    config: CONFIG,
    data: { values: sortResults(results).flatMap(volumeRows) },
    facet: {
      row: {
        field: 'volume',
        type: 'nominal',
        title: null,
        sort: 'descending',
        header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFontWeight: 'bold' },
      },
    },
    spec: {
      width: WIDTH,
      height: HEIGHT / 2,
      mark: { type: 'bar' },
      encoding: {
        x: {
          field: 'sizeLabel',
          type: 'ordinal',
          title: 'cache size',
          sort: sizeLabels(results),
          axis: { labelAngle: 0 },
        },
        xOffset: { field: 'policy', type: 'nominal', scale: { domain: color.scale.domain } },
        y: { field: 'bytes', type: 'quantitative', title: 'bytes', axis: { labelExpr: BYTES_LABEL } },
        color,
        tooltip: [
          { field: 'policy', title: 'policy' },
          { field: 'sizeLabel', title: 'cache size' },
          { field: 'volume', title: 'volume' },
          { field: 'bytesLabel', title: 'bytes' },
        ],
      },
    },
  };
}

/**
 * Learned policies against the best classic policy and Belady, per cache size, on byte hit
 * ratio: the evaluation's headline. The best classic policy may differ by size (its name is
 * in the tooltip), so it is one line named by its role.
 */
function gapPlot(rows: readonly GapRow[]): TopLevelSpec {
  const sizes = [...new Set(rows.map((r) => r.cacheSize))];
  const values = rows.map((r) => ({
    series:
      r.role === 'learned' ? r.policy : r.role === 'belady' ? 'Belady (offline optimum)' : 'best classic',
    policy: r.policy,
    cacheSize: r.cacheSize,
    sizeLabel: formatBytes(r.cacheSize),
    byteHitRatio: r.byteHitRatio,
    byteHitRatioLabel: formatPercent(r.byteHitRatio, 2),
    gapClosedLabel: r.role === 'learned' && Number.isFinite(r.gapClosed) ? formatPercent(r.gapClosed, 1) : '',
  }));
  return {
    $schema: SCHEMA,
    title: {
      text: 'Learned policies vs the best classic policy and Belady',
      subtitle:
        'Byte hit ratio on the held-out days; the tooltip names the best classic policy and the gap closed',
    },
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    data: { values },
    mark: { type: 'line', point: { size: 60, filled: true } },
    encoding: {
      x: cacheSizeAxis(sizes),
      y: ratioAxis('byteHitRatio'),
      color: { field: 'series', type: 'nominal', title: null, legend: { labelLimit: 360 } },
      tooltip: [
        { field: 'series', title: 'line' },
        { field: 'policy', title: 'policy' },
        { field: 'sizeLabel', title: 'cache size' },
        { field: 'byteHitRatioLabel', title: 'byte hit ratio' },
        { field: 'gapClosedLabel', title: 'gap closed' },
      ],
    },
  };
}

/** The report's plots in reading order; an evaluation's gap rows put its headline first. */
export function reportPlots(results: readonly SimResult[], gap: readonly GapRow[] = []): ReportPlot[] {
  const headline: ReportPlot[] =
    gap.length === 0
      ? []
      : [
          {
            name: 'learned-vs-best-classic',
            title: 'Learned vs best classic vs Belady',
            caption:
              'Byte hit ratio per cache size of each learned policy, the best classic policy at that size and the offline optimum: the learned policy closes the share of the gap between the two lower lines it covers.',
            spec: gapPlot(gap),
          },
        ];
  return [
    ...headline,
    {
      name: 'hit-ratio-vs-size',
      title: 'Hit ratio vs cache size',
      caption: 'Share of requests served from the cache, for each policy and cache size.',
      spec: ratioVsSize(results, 'hitRatio', 'Hit ratio vs cache size'),
    },
    {
      name: 'byte-hit-ratio-vs-size',
      title: 'Byte hit ratio vs cache size',
      caption: 'Share of requested bytes served from the cache: the WAN traffic the cache saves.',
      spec: ratioVsSize(results, 'byteHitRatio', 'Byte hit ratio vs cache size'),
    },
    {
      name: 'hit-ratio-over-time',
      title: 'Hit ratio over time',
      caption: 'Hit ratio in each time window at one cache size; pick the size with the menu.',
      spec: ratioOverTime(results, 'hitRatio', 'Hit ratio over time'),
    },
    {
      name: 'byte-hit-ratio-over-time',
      title: 'Byte hit ratio over time',
      caption: 'Byte hit ratio in each time window at one cache size; pick the size with the menu.',
      spec: ratioOverTime(results, 'byteHitRatio', 'Byte hit ratio over time'),
    },
    {
      name: 'bytes-written-and-wan',
      title: 'Bytes written and WAN bytes',
      caption: 'Bytes each policy wrote into the cache and read from remote storage over the whole trace.',
      spec: volumes(results),
    },
  ];
}

/** A line encoding: solid, dashed where the boolean `field` is true (a reference line). */
export function dashedWhere(field: string) {
  return {
    field,
    type: 'nominal' as const,
    scale: {
      domain: [false, true],
      range: [
        [1, 0],
        [6, 4],
      ],
    },
    legend: null,
  };
}
