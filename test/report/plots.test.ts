import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'vega';
import { compile } from 'vega-lite';
import { gapRows } from '../../src/report/gap.js';
import { reportPlots } from '../../src/report/plots.js';
import { renderSvg } from '../../src/report/png.js';
import { simulate } from '../../src/sim/engine.js';
import { policySpec } from '../../src/sim/policies/index.js';
import { results, trace } from './fixture.js';

const plots = reportPlots(results);

/** A vega-lite logger that fails the test on any warning instead of printing it. */
const strictLogger = {
  level: () => strictLogger,
  error: (...args: unknown[]) => assert.fail(`vega-lite error: ${args.join(' ')}`),
  warn: (...args: unknown[]) => assert.fail(`vega-lite warning: ${args.join(' ')}`),
  info: () => strictLogger,
  debug: () => strictLogger,
};

test('there is one plot per report figure, with distinct file names', () => {
  assert.deepEqual(
    plots.map((p) => p.name),
    [
      'hit-ratio-vs-size',
      'byte-hit-ratio-vs-size',
      'hit-ratio-over-time',
      'byte-hit-ratio-over-time',
      'bytes-written-and-wan',
    ],
  );
});

for (const plot of plots) {
  test(`${plot.name} compiles to Vega without warnings and parses`, () => {
    const vega = compile(plot.spec, { logger: strictLogger }).spec;
    assert.doesNotThrow(() => parse(vega));
  });
}

test('the data of every plot is plain JSON: no Infinity turned into null', () => {
  for (const plot of plots) {
    assert.deepEqual(JSON.parse(JSON.stringify(plot.spec)), plot.spec, plot.name);
  }
});

/** Every `color` channel definition anywhere in a spec. */
function colorChannels(node: unknown): unknown[] {
  if (typeof node !== 'object' || node === null) return [];
  const own = 'color' in node ? [node.color] : [];
  return [...own, ...Object.values(node).flatMap(colorChannels)];
}

test('every plot colours policies with the same scale', () => {
  for (const plot of plots) {
    const channels = colorChannels(plot.spec);
    assert.ok(channels.length > 0, plot.name);
    for (const channel of channels) {
      assert.deepEqual(channel, {
        field: 'policy',
        type: 'nominal',
        title: 'policy',
        scale: { domain: ['fifo', 'infinite', 'lru'], scheme: 'tableau10' },
      });
    }
  }
});

test('the time plots default their cache-size menu to the smallest finite size', async () => {
  const overTime = plots.find((p) => p.name === 'hit-ratio-over-time')!;
  const svg = await renderSvg(overTime.spec);
  assert.match(svg, /Hit ratio over time at cache size 20 GB/);
});

test("an evaluation's gap rows put the learned-vs-classic-vs-Belady plot first, one point per row", () => {
  const sizes = [...new Set(results.map((r) => r.cacheSize).filter(Number.isFinite))];
  const belady = sizes.map((capacity) => simulate(trace, policySpec('belady'), { capacity }));
  // lru stands in for a learned policy, fifo is the only classic one
  const gap = gapRows([...results, ...belady], {
    isLearned: (r) => r.policy === 'lru',
    isClassic: (r) => r.policy === 'fifo',
  });
  const [first, ...rest] = reportPlots(results, gap);
  assert.equal(first.name, 'learned-vs-best-classic');
  assert.deepEqual(
    rest.map((p) => p.name),
    plots.map((p) => p.name),
  );
  const vega = compile(first.spec, { logger: strictLogger }).spec;
  assert.doesNotThrow(() => parse(vega));
  const values = (first.spec.data as { values: { series: string; byteHitRatio: number }[] }).values;
  assert.equal(values.length, gap.length);
  assert.deepEqual([...new Set(values.map((v) => v.series))].sort(), [
    'Belady (offline optimum)',
    'best classic',
    'lru',
  ]);
});
