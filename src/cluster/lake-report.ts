/**
 * The HTML report of a data-lake simulation: per-site hit ratios and WAN traffic over time
 * and the node lifetimes, each plot marking the churn events, then the site and node tables.
 */
import type { TopLevelSpec } from 'vega-lite';
import { formatBytes, formatCount, formatDuration } from '../common/units.js';
import { escapeHtml, htmlTable, plotsSection, renderHtmlPage } from '../report/html.js';
import { BYTES_LABEL, CONFIG, dashedWhere, HEIGHT, type ReportPlot, SCHEMA, WIDTH } from '../report/plots.js';
import type { LakeResult } from './lake-sim.js';
import { nodesTable, sitesTable, type TextTable } from './lake-table.js';

const TOTAL = 'total';

export interface LakeReportMeta {
  title: string;
  /** trace file name */
  trace: string;
  lake: string;
  generatedAt: Date;
  command: string;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** Window rows of `sites` (default: every site and the total). */
function windowRows(result: LakeResult, sites = [...result.sites, result.total]) {
  return sites.flatMap((s) =>
    s.windows.map((w) => ({
      site: s.site,
      total: s.site === TOTAL,
      start: iso(w.start),
      requests: w.requests,
      hitRatio: w.hitRatio,
      byteHitRatio: w.byteHitRatio,
      wanBytes: w.wanBytes,
      wanLabel: formatBytes(w.wanBytes),
      interSiteBytes: w.interSiteBytes,
    })),
  );
}

function siteColor(result: LakeResult) {
  const sites = [...result.sites.map((s) => s.site), TOTAL];
  return {
    field: 'site',
    type: 'nominal',
    title: 'client site',
    scale: { domain: sites, scheme: sites.length <= 10 ? 'tableau10' : 'tableau20' },
  } as const;
}

const TIME_AXIS = {
  type: 'temporal',
  title: 'time (UTC)',
  scale: { type: 'utc' },
  axis: { format: '%Y-%m-%d', labelOverlap: true },
} as const;

/** Vertical rules at the churn events, labelled at the top of the plot. */
function churnLayers(result: LakeResult) {
  const events = result.events.map((e) => ({ time: iso(e.time), label: e.label }));
  const data = { values: events };
  return [
    {
      data,
      mark: { type: 'rule' as const, color: '#b00020', strokeDash: [4, 3], strokeWidth: 1.2 },
      encoding: {
        x: { field: 'time', ...TIME_AXIS },
        tooltip: [
          { field: 'label', title: 'churn event' },
          {
            field: 'time',
            type: 'temporal' as const,
            title: 'time (UTC)',
            format: '%Y-%m-%d %H:%M',
            formatType: 'utc',
          },
        ],
      },
    },
    {
      data,
      mark: {
        type: 'text' as const,
        color: '#b00020',
        angle: 270,
        align: 'right' as const,
        baseline: 'bottom' as const,
        dx: -4,
        fontSize: 11,
      },
      encoding: { x: { field: 'time', ...TIME_AXIS }, y: { value: 0 }, text: { field: 'label' } },
    },
  ];
}

/** Byte hit ratio per window of every site a node served, and of the whole lake (dashed). */
function byteHitRatioOverTime(result: LakeResult): TopLevelSpec {
  const served = result.sites.filter((s) => s.bytesHit > 0);
  const hidden = result.sites.length - served.length;
  const subtitle = `Per client site; dashed: the whole lake; red rules: churn events${
    hidden > 0 ? `; ${hidden} site${hidden === 1 ? '' : 's'} that no node served (0 %) not drawn` : ''
  }`;
  return {
    $schema: SCHEMA,
    title: { text: 'Byte hit ratio over time', subtitle },
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    layer: [
      {
        data: { values: windowRows(result, [...served, result.total]) },
        mark: { type: 'line', point: true, strokeWidth: 1.8 },
        encoding: {
          x: { field: 'start', ...TIME_AXIS },
          y: {
            field: 'byteHitRatio',
            type: 'quantitative',
            title: 'byte hit ratio',
            axis: { format: '.0%' },
          },
          color: siteColor(result),
          strokeDash: dashedWhere('total'),
          tooltip: [
            { field: 'site', title: 'client site' },
            {
              field: 'start',
              type: 'temporal',
              title: 'window start (UTC)',
              format: '%Y-%m-%d %H:%M',
              formatType: 'utc',
            },
            { field: 'byteHitRatio', type: 'quantitative', title: 'byte hit ratio', format: '.2%' },
            { field: 'requests', type: 'quantitative', title: 'requests', format: ',' },
          ],
        },
      },
      ...churnLayers(result),
    ],
  };
}

/** WAN bytes per window, stacked by client site: the top of the stack is the lake's WAN traffic. */
function wanOverTime(result: LakeResult): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title: {
      text: 'WAN bytes from the origin over time',
      subtitle: 'Stacked by client site: the top is the whole lake; red rules: churn events',
    },
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    layer: [
      {
        data: { values: windowRows(result, result.sites) },
        mark: { type: 'area', opacity: 0.85 },
        encoding: {
          x: { field: 'start', ...TIME_AXIS },
          y: {
            field: 'wanBytes',
            type: 'quantitative',
            stack: 'zero',
            title: 'WAN bytes per window',
            axis: { labelExpr: BYTES_LABEL },
          },
          color: { ...siteColor(result), legend: { values: result.sites.map((site) => site.site) } },
          tooltip: [
            { field: 'site', title: 'client site' },
            {
              field: 'start',
              type: 'temporal',
              title: 'window start (UTC)',
              format: '%Y-%m-%d %H:%M',
              formatType: 'utc',
            },
            { field: 'wanLabel', title: 'WAN bytes' },
            { field: 'requests', type: 'quantitative', title: 'requests', format: ',' },
          ],
        },
      },
      ...churnLayers(result),
    ],
  };
}

function lifetimes(result: LakeResult): TopLevelSpec {
  const rows = result.nodes.map((n) => ({
    node: n.node,
    site: n.site,
    joined: iso(n.joined),
    left: iso(n.left ?? result.end),
    lost: formatBytes(n.bytesLost),
    hitRatio: n.requests === 0 ? 0 : n.hits / n.requests,
  }));
  return {
    $schema: SCHEMA,
    title: {
      text: 'Cache node lifetimes',
      subtitle: 'One bar per node from joining to leaving; red rules: churn events',
    },
    width: WIDTH,
    height: Math.max(140, 28 * new Set(rows.map((r) => r.node)).size),
    config: CONFIG,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'bar', height: 14 },
        encoding: {
          x: { field: 'joined', ...TIME_AXIS },
          x2: { field: 'left' },
          y: { field: 'node', type: 'nominal', title: 'node' },
          color: {
            ...siteColor(result),
            title: 'site',
            legend: { values: [...new Set(rows.map((r) => r.site))] },
          },
          tooltip: [
            { field: 'node', title: 'node' },
            { field: 'site', title: 'site' },
            {
              field: 'joined',
              type: 'temporal',
              title: 'joined',
              format: '%Y-%m-%d %H:%M',
              formatType: 'utc',
            },
            { field: 'left', type: 'temporal', title: 'left', format: '%Y-%m-%d %H:%M', formatType: 'utc' },
            { field: 'hitRatio', type: 'quantitative', title: 'hit ratio', format: '.2%' },
            { field: 'lost', title: 'bytes lost on leaving' },
          ],
        },
      },
      ...churnLayers(result),
    ],
  };
}

/** The lake report's plots in reading order. */
export function lakePlots(result: LakeResult): ReportPlot[] {
  return [
    {
      name: 'lake-byte-hit-ratio-over-time',
      title: 'Byte hit ratio over time',
      caption:
        'Share of each site’s requested bytes served by a cache node, per window, with the churn events.',
      spec: byteHitRatioOverTime(result),
    },
    {
      name: 'lake-wan-over-time',
      title: 'WAN bytes over time',
      caption: 'Bytes read from the origin over the wide-area network per window, by client site.',
      spec: wanOverTime(result),
    },
    {
      name: 'lake-node-lifetimes',
      title: 'Cache node lifetimes',
      caption: 'When each cache node was part of the lake; a node that leaves loses what it held.',
      spec: lifetimes(result),
    },
  ];
}

function tableSection(id: string, title: string, caption: string, table: TextTable): string {
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2><p class="caption">${escapeHtml(caption)}</p>
${htmlTable(table.header, table.rows, table.numeric)}</section>`;
}

function summarySection(result: LakeResult, meta: LakeReportMeta): string {
  const items: [string, string][] = [
    ['trace', meta.trace],
    ['lake', meta.lake],
    ['requests', `${formatCount(result.total.requests)} (${result.total.requests.toLocaleString('en-US')})`],
    ['time span', formatDuration(result.end - result.start)],
    ['client sites', String(result.sites.length)],
    ['node lifetimes', String(result.nodes.length)],
    ['churn events', String(result.events.length)],
  ];
  const rows = items.map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd>`);
  return `<section id="lake"><h2>Data lake</h2><dl>${rows.join('')}</dl></section>`;
}

function churnSection(result: LakeResult): string {
  if (result.events.length === 0) return '';
  const rows = result.events.map((e) => [iso(e.time).replace('.000Z', 'Z'), e.label]);
  return tableSection(
    'churn',
    'Churn events',
    'From the lake file’s schedule, at offsets from the first request.',
    {
      header: ['time (UTC)', 'event'],
      rows,
      numeric: [false, false],
    },
  );
}

export function renderLakeReport(result: LakeResult, meta: LakeReportMeta): string {
  return renderHtmlPage({
    title: meta.title,
    generatedAt: meta.generatedAt,
    command: meta.command,
    sections: [
      summarySection(result, meta),
      plotsSection(lakePlots(result)),
      tableSection(
        'sites',
        'Client sites',
        'WAN: bytes read from the origin; inter-site: bytes served by a node of another site; origin direct: no node could take the request.',
        sitesTable(result),
      ),
      tableSection(
        'nodes',
        'Node lifetimes',
        'One row per node from joining to leaving; lost: bytes it held when it left.',
        nodesTable(result),
      ),
      churnSection(result),
    ],
  });
}
