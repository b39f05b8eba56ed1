/**
 * `lrb`: eviction after LRB, Learning Relaxed Belady (Song, Berger, Li & Lloyd, NSDI 2020),
 * trained online while it replays; no bundle and no prep step, so the same code runs in the
 * simulator and in a cache node. The mechanism is LRB's, the code is ours:
 *
 * - Clock: logical time, one tick per request (`req`).
 * - Memory window W (`window=` requests; by default `window-factor` × the larger of the
 *   requests it took to fill the cache and Belady's boundary estimated from the reuses seen,
 *   re-estimated at every retraining).
 * - Training rows: at each request, with probability min(1, 65536 / W), an object of the
 *   memory window is drawn and its features (history-features.ts) are taken as of now.
 *   Label: log1p(requests until its next request), or log1p(W) when none comes within W
 *   (censored: beyond the relaxed Belady boundary every victim is as good). A row joins
 *   the training set W requests after it was drawn, returned or not, so that returned and
 *   censored rows come from the same period (under drift, rows labelled on return would be
 *   W requests younger than the censored ones, and the model would learn the period).
 * - Model: a histogram GBDT (models/gbdt.ts) on the last `retrain-every` labelled rows,
 *   retrained each time as many new ones have joined.
 * - Probation (`probation` > 0, S3-FIFO's small queue): a new object enters a FIFO of that
 *   share of the bytes; re-requested there, it moves to the main area, and so does a miss
 *   found in the ghost (`ghost` x the bytes of recently evicted probation ids). A probation
 *   victim that was never re-requested leaves without entering main, so a one-pass scan
 *   never displaces main. Probation gives a victim while main is within its share.
 * - Eviction from main: the least recently requested object goes first when its last
 *   request is older than W, or while there is no model (LRU); otherwise `candidates` main
 *   residents are drawn (seeded, with replacement; all when fewer) and the one predicted to
 *   return farthest is evicted.
 */
import { Random } from '../../common/random.js';
import { type CurrentRequest, definePolicy, type Policy, type PolicyContext } from '../../sim/policy.js';
import type { ObjList } from '../../sim/structs/dlist.js';
import { GhostFifo } from '../../sim/structs/ghost-fifo.js';
import { IndexedSet } from '../../sim/structs/indexed-set.js';
import { SizedQueues } from '../../sim/structs/sized-queues.js';
import { MAX_GAPS, ObjectHistory } from '../history-features.js';
import { trainGbdt } from '../models/gbdt.js';
import { SAMPLED_CANDIDATES } from './learned-evict.js';

/** a prediction is redone once its age exceeds this fraction of the object's idle time (1/8) */
const STALE = 8;

/** the most training rows waiting for their label */
export const PENDING_ROWS = 65536;

const PROBATION = 0;
const MAIN = 1;
/** the one queue of LrbMiniature */
const MINIATURE = 0;
const NO_REQUEST = -1;

export interface LrbSettings {
  candidates: number;
  /** memory window in requests; 0: window-factor × requests to the first eviction */
  window: number;
  windowFactor: number;
  gaps: number;
  /** labelled rows per retraining, and the rows trained on */
  retrainEvery: number;
  trees: number;
  /** share of the bytes for the probation FIFO (0: none, every object enters main) */
  probation: number;
  /** bytes of probation victims' ids remembered, as a share of the capacity */
  ghost: number;
  /** 'always', or 'warmup': only until the first model, whose arrival moves probation into main */
  probationPhase: 'always' | 'warmup';
}

/** Each object's last prediction, when and by which model it was made, for reuse while fresh. */
class Predictions {
  readonly prediction: Float64Array;
  readonly predictedAt: Float64Array;
  /** the model (trainings count) that made each prediction */
  readonly predictedBy: Int32Array;

  constructor(objectCount: number) {
    this.prediction = new Float64Array(objectCount);
    this.predictedAt = new Float64Array(objectCount).fill(-1);
    this.predictedBy = new Int32Array(objectCount).fill(-1);
  }
}

/** What the policy needs of a model: a prediction of log1p(requests to the next request). */
export interface Regressor {
  predictRow(x: Float32Array, offset: number): number;
}

/** Fits a regressor to `y` over the row-major `rows` x `cols` matrix `x` (NaN: missing). */
export type RegressorTrainer = (x: Float32Array, rows: number, cols: number, y: Float32Array) => Regressor;

export class Lrb implements Policy {
  private readonly history: ObjectHistory;
  /** the main area's residents, the ones eviction samples */
  private readonly residents: IndexedSet;
  private readonly queues: SizedQueues;
  /** the main area in recency order */
  private readonly lru: ObjList;
  private readonly probation: ObjList;
  private readonly ghost: GhostFifo;
  private readonly mainCapacity: number;
  /** the request whose miss was found in the ghost */
  private ghostHitRequest = NO_REQUEST;
  private readonly random: Random;
  private readonly request: Readonly<CurrentRequest>;
  private readonly width: number;
  private readonly row: Float32Array;
  private window = 0;
  private sampleChance = 0;
  private firstRequest = -1;
  private lastRequest = 0;
  private readonly capacity: number;
  /** requests from the first one to the first eviction (0: none yet) */
  private fillTime = 0;

  /**
   * Rows waiting for their label, a ring in sample order (so censoring pops its tail). An
   * object may have several: each row links to the object's previous one, checked by the
   * sample number it had, since ring slots are reused.
   */
  private readonly pendingX: Float32Array;
  private readonly pendingTime = new Float64Array(PENDING_ROWS);
  /** the sampled object while it has not returned, then -1 */
  private readonly pendingObj = new Int32Array(PENDING_ROWS);
  /** the label once the object returned (NaN: not yet, or forgotten) */
  private readonly pendingLabel = new Float64Array(PENDING_ROWS);
  private readonly pendingSerial = new Float64Array(PENDING_ROWS);
  private readonly previousSlot = new Int32Array(PENDING_ROWS);
  private readonly previousSerial = new Float64Array(PENDING_ROWS);
  private pendingHead = 0;
  private pendingTail = 0;
  private pendingCount = 0;
  private serial = 0;
  /** per object, its newest waiting row and that row's sample number (-1: none) */
  private readonly newestSlot: Int32Array;
  private readonly newestSerial: Float64Array;

  private readonly trainX: Float32Array;
  private readonly trainY: Float32Array;
  private trainNext = 0;
  private trainRows = 0;
  private labelledSinceTraining = 0;
  private model: Regressor | undefined;
  private readonly predictions: Predictions;
  /** models trained so far */
  trainings = 0;

  constructor(
    ctx: PolicyContext,
    private readonly settings: LrbSettings,
    private readonly train: RegressorTrainer,
  ) {
    const n = ctx.objectCount;
    this.history = new ObjectHistory(n, settings.gaps, ctx.carries.datasets, ctx.carries.users);
    this.width = this.history.width;
    this.row = new Float32Array(this.width);
    this.residents = new IndexedSet(n);
    this.queues = new SizedQueues(n, 2);
    this.lru = this.queues.queue(MAIN);
    this.probation = this.queues.queue(PROBATION);
    this.mainCapacity = ctx.capacity - Math.trunc(ctx.capacity * settings.probation);
    this.ghost = new GhostFifo(n, settings.probation > 0 ? Math.trunc(ctx.capacity * settings.ghost) : 0);
    this.random = new Random(ctx.seed);
    this.request = ctx.request;
    this.capacity = ctx.capacity;
    this.pendingX = new Float32Array(PENDING_ROWS * this.width);
    this.newestSlot = new Int32Array(n).fill(-1);
    this.newestSerial = new Float64Array(n).fill(-1);
    this.trainX = new Float32Array(settings.retrainEvery * this.width);
    this.trainY = new Float32Array(settings.retrainEvery);
    this.predictions = new Predictions(n);
    if (settings.window > 0) this.setWindow(settings.window);
  }

  private setWindow(requests: number): void {
    this.window = requests;
    this.sampleChance = Math.min(1, PENDING_ROWS / requests);
    this.history.setWindow(requests);
  }

  hit(obj: number, req: number): void {
    this.observe(obj, req);
    if (this.queues.queueOf(obj) === MAIN) this.lru.moveToHead(obj);
    else this.enterMain(obj, this.queues.sizeOf(obj));
  }

  miss(obj: number, _size: number, req: number): void {
    this.observe(obj, req);
    this.ghostHitRequest = this.ghost.remove(obj) ? req : NO_REQUEST;
  }

  insert(obj: number, size: number, req: number): void {
    if (!this.probing() || this.ghostHitRequest === req) this.enterMain(obj, size);
    else this.queues.add(obj, size, PROBATION);
  }

  /** whether new objects enter probation */
  private probing(): boolean {
    return (
      this.settings.probation > 0 && (this.settings.probationPhase === 'always' || this.model === undefined)
    );
  }

  private enterMain(obj: number, size: number): void {
    if (this.queues.queueOf(obj) === PROBATION) this.queues.drop(obj);
    this.residents.add(obj);
    this.queues.add(obj, size, MAIN);
  }

  /**
   * The automatic memory window: window-factor x the larger of the fill time and Belady's
   * boundary as estimated from the reuses so far (history-features.ts), or the median reuse
   * gap while every reuse so far would fit.
   */
  private autoWindow(): void {
    const boundary = this.history.beladyBoundary(this.capacity, this.lastRequest - this.firstRequest);
    const reach = Number.isFinite(boundary) ? boundary : this.history.reuseGapQuantile(0.5);
    this.setWindow(Math.max(1, Math.round(this.settings.windowFactor * Math.max(this.fillTime, reach))));
  }

  /** The first eviction starts the memory window: the fill time is known then. */
  private startWindow(req: number): void {
    if (this.fillTime !== 0) return;
    this.fillTime = Math.max(1, req - this.firstRequest);
    if (this.settings.window === 0) this.autoWindow();
  }

  evict(req: number): number {
    this.startWindow(req);
    if (this.probation.length > 0 && (this.lru.bytes <= this.mainCapacity || this.lru.length === 0)) {
      const victim = this.probation.tail;
      this.ghost.add(victim, this.queues.sizeOf(victim));
      return this.queues.drop(victim);
    }
    const victim = this.victimAmong(this.residents, this.lru.tail, this.random, this.predictions, req);
    this.remove(victim);
    return victim;
  }

  /**
   * The main area's victim among `set`, whose least recently requested member is `oldest`:
   * `oldest` when it is older than W or there is no model yet, else the drawn member
   * predicted to return farthest. A miniature cache (LrbMiniature) asks it of its own residents.
   */
  victimAmong(
    set: IndexedSet,
    oldest: number,
    random: Random,
    predictions: Predictions,
    req: number,
  ): number {
    return this.model === undefined || req - this.history.last[oldest] > this.window
      ? oldest
      : this.farthest(this.model, req, set, random, predictions);
  }

  remove(obj: number): void {
    this.residents.remove(obj);
    this.queues.drop(obj);
  }

  /**
   * The host's cache evicted `obj`, chosen by another policy that governs it (select.ts):
   * forgotten as by `remove`, and the first such eviction starts the memory window, as the
   * first own eviction does, so that this policy learns while another one governs.
   */
  evictedElsewhere(obj: number, req: number): void {
    this.startWindow(req);
    this.remove(obj);
  }

  /**
   * A policy for a miniature cache of a sample of the objects (select.ts): its own residents,
   * recency order, draws and reused predictions, this policy's history, window and models, so
   * that the miniature ranks as the full cache does instead of learning from the sample alone.
   */
  miniature(ctx: PolicyContext): Policy {
    return new LrbMiniature(this, ctx);
  }

  forget(obj: number): void {
    for (
      let slot = this.newestSlot[obj], serial = this.newestSerial[obj];
      this.waiting(slot, serial, obj);
    ) {
      this.pendingObj[slot] = -1;
      serial = this.previousSerial[slot];
      slot = this.previousSlot[slot];
    }
    this.newestSlot[obj] = -1;
    this.ghost.remove(obj);
    this.history.forget(obj);
  }

  /**
   * The drawn resident predicted to be requested farthest from now. A candidate's prediction
   * is reused, while the same model holds, until the time since it was made exceeds 1/STALE
   * of the time since the candidate's last request (its features barely moved).
   */
  private farthest(
    model: Regressor,
    t: number,
    set: IndexedSet,
    random: Random,
    predictions: Predictions,
  ): number {
    const { prediction, predictedAt, predictedBy } = predictions;
    const all = set.size <= this.settings.candidates;
    const draws = all ? set.size : this.settings.candidates;
    let victim = -1;
    let farthest = Number.NEGATIVE_INFINITY;
    const last = this.history.last;
    for (let k = 0; k < draws; k++) {
      const obj = set.at(all ? k : random.int(set.size));
      let predicted = prediction[obj];
      const at = predictedAt[obj];
      if (predictedBy[obj] !== this.trainings || at < last[obj] || (t - at) * STALE > t - last[obj]) {
        this.history.features(obj, t, this.row, 0);
        predicted = model.predictRow(this.row, 0);
        prediction[obj] = predicted;
        predictedAt[obj] = t;
        predictedBy[obj] = this.trainings;
      }
      if (predicted > farthest) {
        farthest = predicted;
        victim = obj;
      }
    }
    return victim;
  }

  /** Whether ring slot `slot` still holds the waiting row of `obj` sampled as number `serial`. */
  private waiting(slot: number, serial: number, obj: number): boolean {
    return slot >= 0 && this.pendingSerial[slot] === serial && this.pendingObj[slot] === obj;
  }

  /** Every request: label the object's waiting rows, record, censor old rows, sample a new one. */
  private observe(obj: number, t: number): void {
    if (this.firstRequest < 0) this.firstRequest = t;
    this.lastRequest = t;
    for (
      let slot = this.newestSlot[obj], serial = this.newestSerial[obj];
      this.waiting(slot, serial, obj);
    ) {
      this.pendingLabel[slot] = Math.log1p(t - this.pendingTime[slot]);
      this.pendingObj[slot] = -1;
      serial = this.previousSerial[slot];
      slot = this.previousSlot[slot];
    }
    this.newestSlot[obj] = -1;
    this.history.record(obj, t, this.request.size, this.request.dataset, this.request.user);
    if (this.window === 0) return;
    this.history.expire(t);
    while (this.pendingCount > 0 && t - this.pendingTime[this.pendingTail] >= this.window) {
      const tail = this.pendingTail;
      if (this.pendingObj[tail] >= 0) this.label(tail, Math.log1p(this.window));
      else if (!Number.isNaN(this.pendingLabel[tail])) this.label(tail, this.pendingLabel[tail]);
      this.pendingTail = (this.pendingTail + 1) % PENDING_ROWS;
      this.pendingCount--;
    }
    if (this.pendingCount < PENDING_ROWS && this.random.float() < this.sampleChance) this.sample(t);
  }

  private sample(t: number): void {
    const obj = this.history.drawFromWindow(this.random);
    if (obj < 0) return;
    const slot = this.pendingHead;
    this.history.features(obj, t, this.pendingX, slot * this.width);
    this.pendingTime[slot] = t;
    this.pendingObj[slot] = obj;
    this.pendingLabel[slot] = Number.NaN;
    this.pendingSerial[slot] = ++this.serial;
    this.previousSlot[slot] = this.newestSlot[obj];
    this.previousSerial[slot] = this.newestSerial[obj];
    this.newestSlot[obj] = slot;
    this.newestSerial[obj] = this.serial;
    this.pendingHead = (slot + 1) % PENDING_ROWS;
    this.pendingCount++;
  }

  private label(slot: number, y: number): void {
    const w = this.width;
    const at = this.trainNext;
    this.trainX.set(this.pendingX.subarray(slot * w, (slot + 1) * w), at * w);
    this.trainY[at] = y;
    const capacity = this.settings.retrainEvery;
    this.trainNext = at + 1 === capacity ? 0 : at + 1;
    this.trainRows = Math.min(capacity, this.trainRows + 1);
    if (++this.labelledSinceTraining >= capacity) {
      this.model = this.train(this.trainX, this.trainRows, w, this.trainY);
      while (!this.probing() && this.probation.length > 0) {
        this.enterMain(this.probation.tail, this.queues.sizeOf(this.probation.tail));
      }
      this.labelledSinceTraining = 0;
      this.trainings++;
      if (this.settings.window === 0) this.autoWindow();
    }
  }
}

/**
 * lrb in a miniature cache (select.ts): LRU order and sampled eviction over its own
 * residents, with the full-size lrb's history, window and models (Lrb.victimAmong), and its
 * own draws and reused predictions, so that it leaves the full-size lrb's decisions as they
 * were. It models lrb without probation.
 */
class LrbMiniature implements Policy {
  private readonly residents: IndexedSet;
  private readonly queues: SizedQueues;
  private readonly lru: ObjList;
  private readonly random: Random;
  private readonly predictions: Predictions;

  constructor(
    private readonly source: Lrb,
    ctx: PolicyContext,
  ) {
    this.residents = new IndexedSet(ctx.objectCount);
    this.queues = new SizedQueues(ctx.objectCount, 1);
    this.lru = this.queues.queue(MINIATURE);
    this.random = new Random(ctx.seed);
    this.predictions = new Predictions(ctx.objectCount);
  }

  hit(obj: number): void {
    this.lru.moveToHead(obj);
  }

  insert(obj: number, size: number): void {
    this.residents.add(obj);
    this.queues.add(obj, size, MINIATURE);
  }

  evict(req: number): number {
    const victim = this.source.victimAmong(this.residents, this.lru.tail, this.random, this.predictions, req);
    this.remove(victim);
    return victim;
  }

  remove(obj: number): void {
    this.residents.remove(obj);
    this.queues.drop(obj);
  }
}

export const lrb = definePolicy({
  name: 'lrb',
  learned: true,
  description: 'LRB: evict the sampled object a GBDT trained while replaying predicts to return last',
  params: {
    candidates: SAMPLED_CANDIDATES,
    window: {
      type: 'integer',
      default: 0,
      min: 0,
      max: 2 ** 40,
      doc: 'memory window in requests (0: automatic, see window-factor)',
    },
    'window-factor': {
      type: 'number',
      default: 1,
      min: 0.01,
      max: 1000,
      doc: "automatic memory window: this x max(requests to fill the cache, Belady's estimated boundary)",
    },
    gaps: {
      type: 'integer',
      default: MAX_GAPS,
      min: 1,
      max: MAX_GAPS,
      doc: 'past inter-request gaps per object in the features',
    },
    'retrain-every': {
      type: 'integer',
      default: 32768,
      min: 256,
      max: 1 << 22,
      doc: 'labelled samples between retrainings (and the samples trained on)',
    },
    trees: { type: 'integer', default: 32, min: 1, max: 1024, doc: 'boosting rounds of the GBDT' },
    probation: {
      type: 'number',
      default: 0,
      min: 0,
      max: 1,
      exclusiveMax: true,
      doc: 'share of the bytes for the probation FIFO new objects enter (0: none, all enter main)',
    },
    ghost: {
      type: 'number',
      default: 0.9,
      min: 0,
      doc: 'ids of probation victims remembered (a miss among them enters main), as a share of the bytes',
    },
    'probation-phase': {
      type: 'choice',
      choices: ['always', 'warmup'],
      default: 'always',
      doc: 'probation always, or only until the first model (warmup), which moves its objects into main',
    },
  },
  create(ctx, params) {
    const settings: LrbSettings = {
      candidates: params.candidates,
      window: params.window,
      windowFactor: params['window-factor'],
      gaps: params.gaps,
      retrainEvery: params['retrain-every'],
      trees: params.trees,
      probation: params.probation,
      ghost: params.ghost,
      probationPhase: params['probation-phase'],
    };
    return new Lrb(ctx, settings, (x, rows, cols, y) =>
      trainGbdt(x, rows, cols, y, { trees: settings.trees, seed: ctx.seed }),
    );
  },
});
