/** Prometheus metrics of a cache node (its own registry, so several nodes can share a process). */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export type Outcome = 'hit' | 'miss' | 'bypass';

/** Metric names that readers of /metrics (the dashboard) sum, labelled `decision` and `outcome`. */
export const FILE_OPENS_METRIC = 'smartcache_cache_file_opens_total';
export const BYTES_SENT_METRIC = 'smartcache_cache_bytes_total';

export class CacheMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'smartcache_cache_requests_total',
    help: 'file requests by method and status code',
    labelNames: ['method', 'status'] as const,
    registers: [this.registry],
  });
  readonly opens = new Counter({
    name: FILE_OPENS_METRIC,
    help: "file opens (GETs) by the policy's decision: hit, admit, bypass",
    labelNames: ['decision'] as const,
    registers: [this.registry],
  });
  readonly bytes = new Counter({
    name: BYTES_SENT_METRIC,
    help: 'bytes sent to clients by where they came from: hit (disk), miss (origin, stored), bypass (origin, not stored)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly written = new Counter({
    name: 'smartcache_cache_written_bytes_total',
    help: 'bytes of blocks written to disk',
    registers: [this.registry],
  });
  readonly originLatency = new Histogram({
    name: 'smartcache_cache_origin_duration_seconds',
    help: "time to the origin's answer to a block or file request",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly originErrors = new Counter({
    name: 'smartcache_cache_origin_errors_total',
    help: 'origin failures by kind (down, timeout, bad-response, status, changed)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly evictions = new Counter({
    name: 'smartcache_cache_evictions_total',
    help: 'files removed, by reason: policy, changed (at the origin), admin',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly checksumErrors = new Counter({
    name: 'smartcache_cache_checksum_errors_total',
    help: 'stored blocks that failed their checksum (or were lost) when read; each was dropped and fetched again',
    registers: [this.registry],
  });

  readonly modelDecisions = new Counter({
    name: 'smartcache_cache_model_decisions_total',
    help: 'admissions decided by the model service (source=model) or, when it could not answer, by the fallback',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly modelLatency = new Histogram({
    name: 'smartcache_cache_model_duration_seconds',
    help: 'time of one batch sent to the model service, answered or failed',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1],
    registers: [this.registry],
  });

  readonly modelVersion = new Gauge({
    name: 'smartcache_cache_model_version',
    help: "version of the model that answered the model service's latest batch (absent before one did)",
    registers: [this.registry],
  });

  constructor(disk: () => { bytes: number; files: number }) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'smartcache_cache_disk_bytes',
      help: 'bytes of the blocks present on disk',
      registers: [this.registry],
      collect() {
        this.set(disk().bytes);
      },
    });
    new Gauge({
      name: 'smartcache_cache_files',
      help: 'files in the cache',
      registers: [this.registry],
      collect() {
        this.set(disk().files);
      },
    });
  }
}
