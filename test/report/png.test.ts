import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { PNG } from 'pngjs';
import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import { HEIGHT, type ReportPlot, reportPlots } from '../../src/report/plots.js';
import { writePngFiles, writePngPlots } from '../../src/report/png.js';
import { results } from './fixture.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** png.ts renders at two pixels per CSS pixel of the spec. */
const SCALE = 2;

const dir = await mkdtemp(join(tmpdir(), 'smartcache-png-'));
after(() => rm(dir, { recursive: true, force: true }));

/** Width and height from the IHDR chunk, which PNG requires to come first. */
function pngSize(png: Buffer): { width: number; height: number } {
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

test('writePngPlots writes one sensible PNG per plot', async () => {
  const paths = await writePngPlots(results, join(dir, 'plots'));
  assert.deepEqual(paths.map((p) => basename(p)).sort(), [
    'byte-hit-ratio-over-time.png',
    'byte-hit-ratio-vs-size.png',
    'bytes-written-and-wan.png',
    'hit-ratio-over-time.png',
    'hit-ratio-vs-size.png',
  ]);
  for (const path of paths) {
    const png = await readFile(path);
    assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE, path);
    const { width, height } = pngSize(png);
    assert.ok(width >= 1000 && width <= 2400, `${path} width ${width}`);
    assert.ok(height >= 600 && height <= 1600, `${path} height ${height}`);
  }
});

/** A data point as the plot should draw it: the policy's colour at the scales' position. */
interface Mark {
  policy: string;
  x: number;
  value: number;
  /** horizontal search distance in CSS pixels, for dashed strokes that may have a gap at x */
  reach: number;
}

/** The rendered PNG with the plot's scales, which map data to CSS pixels of its plot area. */
async function rendered(plot: ReportPlot) {
  const [path] = await writePngFiles([plot], join(dir, plot.name));
  const png = PNG.sync.read(await readFile(path));
  const view = new View(parse(compile(plot.spec).spec), { renderer: 'none' });
  await view.runAsync();
  const [originX, originY] = view.origin();
  const padding = view.padding();
  const [left, top] =
    typeof padding === 'number' ? [padding, padding] : [padding.left ?? 0, padding.top ?? 0];
  const x = view.scale('x');
  const y = view.scale('y');
  const colour = view.scale('color');
  view.finalize();
  const rgb = (policy: string) => {
    const hex = String(colour(policy));
    return [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  };
  const near = (at: number, [r, g, b]: number[]) =>
    Math.abs(png.data[at] - r) + Math.abs(png.data[at + 1] - g) + Math.abs(png.data[at + 2] - b) < 30;
  /** Whether a pixel of the policy's colour lies within one pixel of where the data puts the mark. */
  const drawn = (mark: Mark) => {
    const centreX = Math.round(SCALE * (left + originX + x(mark.x)));
    const centreY = Math.round(SCALE * (top + originY + y(mark.value)));
    const reach = Math.max(1, SCALE * mark.reach);
    const expected = rgb(mark.policy);
    for (let py = centreY - 1; py <= centreY + 1; py++) {
      for (let px = centreX - reach; px <= centreX + reach; px++) {
        if (near((py * png.width + px) * 4, expected)) return true;
      }
    }
    return false;
  };
  const pixelsOf = (policy: string) => {
    const expected = rgb(policy);
    let count = 0;
    for (let at = 0; at < png.data.length; at += 4) if (near(at, expected)) count++;
    return count;
  };
  return { drawn, pixelsOf, x, y };
}

/** Marks closer than this (in CSS pixels) to another policy's may be covered by it, and are not checked. */
const OVERLAP = 5;

function assertMarksDrawn(plot: ReportPlot, view: Awaited<ReturnType<typeof rendered>>, marks: Mark[]) {
  // the scales come from the spec under test, so check their direction independently
  assert.equal(view.y(0), HEIGHT, `${plot.name}: a ratio of 0 sits on the bottom edge`);
  assert.ok(view.y(0.5) < view.y(0), `${plot.name}: higher ratios are drawn higher up`);
  const xs = [...new Set(marks.map((m) => m.x))].sort((a, b) => a - b);
  assert.ok(view.x(xs[0]) < view.x(xs[xs.length - 1]), `${plot.name}: larger x is drawn further right`);
  const checked = marks.filter(
    (m) =>
      !marks.some(
        (o) => o.policy !== m.policy && o.x === m.x && Math.abs(view.y(o.value) - view.y(m.value)) < OVERLAP,
      ),
  );
  for (const policy of new Set(marks.map((m) => m.policy))) {
    const own = checked.filter((m) => m.policy === policy).length;
    assert.ok(own >= 2, `${plot.name}: ${own} marks of ${policy} stand apart from the others`);
  }
  for (const mark of checked) {
    assert.ok(view.drawn(mark), `${plot.name}: ${mark.policy} at ${mark.x} = ${mark.value} is drawn`);
  }
}

const field = (plot: ReportPlot): 'hitRatio' | 'byteHitRatio' =>
  plot.name.startsWith('byte-') ? 'byteHitRatio' : 'hitRatio';
const finite = results.filter((r) => Number.isFinite(r.cacheSize));
const unbounded = results.find((r) => !Number.isFinite(r.cacheSize))!;

for (const plot of reportPlots(results).filter((p) => p.name.endsWith('-vs-size'))) {
  test(`${plot.name}.png draws each run where its ratio and cache size put it`, async () => {
    const view = await rendered(plot);
    const marks: Mark[] = [
      ...finite.map((r) => ({ policy: r.policy, x: r.cacheSize, value: r[field(plot)], reach: 0 })),
      // the unbounded cache is a dashed rule across the plot
      ...finite.map((r) => ({
        policy: 'infinite',
        x: r.cacheSize,
        value: unbounded[field(plot)],
        reach: 10,
      })),
    ];
    assertMarksDrawn(plot, view, marks);
  });
}

// FIFO and LRU windows at the smallest cache lie too close to tell apart; FIFO alone stands clear
const fifoAndUnbounded = results.filter((r) => r.policy !== 'lru');

for (const plot of reportPlots(fifoAndUnbounded).filter((p) => p.name.endsWith('-over-time'))) {
  test(`${plot.name}.png draws each window of the smallest cache and the unbounded one`, async () => {
    const view = await rendered(plot);
    const smallest = Math.min(...finite.map((r) => r.cacheSize));
    const shown = fifoAndUnbounded.filter((r) => r.cacheSize === smallest || r === unbounded);
    const marks = shown.flatMap((r) =>
      r.windows.map((w) => ({ policy: r.policy, x: w.start * 1000, value: w[field(plot)], reach: 0 })),
    );
    assertMarksDrawn(plot, view, marks);
  });
}

test('bytes-written-and-wan.png has bars in the colour of every policy', async () => {
  const plot = reportPlots(results).find((p) => p.name === 'bytes-written-and-wan')!;
  const view = await rendered(plot);
  for (const policy of ['fifo', 'infinite', 'lru']) {
    const pixels = view.pixelsOf(policy);
    assert.ok(pixels > 500, `${policy} has ${pixels} pixels`);
  }
});
