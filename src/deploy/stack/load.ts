/**
 * The stack's synthetic client load: the generated workload's requests, in order, through the
 * redirector with the cluster client (`smartcache get`'s library: redirect, Link alternatives,
 * resumed ranges), at a fixed start rate with a bounded number in flight. It ends after
 * `requests` downloads (the workload repeats when it is shorter) or when stopped.
 */
import { Writable } from 'node:stream';
import { getFile } from '../../cluster/client.js';
import { fileUrl } from '../../common/paths.js';
import type { StackLoad } from './config.js';
import type { LoadState } from './state.js';
import type { LoadRequest } from './workload.js';

export interface LoadOptions extends StackLoad {
  redirector: string;
  workload: readonly LoadRequest[];
  signal: AbortSignal;
  /** told after every finished request */
  onProgress?: (state: LoadState) => void;
}

const discard = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

/** Runs the load; resolves with its counts once every started request ended. */
export async function runLoad(options: LoadOptions): Promise<LoadState> {
  const state: LoadState = { requests: options.requests, sent: 0, ok: 0, failed: 0, bytes: 0, done: false };
  const started = performance.now();
  let next = 0;
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || options.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', done);
        resolve();
      }
      options.signal.addEventListener('abort', done, { once: true });
    });
  const worker = async () => {
    while (!options.signal.aborted && next < options.requests) {
      const index = next++;
      await wait(started + (index * 1000) / options.rate - performance.now());
      if (options.signal.aborted) return;
      const request = options.workload[index % options.workload.length];
      state.sent++;
      try {
        const result = await getFile(fileUrl(options.redirector, request.path), discard(), {
          site: request.site,
          attempts: 3,
          stallMs: 10_000,
        });
        state.ok++;
        state.bytes += result.bytes;
      } catch (err) {
        state.failed++;
        state.lastError = (err as Error).message;
      }
      options.onProgress?.(state);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  state.done = true;
  return state;
}
