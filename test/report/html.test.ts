import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ReportMeta, renderHtmlReport } from '../../src/report/html.js';
import { reportPlots } from '../../src/report/plots.js';
import { results, trace } from './fixture.js';

const meta: ReportMeta = {
  title: 'LRU vs FIFO on a generated trace',
  trace: {
    name: 'generated',
    requests: trace.length,
    objects: trace.objectCount,
    uniqueBytes: 1.07e12,
    span: 431_000,
  },
  generatedAt: new Date(Date.UTC(2024, 5, 1, 12, 0, 0, 250)),
  command: 'smartcache sim --size 20GB,60GB,200GB "trace <2024>.csv"',
};

const html = renderHtmlReport(results, meta);

const SCRIPT_ELEMENT = /<script\b([^>]*)>([\s\S]*?)<\/script>/gi;

/** The page's markup with every script body removed, so strings inside the bundles are not mistaken for tags. */
function markupOutsideScripts(page: string): string {
  return page.replace(SCRIPT_ELEMENT, '<script$1></script>');
}

function jsonScripts(page: string): Map<string, string> {
  const blobs = new Map<string, string>();
  for (const [, attributes, body] of page.matchAll(SCRIPT_ELEMENT)) {
    const id = /type="application\/json" id="([^"]+)"/.exec(attributes)?.[1];
    if (id) blobs.set(id, body);
  }
  return blobs;
}

test('the report loads nothing from the network', () => {
  const markup = markupOutsideScripts(html);
  assert.doesNotMatch(markup, /<(script|link|img|iframe|source)\b[^>]*\b(src|href)\s*=/i);
  assert.doesNotMatch(markup, /\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
});

test('the Vega, Vega-Lite and Vega-Embed bundles are inlined, then one script draws the plots', () => {
  const bodies = [...html.matchAll(SCRIPT_ELEMENT)]
    .filter(([, attributes]) => !attributes.includes('application/json'))
    .map(([, , body]) => body);
  assert.equal(bodies.length, 4);
  assert.match(bodies[0], /\.vega=\{\}/);
  assert.match(bodies[1], /\.vegaLite=\{\}/);
  assert.match(bodies[2], /\.vegaEmbed=/);
  assert.match(bodies[3], /vegaEmbed\(/);
  for (const body of bodies) assert.ok(body.length > 0);
});

test('every plot spec is embedded as JSON next to its container', () => {
  const blobs = jsonScripts(html);
  for (const plot of reportPlots(results)) {
    const blob = blobs.get(`spec-${plot.name}`);
    assert.ok(blob, plot.name);
    assert.deepEqual(JSON.parse(blob), plot.spec);
    assert.ok(html.includes(`data-spec="spec-${plot.name}"`));
  }
});

test('the results table and the trace summary are in the page', () => {
  const markup = markupOutsideScripts(html);
  assert.equal(markup.match(/<tbody>[\s\S]*<\/tbody>/)?.[0].match(/<tr>/g)?.length, results.length);
  assert.match(markup, /<th scope="col">policy<\/th>/);
  assert.match(markup, /<th scope="col" class="num">byte hit ratio<\/th>/);
  assert.match(markup, /<dt>unique bytes<\/dt><dd>1.07 TB<\/dd>/);
  assert.match(markup, /<dt>time span<\/dt><dd>4.99 days<\/dd>/);
  assert.match(markup, /Generated 2024-06-01T12:00:00Z/);
  assert.match(
    markup,
    /<code>smartcache sim --size 20GB,60GB,200GB &quot;trace &lt;2024&gt;.csv&quot;<\/code>/,
  );
});

test('text from results cannot close a script or inject markup', () => {
  const hostile = '</script><script>alert(1)</script>';
  const page = renderHtmlReport(
    results.map((r) => ({ ...r, policy: r.policy === 'lru' ? hostile : r.policy })),
    { ...meta, title: hostile },
  );
  const markup = markupOutsideScripts(page);
  assert.doesNotMatch(markup, /alert\(1\)<\/script>/);
  assert.match(markup, /<td>&lt;\/script&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/td>/);
  const spec = JSON.parse(jsonScripts(page).get('spec-hit-ratio-vs-size')!);
  assert.ok(JSON.stringify(spec).includes(hostile));
});
