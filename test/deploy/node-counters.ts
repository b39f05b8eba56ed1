/**
 * A cache node's counters as the dashboard shows them, read by a test from the node's /metrics
 * line by line (not through the dashboard's parser), for tests that compare the two.
 */
import { metric } from '../cache/client.js';

export interface Counters {
  opens: number;
  hits: number;
  bytesHit: number;
  bytesOrigin: number;
}

export async function counters(url: string): Promise<Counters> {
  const read = (name: string) => metric(url, name);
  const opens = ['hit', 'admit', 'bypass'].map((d) =>
    read(`smartcache_cache_file_opens_total{decision="${d}"}`),
  );
  const bytes = ['hit', 'miss', 'bypass'].map((o) => read(`smartcache_cache_bytes_total{outcome="${o}"}`));
  const [hit, admit, bypass] = await Promise.all(opens);
  const [bytesHit, bytesMiss, bytesBypass] = await Promise.all(bytes);
  return { opens: hit + admit + bypass, hits: hit, bytesHit, bytesOrigin: bytesMiss + bytesBypass };
}

/** Counters that held still for 200 ms (a transfer's bytes are booked just after it ends). */
export async function settledCounters(url: string): Promise<Counters> {
  let last = await counters(url);
  for (let tries = 0; tries < 50; tries++) {
    await new Promise((r) => setTimeout(r, 200));
    const now = await counters(url);
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  throw new Error(`${url}/metrics still changing after 10 s`);
}
