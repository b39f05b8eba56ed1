import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTraceStats } from '../../src/report/stats-text.js';
import { traceFromRequests } from '../../src/trace/builder.js';
import { inspectTrace } from '../../src/trace/inspect.js';

const trace = traceFromRequests(
  ['A', 'B', 'A', 'A'].map((key, i) => ({
    time: 1735689600 + 3600 * i,
    key,
    size: 1.9e9,
    site: 'T2_IT_Pisa',
  })),
  true,
);

test('trace statistics as aligned text with humanised bytes', () => {
  const text = formatTraceStats(inspectTrace(trace));
  assert.match(text, /^requests {9}4$/m);
  assert.match(text, /^bytes requested {2}7\.6 GB$/m);
  assert.match(text, /^unique bytes {5}3\.8 GB$/m);
  assert.match(text, /^time span {8}2025-01-01T00:00:00Z \.\. 2025-01-01T03:00:00Z \(0\.1 days\)$/m);
  assert.match(text, /^one-hit wonders {2}50\.0%$/m);
  assert.match(text, /^ {2}cold misses {2}2$/m);
  assert.match(text, /^ {2}0 {12}1 {2}50\.0%$/m);
  assert.match(text, /^top sites\n {2}T2_IT_Pisa {2}4 {2}100\.0% {2}7\.6 GB$/m);
  assert.doesNotMatch(text, /top users/);
});
