/** The hand-checked tiny trace and its expected rows, shared by the DuckDB and Spark tests. */
import { traceFromRequests } from '../../src/trace/builder.js';
import type { Row } from './helpers.js';

/** 2025-01-01T00:00:00Z, a Wednesday. */
export const T = Date.UTC(2025, 0, 1) / 1000;
export const H = 3600;
const D = 86_400;

/**
 * Three objects: 1 is requested twice in the same second, again exactly one hour later and
 * again exactly one day after that; 2 twice a little more than a day apart (the second time
 * tied with object 1); 3 once, with no dataset.
 */
export const tiny = traceFromRequests([
  { time: T, key: 1, size: 100, user: 'alice', dataset: 'A' },
  { time: T, key: 1, size: 100, user: 'bob', dataset: 'A' },
  { time: T, key: 2, size: 50, user: 'alice', dataset: 'B' },
  { time: T + H, key: 1, size: 100, user: 'alice', dataset: 'A' },
  { time: T + H + 100, key: 3, size: 10, user: 'carol' },
  { time: T + H + D, key: 1, size: 100, user: 'carol', dataset: 'A' },
  { time: T + H + D, key: 2, size: 50, user: 'bob', dataset: 'B' },
]);

// Belady with 150 bytes: 1 and 2 fit; 3 arrives at seq 4 and evicts 2 (next use farthest),
// so requests 1, 3 and 5 hit and request 6 misses.
// biome-ignore format: one request per line, columns as in the header comment
export const expected: Row[] = [
  //  seq request_time object_id size user_name dataset since_last count_1h count_1d count_7d count_ever dataset_count_1d distinct_users age hour dow next_gap requests_to_next reused opt_admit day
  row(0, T,           '1', 100, 'alice', 'A',  null,  0, 0, 0, 0, 0,    1, 0,     0, 2, 0,     1,    true,  true,  '2025-01-01'),
  row(1, T,           '1', 100, 'bob',   'A',  0,     1, 1, 1, 1, 1,    2, 0,     0, 2, H,     2,    true,  true,  '2025-01-01'),
  row(2, T,           '2', 50,  'alice', 'B',  null,  0, 0, 0, 0, 0,    1, 0,     0, 2, H + D, 4,    false, false, '2025-01-01'),
  // exactly an hour after seq 0 and 1, which are therefore not in its last hour; its next
  // request comes exactly a day later, which is within the one-day horizon
  row(3, T + H,       '1', 100, 'alice', 'A',  H,     0, 2, 2, 2, 2,    2, H,     1, 2, D,     2,    true,  true,  '2025-01-01'),
  row(4, T + H + 100, '3', 10,  'carol', null, null,  0, 0, 0, 0, null, 1, 0,     1, 2, null,  null, false, null,  '2025-01-01'),
  row(5, T + H + D,   '1', 100, 'carol', 'A',  D,     0, 0, 3, 3, 0,    3, H + D, 1, 3, null,  null, false, null,  '2025-01-02'),
  row(6, T + H + D,   '2', 50,  'bob',   'B',  H + D, 0, 0, 1, 1, 0,    2, H + D, 1, 3, null,  null, false, null,  '2025-01-02'),
];

function row(...v: (number | string | boolean | null)[]): Row {
  const names = ['seq', 'request_time', 'object_id', 'size', 'user_name', 'dataset', 'since_last'];
  names.push('count_1h', 'count_1d', 'count_7d', 'count_ever', 'dataset_count_1d', 'distinct_users');
  names.push(
    'age',
    'hour_of_day',
    'day_of_week',
    'next_gap',
    'requests_to_next',
    'reused',
    'opt_admit',
    'day',
  );
  const r: Row = Object.fromEntries(names.map((n, i) => [n, v[i]]));
  r.site = null;
  r.log_size = Math.log(1 + (r.size as number));
  return r;
}
