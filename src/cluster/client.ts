/**
 * The cluster client behind `smartcache get`: asks the redirector, follows its redirect, and
 * when a copy fails mid-transfer moves to the next alternative of the `Link` header, resuming
 * with a closed Range request from the last byte received (checked with If-Range and
 * Content-Range), so a node dying under a client costs a retry, not a download.
 */
import type { Writable } from 'node:stream';
import { SITE_HEADER } from './redirector.js';

export interface GetOptions {
  /** the client's site, sent to the redirector */
  site?: string;
  /** most attempts over all copies (default 8) */
  attempts?: number;
  /** give up on a copy that sends nothing for this long, ms (default 10000) */
  stallMs?: number;
  /** told of every failed attempt */
  onRetry?: (url: string, reason: string) => void;
}

export interface GetResult {
  bytes: number;
  /** the copies that served bytes, in order */
  servedBy: string[];
  attempts: number;
}

export class GetError extends Error {
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(`cannot get ${url}: ${reason}`);
    this.name = 'GetError';
  }
}

/** Link header alternatives, best first: `<url>; rel="duplicate"; pri=N, ...`. */
export function parseLinks(header: string | null): string[] {
  if (!header) return [];
  const links: { url: string; pri: number }[] = [];
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /<([^>]+)>(.*)/.exec(part.trim());
    if (!match || !/rel="?duplicate"?/.test(match[2])) continue;
    const pri = Number(/pri=(\d+)/.exec(match[2])?.[1] ?? Number.MAX_SAFE_INTEGER);
    links.push({ url: match[1], pri });
  }
  return links.sort((a, b) => a.pri - b.pri).map((l) => l.url);
}

const MAX_REDIRECTS = 5;

interface Copy {
  urls: string[];
  next: number;
}

/** Resolves redirects from `url` into the list of copies to try. */
async function locate(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<string[]> {
  let current = url;
  for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
    const response = await fetch(current, { method: 'HEAD', headers, redirect: 'manual', signal });
    await response.body?.cancel();
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location');
      if (!location) throw new GetError(url, `${response.status} without Location`);
      const target = new URL(location, current).href;
      const alternatives = parseLinks(response.headers.get('link'));
      if (alternatives.length > 0) return [target, ...alternatives];
      current = target;
      continue;
    }
    if (response.status >= 400 && response.status < 500)
      throw new GetError(url, `${response.status} from ${current}`);
    return [current];
  }
  throw new GetError(url, `more than ${MAX_REDIRECTS} redirects`);
}

function contentRangeStart(value: string | null): { start: number; total: number } | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value ?? '');
  return match ? { start: Number(match[1]), total: Number(match[3]) } : undefined;
}

/** Downloads `url` through the cluster into `out`; `out` is not ended. */
export async function getFile(url: string, out: Writable, options: GetOptions = {}): Promise<GetResult> {
  const attempts = options.attempts ?? 8;
  const stallMs = options.stallMs ?? 10_000;
  const headers: Record<string, string> = options.site ? { [SITE_HEADER]: options.site } : {};
  const copy: Copy = { urls: [], next: 0 };
  let received = 0;
  let total: number | undefined;
  let validator: string | undefined;
  const servedBy: string[] = [];
  let lastReason = '';

  for (let attempt = 1; attempt <= attempts; attempt++) {
    const abort = new AbortController();
    let stall = setTimeout(() => abort.abort(new Error(`no data for ${stallMs} ms`)), stallMs);
    const rearm = () => {
      clearTimeout(stall);
      stall = setTimeout(() => abort.abort(new Error(`no data for ${stallMs} ms`)), stallMs);
    };
    let source = url;
    try {
      if (copy.next >= copy.urls.length) {
        copy.urls = await locate(url, headers, abort.signal);
        copy.next = 0;
      }
      source = copy.urls[copy.next];
      const request: Record<string, string> = { ...headers };
      if (received > 0 && total !== undefined) {
        request.range = `bytes=${received}-${total - 1}`;
        if (validator) request['if-range'] = validator;
      }
      const response = await fetch(source, { headers: request, redirect: 'follow', signal: abort.signal });
      if (response.status >= 400) throw new Error(`${response.status} ${response.statusText}`);
      const length = Number(response.headers.get('content-length') ?? Number.NaN);
      let skip = 0;
      if (response.status === 206) {
        const range = contentRangeStart(response.headers.get('content-range'));
        if (!range || range.start !== received)
          throw new Error(
            `Content-Range ${response.headers.get('content-range')} does not resume at byte ${received}`,
          );
        total ??= range.total;
      } else {
        // a full answer: a new file or a copy that ignored the range; drop what we already have
        skip = received;
        if (Number.isFinite(length)) {
          if (total !== undefined && length !== total)
            throw new Error(`size changed from ${total} to ${length} bytes`);
          total = length;
        }
      }
      validator ??= response.headers.get('etag') ?? response.headers.get('last-modified') ?? undefined;
      if (!response.body) throw new Error('no body');
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        rearm();
        let part = chunk;
        if (skip > 0) {
          const drop = Math.min(skip, part.length);
          skip -= drop;
          part = part.subarray(drop);
        }
        if (part.length === 0) continue;
        if (servedBy.at(-1) !== source) servedBy.push(source);
        if (!out.write(part)) await new Promise((resolve) => out.once('drain', resolve));
        received += part.length;
      }
      if (total !== undefined && received !== total)
        throw new Error(`stream ended at byte ${received} of ${total}`);
      return { bytes: received, servedBy, attempts: attempt };
    } catch (err) {
      if (err instanceof GetError) throw err;
      lastReason = (abort.signal.reason as Error | undefined)?.message ?? (err as Error).message;
      options.onRetry?.(source, lastReason);
      copy.next++;
      // a pause that grows, so a cluster in the middle of a membership change can settle
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** (attempt - 1))));
    } finally {
      clearTimeout(stall);
    }
  }
  throw new GetError(url, `gave up after ${attempts} attempts; last: ${lastReason}`);
}
