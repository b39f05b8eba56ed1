/** Prometheus metrics of one service instance (its own registry, so several apps can share a process). */
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'smartcache_http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'smartcache_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['route'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [this.registry],
  });
  readonly batchRows = new Histogram({
    name: 'smartcache_decide_batch_rows',
    help: 'rows per /v1/decide batch',
    buckets: [1, 10, 100, 1000, 10_000, 100_000, 1_000_000],
    registers: [this.registry],
  });
  readonly predictions = new Counter({
    name: 'smartcache_model_rows_total',
    help: 'rows scored per model and version',
    labelNames: ['model', 'version'] as const,
    registers: [this.registry],
  });
  /** requests per route since start, for /status */
  readonly counts = new Map<string, number>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  observe(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method, status });
    this.latency.observe({ route }, seconds);
    const key = `${method} ${route}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  scored(model: string, version: number, rows: number): void {
    this.predictions.inc({ model, version }, rows);
  }
}
