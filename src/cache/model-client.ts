/**
 * A cache node's client of the model service: requests that arrive within a short window
 * are scored in one binary `POST /v1/decide` (rows of the prep features, X-Features naming
 * them), with a timeout. A slow, dead or refusing service never fails a client request:
 * every row of a failed batch gets the declared fallback, and the reason is reported.
 * Each batch goes to the service's default model (or the one named), so a new default
 * version is picked up with no restart.
 */
import { FEATURE_NAMES } from '../prep/schema.js';
import { FEATURES_HEADER } from '../serve/routes/decide.js';

/** What the node does when the service cannot answer: store the file, or only pass it through. */
export type ModelFallback = 'admit' | 'bypass';

export interface ModelClientOptions {
  /** the service's base URL, e.g. http://127.0.0.1:8083 */
  url: string;
  /** model name (or name@version); the service's default model when absent */
  model?: string;
  /** time for one batch, in milliseconds */
  timeoutMs: number;
  fallback: ModelFallback;
  /** how long the first row of a batch waits for others, in milliseconds (default 1) */
  batchWindowMs?: number;
  /** rows per batch at most (default 1024) */
  maxBatch?: number;
  /** bearer token for the service */
  token?: string;
}

export interface ModelAnswer {
  /** the model's decision, or the fallback's */
  readonly admit: boolean;
  /** the model's score; NaN under the fallback */
  readonly score: number;
  /** the model version that answered; absent under the fallback */
  readonly version?: number;
  /** why the fallback decided (timeout, connection refused, HTTP status); absent when the model did */
  readonly fallbackReason?: string;
}

/** Told once per batch: how many rows, how long it took, and why it fell back (if it did). */
export type BatchListener = (rows: number, seconds: number, fallbackReason?: string) => void;

interface Pending {
  row: Float32Array;
  resolve: (answer: ModelAnswer) => void;
}

export class ModelClient {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly endpoint: string;
  private readonly headers: Record<string, string>;

  constructor(
    private readonly options: ModelClientOptions,
    private readonly onBatch?: BatchListener,
  ) {
    const url = new URL('v1/decide', options.url.endsWith('/') ? options.url : `${options.url}/`);
    if (options.model !== undefined) url.searchParams.set('model', options.model);
    this.endpoint = url.toString();
    this.headers = {
      'content-type': 'application/octet-stream',
      [FEATURES_HEADER]: FEATURE_NAMES.join(','),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    };
  }

  /** Scores one row of FEATURE_NAMES values (NaN for NULL); never rejects. */
  decide(row: Float32Array): Promise<ModelAnswer> {
    if (row.length !== FEATURE_NAMES.length) {
      throw new RangeError(`a row holds ${FEATURE_NAMES.length} features, got ${row.length}`);
    }
    return new Promise((resolve) => {
      this.pending.push({ row, resolve });
      if (this.pending.length >= (this.options.maxBatch ?? 1024)) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.batchWindowMs ?? 1);
    });
  }

  /** Answers what is waiting with the fallback; for shutdown. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.fallBack(this.pending.splice(0), 'the node is shutting down');
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0);
    if (batch.length > 0) void this.send(batch);
  }

  private async send(batch: Pending[]): Promise<void> {
    const started = performance.now();
    const width = FEATURE_NAMES.length;
    const body = new Float32Array(batch.length * width);
    for (let r = 0; r < batch.length; r++) body.set(batch[r].row, r * width);
    let reason: string | undefined;
    try {
      const response = await fetch(this.endpoint, {
        method: 'POST',
        headers: this.headers,
        body: new Uint8Array(body.buffer),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const bytes = new Uint8Array(await response.arrayBuffer());
      reason = response.ok ? this.answer(batch, bytes, response.headers) : statusReason(response, bytes);
    } catch (err) {
      reason = failureReason(err, this.options.timeoutMs);
    }
    if (reason !== undefined) this.fallBack(batch, reason);
    this.onBatch?.(batch.length, (performance.now() - started) / 1000, reason);
  }

  /** Resolves the batch from a binary answer; returns a reason when the answer is not one. */
  private answer(batch: Pending[], bytes: Uint8Array, headers: Headers): string | undefined {
    const rows = batch.length;
    if (bytes.byteLength !== rows * 5) {
      return `the service answered ${bytes.byteLength} bytes for ${rows} rows (expected ${rows * 5})`;
    }
    const scores = new Float32Array(bytes.slice(0, rows * 4).buffer);
    const version = Number(headers.get('x-model-version'));
    for (let r = 0; r < rows; r++) {
      batch[r].resolve({
        admit: bytes[rows * 4 + r] === 1,
        score: scores[r],
        version: Number.isInteger(version) ? version : undefined,
      });
    }
    return undefined;
  }

  private fallBack(batch: Pending[], reason: string): void {
    const admit = this.options.fallback === 'admit';
    for (const p of batch) p.resolve({ admit, score: Number.NaN, fallbackReason: reason });
  }
}

function statusReason(response: Response, bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes.subarray(0, 300));
  let message = text;
  try {
    const parsed = JSON.parse(text) as { error?: string; message?: string };
    message = parsed.message ?? parsed.error ?? text;
  } catch {
    // a body that is not JSON is reported as it came
  }
  return `the service answered ${response.status}: ${message}`;
}

function failureReason(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer from the service within ${timeoutMs} ms`;
  if (e.cause?.code) return `the service is unreachable (${e.cause.code})`;
  return `the service call failed: ${e.message}`;
}
