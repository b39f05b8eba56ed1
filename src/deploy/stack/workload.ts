/**
 * The generated workload of a stack: the data-lake generator's requests (docs/workload.md),
 * its files scaled so that their median size is the stack's `medianFileSize` (the shape of
 * the size distribution kept), its sites mapped onto the stack's sites. The origin serves
 * its files; the synthetic load requests them in the workload's order.
 */
import { generateWorkload } from '../../trace/generate.js';
import { firstSeenSizes } from '../../trace/model.js';
import type { GeneratedOrigin } from './config.js';

export interface LoadRequest {
  path: string;
  site: string;
}

export interface StackWorkload {
  /** path -> size in bytes */
  files: Map<string, number>;
  requests: LoadRequest[];
}

export function stackWorkload(origin: GeneratedOrigin, sites: readonly string[]): StackWorkload {
  const trace = generateWorkload({ requests: origin.requests, seed: origin.seed, days: 1 });
  const sizes = firstSeenSizes(trace);
  const sorted = Float64Array.from(sizes).sort();
  const scale = origin.medianFileSize / sorted[Math.floor(sorted.length / 2)];
  const scaled = sizes.map((size) => Math.max(1, Math.round(size * scale)));
  const paths: string[] = [];
  const files = new Map<string, number>();
  const seen = new Uint8Array(trace.objectCount);
  let next = 0;
  const requests: LoadRequest[] = [];
  for (let i = 0; i < trace.length; i++) {
    const obj = trace.obj[i];
    if (!seen[obj]) {
      seen[obj] = 1;
      paths[obj] = String(trace.keys.key(obj));
      files.set(paths[obj], scaled[next++]);
    }
    const siteCode = trace.site ? trace.site.codes[i] : i;
    requests.push({ path: paths[obj], site: sites[siteCode % sites.length] });
  }
  return { files, requests };
}
