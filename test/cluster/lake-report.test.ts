import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { lakeConfig } from '../../src/cluster/config.js';
import { lakePlots, renderLakeReport } from '../../src/cluster/lake-report.js';
import { simulateLake } from '../../src/cluster/lake-sim.js';
import { lakeWindowsCsv } from '../../src/cluster/lake-table.js';
import { writePngFiles } from '../../src/report/png.js';
import { traceFromRequests } from '../../src/trace/builder.js';
import { tempPath } from '../helpers.js';

const DAY = 86_400;
const MB = 1e6;

function lakeRun(schedule: Record<string, unknown>[]) {
  const lake = lakeConfig(
    {
      sites: [
        { name: 'A', nodes: [{ id: 'a1', capacity: '100MB' }] },
        { name: 'B', nodes: [{ id: 'b1', capacity: '100MB' }] },
      ],
      distances: { A: { B: 1 } },
      schedule,
    },
    'lake.yaml',
  );
  const requests = [];
  for (let day = 0; day < 6; day++)
    for (const site of ['A', 'B'])
      for (let k = 0; k < 3; k++)
        requests.push({ time: day * DAY + k * 60, key: `f${k}`, size: 10 * MB, site });
  requests.sort((x, y) => x.time - y.time);
  return simulateLake(traceFromRequests(requests, true), lake);
}

const meta = {
  title: 'lake',
  trace: 't.csv',
  lake: 'lake.yaml',
  generatedAt: new Date(0),
  command: 'smartcache x',
};

function embeddedSpec(
  html: string,
  name: string,
): { layer: { data: { values: Record<string, unknown>[] } }[] } {
  const m = new RegExp(`<script type="application/json" id="spec-${name}">(.*?)</script>`).exec(html);
  assert.ok(m, `spec ${name} in the report`);
  return JSON.parse(m[1]);
}

test('the lake report marks every churn event on its plots and lists sites and node lifetimes', () => {
  const result = lakeRun([
    { at: '2d', leave: 'a1' },
    { at: '4d', join: 'a1' },
  ]);
  const html = renderLakeReport(result, meta);
  for (const plot of ['lake-byte-hit-ratio-over-time', 'lake-wan-over-time', 'lake-node-lifetimes']) {
    const spec = embeddedSpec(html, plot);
    const rules = spec.layer[1].data.values;
    assert.deepEqual(
      rules.map((r) => [r.time, r.label]),
      [
        [new Date(2 * DAY * 1000).toISOString(), 'leave a1'],
        [new Date(4 * DAY * 1000).toISOString(), 'join a1'],
      ],
      plot,
    );
  }
  const ratios = embeddedSpec(html, 'lake-byte-hit-ratio-over-time').layer[0].data.values;
  // day 0 is cold (3 misses per site); days 1.. hit at both sites, A's from B while a1 is away
  const siteA = ratios.filter((r) => r.site === 'A').map((r) => r.byteHitRatio);
  assert.deepEqual(siteA, [0, 1, 1, 1, 0, 1]);
  const lifetimes = embeddedSpec(html, 'lake-node-lifetimes').layer[0].data.values;
  assert.deepEqual(
    lifetimes.map((l) => [l.node, l.joined, l.left]),
    [
      ['a1', new Date(0).toISOString(), new Date(2 * DAY * 1000).toISOString()],
      ['b1', new Date(0).toISOString(), new Date((5 * DAY + 120) * 1000).toISOString()],
      ['a1', new Date(4 * DAY * 1000).toISOString(), new Date((5 * DAY + 120) * 1000).toISOString()],
    ],
  );
  assert.match(html, /<td>leave a1<\/td>/);
  assert.match(html, /<tr><td>A<\/td><td class="num">18<\/td>/);
});

test('the lake time series CSV has one row per site and window, and the total', () => {
  const csv = lakeWindowsCsv(lakeRun([]));
  const lines = csv.trimEnd().split('\r\n');
  assert.equal(lines[0].split(',')[0], 'site');
  assert.equal(lines.length, 1 + 3 * 6);
  assert.deepEqual(
    lines.filter((l) => l.startsWith('total,')).map((l) => l.split(',')[4]),
    ['0', '6', '6', '6', '6', '6'],
  );
});

/** Pixels close to the churn rule colour #b00020. */
async function churnPixels(file: string): Promise<number> {
  const png = PNG.sync.read(await readFile(file));
  let count = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
    if (Math.abs(r - 0xb0) < 24 && g < 40 && Math.abs(b - 0x20) < 24) count++;
  }
  return count;
}

test('the PNG plots draw the churn rules where the lake has churn, and none without', async () => {
  const dir = tempPath('lake-png');
  const withChurn = await writePngFiles(lakePlots(lakeRun([{ at: '2d', leave: 'a1' }])), `${dir}/churn`);
  const without = await writePngFiles(lakePlots(lakeRun([])), `${dir}/calm`);
  for (let i = 0; i < withChurn.length; i++) {
    assert.ok((await churnPixels(withChurn[i])) > 200, `${withChurn[i]} shows the churn rule`);
    assert.equal(await churnPixels(without[i]), 0, `${without[i]} has no churn rule`);
  }
});
