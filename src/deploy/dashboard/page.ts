/**
 * The dashboard page: static HTML whose script loads the state from `api/state`, then follows
 * `api/events` (server-sent events) and redraws tables and Vega-Lite plots in place. The
 * plotting bundles come from the dashboard itself (`assets/`), never from a CDN. Every URL is
 * relative, so the page works under any path prefix a proxy puts in front of it.
 */
import { EMBED_OPTIONS, escapeHtml, PAGE_STYLE, scriptJson } from '../../report/html.js';

const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** A line per node over time, of one field of the `points` data. */
function overTime(field: string, title: string, axis: Record<string, unknown>) {
  return {
    $schema: VEGA_LITE_SCHEMA,
    width: 'container',
    height: 200,
    data: { name: 'points' },
    transform: [{ filter: `datum.${field} != null` }],
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'time', type: 'temporal', title: null },
      y: { field, type: 'quantitative', title, axis },
      color: { field: 'node', type: 'nominal', title: 'node', legend: { orient: 'bottom', columns: 2 } },
      tooltip: [
        { field: 'node', type: 'nominal' },
        { field: 'time', type: 'temporal', timeUnit: 'hoursminutesseconds' },
        { field, type: 'quantitative', format: axis.format },
      ],
    },
  };
}

/** The plots by element id; the page's script feeds their named data sets. */
export const DASHBOARD_PLOTS = {
  'hit-ratio': overTime('hitRatio', 'hit ratio per interval', { format: '.0%' }),
  'byte-hit-ratio': overTime('byteHitRatio', 'byte hit ratio per interval', { format: '.0%' }),
  'wan-saved': overTime('bytesHit', 'bytes from cache', { format: '.3~s' }),
  'model-scores': {
    $schema: VEGA_LITE_SCHEMA,
    width: 'container',
    height: 200,
    data: { name: 'scores' },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'round', type: 'quantitative', title: 'loop round', axis: { tickMinStep: 1, format: 'd' } },
      y: {
        field: 'byteHitRatio',
        type: 'quantitative',
        title: 'held-out byte hit ratio',
        axis: { format: '.0%' },
      },
      color: { field: 'role', type: 'nominal', title: null, legend: { orient: 'bottom' } },
      tooltip: [
        { field: 'round', type: 'quantitative' },
        { field: 'role', type: 'nominal' },
        { field: 'model', type: 'nominal' },
        { field: 'byteHitRatio', type: 'quantitative', format: '.2%' },
        { field: 'hitRatio', type: 'quantitative', format: '.2%' },
      ],
    },
  },
};

const STYLE = `${PAGE_STYLE}
body { max-width: 1300px; }
.status { color: var(--muted); }
.status.offline { color: #b00020; }
#errors { color: #b00020; margin: 0.5rem 0; padding-left: 1.2rem; }
#errors:empty { display: none; }
.summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 0.6rem; margin: 1rem 0; }
.summary div { border: 1px solid var(--rule); border-radius: 6px; padding: 0.5rem 0.8rem; }
.summary .label { color: var(--muted); font-size: 0.8rem; display: block; }
.summary .value { font-size: 1.3rem; font-variant-numeric: tabular-nums; }
.sites { display: flex; flex-wrap: wrap; gap: 1rem; }
.site { border: 1px solid #bbb; border-radius: 8px; padding: 0.5rem 0.8rem 0.8rem; min-width: 220px; }
.site h3 { margin: 0 0 0.4rem; font-size: 1rem; }
.node { border-radius: 6px; padding: 0.3rem 0.6rem; margin-top: 0.4rem; border-left: 6px solid #2e7d32; background: #f3f8f3; }
.node.draining { border-left-color: #ef6c00; background: #fdf5ec; }
.node.unreachable { border-left-color: #b00020; background: #fbeff1; }
.node .id { font-weight: 600; }
.node .detail { color: var(--muted); font-size: 0.85rem; }
.plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 1rem 2rem; }
.plot { width: 100%; }
td.bad { color: #b00020; }
`;

/** The one page; `intervalMs` only fills the text shown before the first state arrives. */
export function dashboardPage(intervalMs: number): string {
  const plots = Object.keys(DASHBOARD_PLOTS);
  const figure = (id: string, caption: string) =>
    `<figure><div class="plot" id="plot-${id}"></div><figcaption class="caption">${escapeHtml(caption)}</figcaption></figure>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>smartcache dashboard</title>
<style>${STYLE}</style>
<script src="assets/vega.js"></script>
<script src="assets/vega-lite.js"></script>
<script src="assets/vega-embed.js"></script>
</head>
<body data-plots="loading" data-updated="0">
<header><h1>smartcache dashboard</h1>
<p class="status" id="status">waiting for the first poll (every ${escapeHtml(String(intervalMs / 1000))} s)</p>
<ul id="errors"></ul>
</header>
<section id="cluster"><h2>Cluster</h2>
<div class="summary" id="summary"></div>
<div class="sites" id="sites"></div>
<h3>Nodes</h3>
<p class="caption">Counters since each node started, from its <code>/metrics</code>: requests are file opens,
WAN traffic saved is the bytes sent from the node's disk instead of fetched from the origin.</p>
<div class="scroll"><table id="nodes"><thead><tr><th>site</th><th>node</th><th>state</th>
<th class="num">requests</th><th class="num">hits</th><th class="num">hit ratio</th><th class="num">byte hit ratio</th>
<th class="num">WAN saved</th><th class="num">from origin</th></tr></thead><tbody></tbody></table></div>
</section>
<section id="traffic"><h2>Over time</h2>
<p class="caption">One point per poll and node; ratios are over the interval since the node's previous point (the first over the node's life until then).</p>
<div class="plots">
${figure('hit-ratio', 'Hit ratio: file opens the cache held.')}
${figure('byte-hit-ratio', 'Byte hit ratio: bytes sent from disk over all bytes sent.')}
${figure('wan-saved', 'WAN traffic saved: bytes served from cache since the node started.')}
</div>
</section>
<section id="models"><h2>Models</h2>
<p class="caption" id="models-source"></p>
<div class="scroll"><table id="model-versions"><thead><tr><th>model</th><th class="num">version</th><th>kind</th>
<th>format</th><th>serving</th><th>created</th><th>bundle metrics</th><th class="num">held-out hit ratio</th>
<th class="num">held-out byte hit ratio</th></tr></thead><tbody></tbody></table></div>
${figure('model-scores', 'Each loop round: the candidate model and the serving one on the latest held-out window.')}
</section>
<section id="loop"><h2>Loop history</h2>
<p class="caption" id="loop-source"></p>
<div class="scroll"><table id="loop-events"><thead><tr><th>time</th><th class="num">round</th><th>step</th><th>ok</th>
<th class="num">seconds</th><th>detail</th></tr></thead><tbody></tbody></table></div>
</section>
<script type="application/json" id="specs">${scriptJson(DASHBOARD_PLOTS)}</script>
<script>
const PLOTS = ${scriptJson(plots)};
const EMBED_OPTIONS = ${scriptJson(EMBED_OPTIONS)};
${CLIENT}
</script>
</body>
</html>
`;
}

/** The page's script (plain browser JavaScript; the tests run it in Chromium). */
const CLIENT = String.raw`
const SPECS = JSON.parse(document.getElementById('specs').textContent);
const DATA = { 'hit-ratio': 'points', 'byte-hit-ratio': 'points', 'wan-saved': 'points', 'model-scores': 'scores' };
const views = {};
let state;

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('data-') || key === 'title') node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}

function pointRows(id, points) {
  return points.map((p) => ({ node: id, time: p.time, hitRatio: p.hitRatio, byteHitRatio: p.byteHitRatio, bytesHit: p.bytesHit }));
}

function scoreRows(events) {
  const rows = [];
  for (const e of events) {
    if (e.step !== 'evaluate') continue;
    for (const role of ['candidate', 'serving']) {
      const s = e[role];
      if (s) rows.push({ round: e.round, role, model: s.model + '@' + s.version, byteHitRatio: s.byteHitRatio, hitRatio: s.hitRatio });
    }
  }
  return rows;
}

function change(plot, insert, remove) {
  const view = views[plot];
  if (!view) return;
  const set = vega.changeset().remove(remove).insert(insert.map((row) => ({ ...row })));
  view.change(DATA[plot], set).run();
}

function redrawPlots() {
  const rows = Object.entries(state.series).flatMap(([id, points]) => pointRows(id, points));
  for (const plot of ['hit-ratio', 'byte-hit-ratio', 'wan-saved']) change(plot, rows, () => true);
  change('model-scores', scoreRows(state.loop.events), () => true);
}

function time(ms) {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function renderStatus(offline) {
  const status = document.getElementById('status');
  status.classList.toggle('offline', offline);
  const every = 'every ' + state.intervalMs / 1000 + ' s from ' + state.redirector.url;
  status.textContent = (offline ? 'connection lost, reconnecting; last poll ' : 'last poll ') + time(state.updatedAt) + ', ' + every;
}

function renderErrors() {
  const errors = [];
  if (state.redirector.error) errors.push('redirector: ' + state.redirector.error);
  for (const site of state.sites) for (const n of site.nodes) if (n.error) errors.push('node ' + n.id + ': ' + n.error);
  if (state.models.error) errors.push('model service: ' + state.models.error);
  if (state.loop.error) errors.push('loop history: ' + state.loop.error);
  if (state.loop.skippedLines.length > 0) errors.push('loop history: lines ' + state.loop.skippedLines.join(', ') + ' are not whole events');
  document.getElementById('errors').replaceChildren(...errors.map((text) => el('li', {}, text)));
}

function renderCluster() {
  const nodes = state.sites.flatMap((s) => s.nodes);
  const t = state.total;
  const card = (label, value, field) => el('div', {}, el('span', { class: 'label' }, label), el('span', { class: 'value', 'data-total': field }, value));
  document.getElementById('summary').replaceChildren(
    card('sites', String(state.sites.length), 'sites'),
    card('nodes', String(nodes.length), 'nodes'),
    card('requests', t.requests, 'requests'),
    card('hit ratio', t.hitRatio, 'hitRatio'),
    card('byte hit ratio', t.byteHitRatio, 'byteHitRatio'),
    card('WAN traffic saved', t.wanSaved, 'wanSaved'),
    card('from origin', t.fromOrigin, 'fromOrigin'),
  );
  const stateOf = (n) => (n.error ? 'unreachable' : n.state);
  document.getElementById('sites').replaceChildren(
    ...state.sites.map((site) =>
      el('div', { class: 'site', 'data-site': site.name }, el('h3', {}, site.name),
        ...site.nodes.map((n) =>
          el('div', { class: 'node ' + stateOf(n), 'data-node': n.id },
            el('div', { class: 'id' }, n.id),
            el('div', { class: 'detail' }, stateOf(n) + (n.shown ? ' · ' + n.shown.hitRatio + ' hits · ' + n.shown.wanSaved + ' saved' : '')),
            el('div', { class: 'detail' }, n.url))))),
  );
  const fields = ['requests', 'hits', 'hitRatio', 'byteHitRatio', 'wanSaved', 'fromOrigin'];
  document.querySelector('#nodes tbody').replaceChildren(
    ...nodes.map((n) =>
      el('tr', { 'data-node': n.id },
        el('td', {}, n.site), el('td', { title: n.url }, n.id),
        el('td', { 'data-field': 'state', class: n.error ? 'bad' : '' }, stateOf(n)),
        ...fields.map((f) => el('td', { class: 'num', 'data-field': f }, n.shown ? n.shown[f] : '')))),
  );
}

function renderModels() {
  const m = state.models;
  document.getElementById('models-source').textContent = m.url ? 'from ' + m.url : 'no model service given (--model-url)';
  const percent = (x) => (x === undefined ? '' : (x * 100).toFixed(1) + '%');
  document.querySelector('#model-versions tbody').replaceChildren(
    ...m.versions.map((v) =>
      el('tr', { 'data-model': v.name + '@' + v.version },
        el('td', {}, v.name), el('td', { class: 'num' }, String(v.version)), el('td', {}, v.kind), el('td', {}, v.format),
        el('td', { 'data-field': 'serving' }, v.serving ? 'serving' : ''), el('td', {}, v.createdAt || ''),
        el('td', {}, Object.entries(v.metrics).map(([k, x]) => k + ' ' + x).join(', ')),
        el('td', { class: 'num' }, percent(v.evaluation && v.evaluation.hitRatio)),
        el('td', { class: 'num', title: v.evaluation ? 'round ' + v.evaluation.round : '' }, percent(v.evaluation && v.evaluation.byteHitRatio)))),
  );
}

function loopRow(e) {
  return el('tr', { 'data-round': String(e.round), 'data-step': e.step },
    el('td', {}, e.time), el('td', { class: 'num' }, String(e.round)), el('td', {}, e.step),
    el('td', { class: e.ok ? '' : 'bad' }, e.ok ? 'ok' : 'failed'), el('td', { class: 'num' }, e.seconds.toFixed(1)),
    el('td', { 'data-field': 'detail' }, e.detail));
}

function renderLoop() {
  const l = state.loop;
  document.getElementById('loop-source').textContent = l.file ? l.events.length + ' steps from ' + l.file + ', newest first' : 'no loop history given (--loop-history)';
  document.querySelector('#loop-events tbody').replaceChildren(...l.events.map(loopRow).reverse());
}

function render() {
  renderStatus(false);
  renderErrors();
  renderCluster();
  renderModels();
  renderLoop();
  document.body.dataset.updated = String(state.updatedAt);
}

function applyUpdate(u) {
  const { points, loop, ...rest } = u;
  const cutoff = u.updatedAt - u.pointsKept * u.intervalMs;
  for (const [id, point] of Object.entries(points)) {
    const series = (state.series[id] = state.series[id] || []);
    series.push(point);
    if (series.length > u.pointsKept) series.splice(0, series.length - u.pointsKept);
  }
  for (const id of Object.keys(state.series)) if (state.series[id].at(-1).time < cutoff) delete state.series[id];
  const rows = Object.entries(points).flatMap(([id, p]) => pointRows(id, [p]));
  for (const plot of ['hit-ratio', 'byte-hit-ratio', 'wan-saved']) change(plot, rows, (d) => d.time < cutoff);
  const known = state.loop.events.length;
  const events = loop.from === known ? state.loop.events.concat(loop.events) : loop.from === 0 ? loop.events : undefined;
  state = { ...state, ...rest, loop: { ...loop, events: events || state.loop.events } };
  if (!events) return resync();
  if (loop.events.length > 0 || loop.from === 0) change('model-scores', scoreRows(state.loop.events), () => true);
  render();
}

async function resync() {
  state = await (await fetch('api/state')).json();
  render();
  redrawPlots();
}

const plotsReady = Promise.all(PLOTS.map((plot) =>
  vegaEmbed('#plot-' + plot, SPECS[plot], EMBED_OPTIONS).then((result) => { views[plot] = result.view; })));
plotsReady.then(() => { document.body.dataset.plots = 'ready'; if (state) redrawPlots(); },
  (err) => { document.body.dataset.plots = 'failed: ' + err.message; });

const events = new EventSource('api/events');
events.addEventListener('snapshot', (message) => {
  state = JSON.parse(message.data);
  render();
  redrawPlots();
});
events.addEventListener('update', (message) => { if (state) applyUpdate(JSON.parse(message.data)); });
events.addEventListener('error', () => { if (state) renderStatus(true); });
`;
