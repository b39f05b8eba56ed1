/**
 * The HTML report: one self-contained file with the Vega, Vega-Lite and Vega-Embed
 * browser bundles inlined, so it opens offline, from a mail attachment or an
 * air-gapped site, and still draws interactive plots.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { formatBytes, formatCount, formatDuration, isoTime } from '../common/units.js';
import type { SimResult } from '../sim/metrics.js';
import type { GapRow } from './gap.js';
import { type ReportPlot, reportPlots } from './plots.js';
import { TABLE_COLUMNS, tableCells } from './table.js';

export interface TraceSummary {
  name: string;
  requests: number;
  /** distinct objects */
  objects: number;
  /** bytes needed to hold every object once */
  uniqueBytes: number;
  /** seconds from the first to the last request */
  span: number;
}

export interface ReportMeta {
  title: string;
  trace: TraceSummary;
  generatedAt: Date;
  /** the command line that produced the results */
  command: string;
  /** an evaluation's learned-vs-classic rows: their plot comes first */
  gap?: readonly GapRow[];
}

/** Browser bundles in load order: Vega-Lite needs Vega, Vega-Embed needs both. */
export const PLOT_BUNDLES = ['vega', 'vega-lite', 'vega-embed'] as const;
export type PlotBundle = (typeof PLOT_BUNDLES)[number];

/** vega-embed options of every page: SVG, and only the offline PNG/SVG export among the actions. */
export const EMBED_OPTIONS = {
  renderer: 'svg',
  // The source, compiled-spec and editor actions open vega.github.io; keep only the offline PNG/SVG export.
  actions: { export: true, source: false, compiled: false, editor: false },
};

/** The style sheet of the report, which the dashboard shares. */
export const PAGE_STYLE = `
:root { color-scheme: light; --muted: #555; --rule: #ddd; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #222;
  max-width: 1100px; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; margin-top: 2.5rem; border-bottom: 1px solid var(--rule); padding-bottom: 0.2rem; }
.meta, .caption { color: var(--muted); }
code { font: 0.9em ui-monospace, "DejaVu Sans Mono", monospace; background: #f4f4f4; padding: 0.1em 0.3em; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1.5rem; }
dt { color: var(--muted); }
dd { margin: 0; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.9rem; }
th, td { padding: 0.3rem 0.7rem; border-bottom: 1px solid var(--rule); white-space: nowrap; }
th { text-align: left; font-weight: 600; border-bottom: 2px solid #999; }
.num { text-align: right; }
tbody tr:nth-child(even) { background: #fafafa; }
.scroll { overflow-x: auto; }
figure { margin: 1.5rem 0 2.5rem; }
figcaption { margin-top: 0.3rem; }
.plot-error { color: #b00020; }
`;

function readManifest(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Walks up from a package's resolved entry point to the folder of its package.json. */
function packageRoot(name: string, entry: string): string {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readManifest(manifest).name === name) return dir;
  }
  throw new Error(`cannot find the package folder of ${name} above ${entry}`);
}

/** The file of the minified browser build a package advertises for CDNs (`jsdelivr` or `unpkg`). */
export function browserBundleFile(name: PlotBundle): string {
  const entry = createRequire(import.meta.url).resolve(name);
  const root = packageRoot(name, entry);
  const manifest = readManifest(join(root, 'package.json'));
  const file = manifest.jsdelivr ?? manifest.unpkg;
  if (typeof file !== 'string') throw new Error(`${name} names no browser bundle in its package.json`);
  return join(root, file);
}

let bundleCache: string[] | undefined;

function browserBundles(): string[] {
  bundleCache ??= PLOT_BUNDLES.map((name) => readFileSync(browserBundleFile(name), 'utf8'));
  return bundleCache;
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** JSON safe inside <script>: no '<' can start '</script>' or '<!--'. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}

/** JavaScript safe inside <script>: '<\/script' means the same in strings and regexps. */
function scriptJs(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1');
}

function traceSection(meta: ReportMeta): string {
  const t = meta.trace;
  const items: [string, string][] = [
    ['trace', t.name],
    ['requests', `${formatCount(t.requests)} (${t.requests.toLocaleString('en-US')})`],
    ['objects', `${formatCount(t.objects)} (${t.objects.toLocaleString('en-US')})`],
    ['unique bytes', formatBytes(t.uniqueBytes)],
    ['time span', formatDuration(t.span)],
  ];
  const rows = items.map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd>`);
  return `<section id="trace"><h2>Trace</h2><dl>${rows.join('')}</dl></section>`;
}

/** A table whose `numeric` columns are right-aligned; cells are plain text, escaped here. */
export function htmlTable(
  header: readonly string[],
  rows: readonly string[][],
  numeric: readonly boolean[],
): string {
  const cell = (tag: 'th' | 'td', text: string, column: number) => {
    const align = numeric[column] ? ' class="num"' : '';
    const scope = tag === 'th' ? ' scope="col"' : '';
    return `<${tag}${scope}${align}>${escapeHtml(text)}</${tag}>`;
  };
  const head = header.map((h, i) => cell('th', h, i)).join('');
  const body = rows.map((row) => `<tr>${row.map((text, i) => cell('td', text, i)).join('')}</tr>`);
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>
${body.join('\n')}
</tbody></table></div>`;
}

function resultsSection(results: readonly SimResult[]): string {
  const table = htmlTable(
    TABLE_COLUMNS.map((c) => c.header),
    tableCells(results),
    TABLE_COLUMNS.map((c) => c.align === 'right'),
  );
  return `<section id="results"><h2>Results</h2>
<p class="caption">Sorted by cache size, best byte hit ratio first. Throughput = (bytes read on hit &minus; bytes
written) / cache size; cost = (bytes written + bytes deleted) / cache size; neither applies to the unbounded cache.</p>
${table}</section>`;
}

/** The plots section; each plot carries its own title, the caption says how to read it. */
export function plotsSection(plots: readonly ReportPlot[]): string {
  const figures = plots.map(
    (plot) => `<figure id="${plot.name}"><div class="plot" data-spec="spec-${plot.name}"></div>
<figcaption class="caption">${escapeHtml(plot.caption)}</figcaption>
<script type="application/json" id="spec-${plot.name}">${scriptJson(plot.spec)}</script></figure>`,
  );
  return `<section id="plots"><h2>Plots</h2>
${figures.join('\n')}
</section>`;
}

const EMBED_SCRIPT = `
for (const el of document.querySelectorAll('.plot[data-spec]')) {
  const spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
  vegaEmbed(el, spec, ${scriptJson(EMBED_OPTIONS)}).catch((err) => {
    el.textContent = 'This plot could not be drawn: ' + err.message;
    el.classList.add('plot-error');
  });
}`;

export interface HtmlPage {
  title: string;
  generatedAt: Date;
  /** the command line that produced the page */
  command: string;
  /** HTML sections in reading order */
  sections: readonly string[];
}

/** One self-contained HTML file with the plotting bundles inlined; no network needed to read it. */
export function renderHtmlPage(page: HtmlPage): string {
  const scripts = browserBundles().map((source) => `<script>${scriptJs(source)}</script>`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>${PAGE_STYLE}</style>
${scripts.join('\n')}
</head>
<body>
<header><h1>${escapeHtml(page.title)}</h1>
<p class="meta">Generated ${escapeHtml(isoTime(Math.floor(page.generatedAt.getTime() / 1000)))} by <code>${escapeHtml(page.command)}</code></p>
</header>
${page.sections.join('\n')}
<script>${EMBED_SCRIPT}</script>
</body>
</html>
`;
}

/** The simulation report: trace summary, interactive plots and the results table. */
export function renderHtmlReport(results: readonly SimResult[], meta: ReportMeta): string {
  return renderHtmlPage({
    title: meta.title,
    generatedAt: meta.generatedAt,
    command: meta.command,
    sections: [traceSection(meta), plotsSection(reportPlots(results, meta.gap)), resultsSection(results)],
  });
}
