/**
 * The weight-function LRU of the CMS smart-cache simulator (Cloud-PG/smart-cache,
 * WeightFunLRU: weightFunLRU.go, files/stats.go, functions/functions.go).
 *
 * What it does, exactly as the original:
 * - Every request (hit or miss) updates the file's statistics and recomputes its weight
 *   w = f(nReq, size, meanTicks) with parameters a, b, c (default 1):
 *   nReq is the number of requests to the file so far, this one included, kept after
 *   eviction; size is the file size in megabytes (the original's unit; here bytes / 2^20);
 *   meanTicks is, over the file's last (up to) 32 request times, the sum of
 *   (time of this request - that request time) in minutes, divided by 32.
 * - On a miss the file is admitted only if its weight is at most the mean weight of all
 *   files seen so far (the original calls this mean `GetWeightMedian`); a file of higher
 *   weight is served without being cached. Lower weight is better.
 * - Eviction is plain LRU: the least recently requested resident file goes first. The
 *   weight never chooses the victim.
 *
 * Differences: the original stamps requests with their day (`DayTime`), here with the
 * trace time in seconds; it purges statistics of files idle for days (here only a cache
 * node forgets a file, when it reuses the file's id: see OnlineCache);
 * and it frees at least the requested file's size on a miss, where the engine evicts
 * only until the file fits.
 */
import { MINUTE } from '../../common/time.js';
import type { ParamValues } from '../params.js';
import type { CurrentRequest, Policy, PolicyContext } from '../policy.js';
import { ListPool, ObjList } from '../structs/dlist.js';

export type WeightFunction = (
  nReq: number,
  size: number,
  meanTicks: number,
  a: number,
  b: number,
  c: number,
) => number;

/** The weight function's parameters, shared by the three weighted LRUs. */
export const WEIGHT_PARAMS = {
  a: { type: 'number', default: 1, min: -10, max: 10, doc: 'weight of the request count nReq' },
  b: { type: 'number', default: 1, min: -10, max: 10, doc: 'weight of the size in MiB' },
  c: {
    type: 'number',
    default: 1,
    min: -10,
    max: 10,
    doc: 'weight of meanTicks (minutes since recent requests)',
  },
} as const;

/** The original's ring of request times per file. */
const REMEMBERED_REQUESTS = 32;
const BYTES_PER_MEGABYTE = 2 ** 20;

export class WeightedLru implements Policy {
  private readonly lru: ObjList;
  private readonly requests: Float64Array;
  private readonly weight: Float64Array;
  private readonly times: Float64Array;
  private readonly timesStored: Uint8Array;
  private readonly timesNext: Uint8Array;
  private readonly timesSum: Float64Array;
  private readonly request: Readonly<CurrentRequest>;
  private readonly a: number;
  private readonly b: number;
  private readonly c: number;
  private filesSeen = 0;
  private weightSum = 0;

  constructor(
    ctx: PolicyContext,
    params: ParamValues<typeof WEIGHT_PARAMS>,
    private readonly weightOf: WeightFunction,
  ) {
    const n = ctx.objectCount;
    this.lru = new ObjList(new ListPool(n));
    this.requests = new Float64Array(n);
    this.weight = new Float64Array(n);
    this.times = new Float64Array(n * REMEMBERED_REQUESTS);
    this.timesStored = new Uint8Array(n);
    this.timesNext = new Uint8Array(n);
    this.timesSum = new Float64Array(n);
    this.request = ctx.request;
    ({ a: this.a, b: this.b, c: this.c } = params);
  }

  miss(obj: number): void {
    this.observe(obj);
  }

  admit(obj: number): boolean {
    return this.weight[obj] <= this.weightSum / this.filesSeen;
  }

  hit(obj: number): void {
    this.observe(obj);
    this.lru.moveToHead(obj);
  }

  insert(obj: number): void {
    this.lru.pushHead(obj);
  }

  evict(): number {
    return this.lru.popTail();
  }

  remove(obj: number): void {
    this.lru.unlink(obj);
  }

  forget(obj: number): void {
    if (this.requests[obj] === 0) return;
    this.filesSeen--;
    this.weightSum -= this.weight[obj];
    this.requests[obj] = 0;
    this.weight[obj] = 0;
    this.timesStored[obj] = 0;
    this.timesNext[obj] = 0;
    this.timesSum[obj] = 0;
  }

  private observe(obj: number): void {
    if (this.requests[obj] === 0) this.filesSeen++;
    this.requests[obj]++;
    const now = this.request.time;
    this.rememberTime(obj, now);
    const meanTicks = this.meanTicks(obj, now);
    const weight = this.weightOf(
      this.requests[obj],
      this.request.size / BYTES_PER_MEGABYTE,
      meanTicks,
      this.a,
      this.b,
      this.c,
    );
    this.weightSum += weight - this.weight[obj];
    this.weight[obj] = weight;
  }

  private rememberTime(obj: number, time: number): void {
    const slot = obj * REMEMBERED_REQUESTS + this.timesNext[obj];
    if (this.timesStored[obj] === REMEMBERED_REQUESTS) this.timesSum[obj] -= this.times[slot];
    else this.timesStored[obj]++;
    this.times[slot] = time;
    this.timesSum[obj] += time;
    this.timesNext[obj] = (this.timesNext[obj] + 1) % REMEMBERED_REQUESTS;
  }

  private meanTicks(obj: number, now: number): number {
    const secondsBehind = this.timesStored[obj] * now - this.timesSum[obj];
    return secondsBehind / MINUTE / REMEMBERED_REQUESTS;
  }
}
