import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { MetricsParseError, parseMetrics, sumOf } from '../../src/deploy/dashboard/prometheus.js';
import { nextPoint, nodeTotals, showTotals } from '../../src/deploy/dashboard/state.js';

describe('the Prometheus text parser', () => {
  it('reads what prom-client writes, labels escaped as it escapes them', async () => {
    const registry = new Registry();
    const counter = new Counter({
      name: 'demo_total',
      help: 'a "quoted" help\nover two lines',
      labelNames: ['path'] as const,
      registers: [registry],
    });
    counter.inc({ path: 'a "b"\\c\nd' }, 3);
    counter.inc({ path: 'plain' }, 0.5);
    const samples = parseMetrics(await registry.metrics(), 'test');
    assert.deepEqual(samples, [
      { name: 'demo_total', labels: { path: 'a "b"\\c\nd' }, value: 3 },
      { name: 'demo_total', labels: { path: 'plain' }, value: 0.5 },
    ]);
    assert.equal(sumOf(samples, 'demo_total'), 3.5);
    assert.equal(sumOf(samples, 'demo_total', { path: 'plain' }), 0.5);
    assert.equal(sumOf(samples, 'other_total'), 0);
  });

  it('reads special values, exponents, timestamps and empty label sets', () => {
    const text = 'a NaN\nb +Inf\nc -Inf 1700000000000\nd{} 1.5e3\n  # a comment\n\ne{x="1",} 2\n';
    const values = parseMetrics(text, 'test').map((s) => [s.name, s.value, s.labels]);
    assert.deepEqual(values, [
      ['a', Number.NaN, {}],
      ['b', Number.POSITIVE_INFINITY, {}],
      ['c', Number.NEGATIVE_INFINITY, {}],
      ['d', 1500, {}],
      ['e', 2, { x: '1' }],
    ]);
  });

  it('names the source, line and fault of text that is not the format', () => {
    for (const [text, reason] of [
      ['ok 1\n{x="1"} 2', /line 2: expected a metric name/],
      ['m{x="1} 2', /line 1: label x has no closing quote/],
      ['m{x="\\t"} 2', /line 1: unknown escape \\t in label x/],
      ['m{x=1} 2', /line 1: expected ="value" after label x/],
      ['m{x="1" y="2"} 2', /line 1: expected , or } after label x/],
      ['m twelve', /line 1: "twelve" is not a sample value/],
      ['m{x="1"}', /line 1: "" is not a sample value/],
      ['m 1 2 3', /line 1: expected at most a value and an integer timestamp/],
      ['m 1 soon', /line 1: expected at most a value and an integer timestamp/],
    ] as const) {
      assert.throws(
        () => parseMetrics(text, 'http://node/metrics'),
        (err: Error) =>
          err instanceof MetricsParseError &&
          /^http:\/\/node\/metrics, /.test(err.message) &&
          reason.test(err.message),
        text,
      );
    }
  });
});

describe("a node's points", () => {
  const samples = (hit: number, admit: number, bytesHit: number, bytesMiss: number) =>
    parseMetrics(
      `smartcache_cache_file_opens_total{decision="hit"} ${hit}
smartcache_cache_file_opens_total{decision="admit"} ${admit}
smartcache_cache_file_opens_total{decision="bypass"} 1
smartcache_cache_bytes_total{outcome="hit"} ${bytesHit}
smartcache_cache_bytes_total{outcome="miss"} ${bytesMiss}
smartcache_cache_bytes_total{outcome="bypass"} 100
smartcache_cache_requests_total{method="GET",status="200"} 999
`,
      'test',
    );

  it('counts opens of every decision and bytes from the origin stored or not', () => {
    assert.deepEqual(nodeTotals(samples(3, 4, 3000, 500)), {
      opens: 8,
      hits: 3,
      bytesHit: 3000,
      bytesOrigin: 600,
    });
  });

  it('gives the ratios of the interval since the previous point, null for an idle one', () => {
    const first = nextPoint(nodeTotals(samples(1, 2, 1000, 900)), 1000);
    assert.equal(first.hitRatio, 1 / 4);
    assert.equal(first.byteHitRatio, 1000 / 2000);
    const second = nextPoint(nodeTotals(samples(5, 2, 3000, 900)), 2000, first);
    assert.equal(second.hitRatio, 1);
    assert.equal(second.byteHitRatio, 1);
    const idle = nextPoint(nodeTotals(samples(5, 2, 3000, 900)), 3000, second);
    assert.equal(idle.hitRatio, null);
    assert.equal(idle.byteHitRatio, null);
  });

  it('starts over when the counters go back (the node restarted)', () => {
    const before = nextPoint(nodeTotals(samples(50, 50, 9000, 9000)), 1000);
    const after = nextPoint(nodeTotals(samples(1, 0, 10, 0)), 2000, before);
    assert.equal(after.hitRatio, 1 / 2);
    assert.equal(after.byteHitRatio, 10 / 110);
  });

  it('shows exact counts and formatted bytes and ratios', () => {
    assert.deepEqual(showTotals({ opens: 12_345, hits: 6000, bytesHit: 1_500_000, bytesOrigin: 500_000 }), {
      requests: '12,345',
      hits: '6,000',
      hitRatio: '48.6%',
      byteHitRatio: '75.0%',
      wanSaved: '1.5 MB',
      fromOrigin: '500 kB',
    });
    assert.equal(showTotals({ opens: 0, hits: 0, bytesHit: 0, bytesOrigin: 0 }).hitRatio, 'n/a');
  });
});
