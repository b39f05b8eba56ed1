import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resultsTable, TABLE_COLUMNS, windowsCsv } from '../../src/report/table.js';
import { DAYS, results, SIZES } from './fixture.js';

const lines = resultsTable(results).trimEnd().split('\n');
const [header, rule, ...body] = lines;

/** Start and end offsets of each column, read from the dashes under the header. */
function columnSpans(): [number, number][] {
  return [...rule.matchAll(/-+/g)].map((m) => [m.index, m.index + m[0].length]);
}

test('the text table has a header, a rule and one line per run', () => {
  assert.equal(body.length, results.length);
  assert.equal(columnSpans().length, TABLE_COLUMNS.length);
  for (const column of TABLE_COLUMNS) assert.ok(header.includes(column.header), column.header);
});

test('numbers are right-aligned and the policy left-aligned under their headers', () => {
  const spans = columnSpans();
  for (const line of [header, ...body]) {
    const [policyStart] = spans[0];
    assert.notEqual(line[policyStart], ' ', line);
    for (const [, end] of spans.slice(1))
      assert.notEqual(line[end - 1], ' ', `column ending at ${end}: ${line}`);
  }
});

test('rows are sorted by cache size, then byte hit ratio descending', () => {
  const sizeColumn = columnSpans()[1];
  const sizes = body.map((line) => line.slice(...sizeColumn).trim());
  assert.deepEqual(sizes, ['20 GB', '20 GB', '60 GB', '60 GB', '200 GB', '200 GB', 'inf']);
  const ratioColumn = columnSpans()[4];
  for (let i = 0; i < body.length - 1; i += 2) {
    const first = Number.parseFloat(body[i].slice(...ratioColumn));
    const second = Number.parseFloat(body[i + 1].slice(...ratioColumn));
    assert.ok(first >= second, `${body[i]}\n${body[i + 1]}`);
  }
});

test('the unbounded baseline shows no per-cache-byte scores', () => {
  assert.match(body.at(-1)!, /^infinite .* n\/a +n\/a$/);
});

function parseCsv(text: string): string[][] {
  return text
    .trimEnd()
    .split('\r\n')
    .map((line) => line.split(','));
}

test('windowsCsv has one row per run and window with every column', () => {
  const [columns, ...rows] = parseCsv(windowsCsv(results));
  assert.deepEqual(columns, [
    'policy',
    'cache_size',
    'window_start',
    'window_start_unix',
    'requests',
    'hits',
    'hit_ratio',
    'bytes_requested',
    'bytes_hit',
    'byte_hit_ratio',
    'bytes_written',
    'bytes_evicted',
    'wan_bytes',
    'redirected',
    'occupancy',
  ]);
  assert.equal(rows.length, results.length * DAYS);
  assert.ok(rows.every((row) => row.length === columns.length));
  assert.deepEqual(rows[0].slice(0, 4), ['lru', String(SIZES[0]), '2024-01-01T00:00:00Z', '1704067200']);
  assert.equal(rows.at(-1)![1], 'inf');
});

test('windowsCsv sums back to the whole-run counters', () => {
  const [columns, ...rows] = parseCsv(windowsCsv(results));
  const hits = columns.indexOf('hits');
  const lruSmall = rows.filter((row) => row[0] === 'lru' && row[1] === String(SIZES[0]));
  const run = results.find((r) => r.policy === 'lru' && r.cacheSize === SIZES[0])!;
  assert.equal(
    lruSmall.reduce((sum, row) => sum + Number(row[hits]), 0),
    run.hits,
  );
});
