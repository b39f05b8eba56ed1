/**
 * `select`: runs, for the cache it is in, whichever of its candidate policies miniature
 * simulations rank best (Waldspurger, Saemundsson, Ahmad and Park, "Cache Modeling and
 * Optimization using Miniature Simulations", USENIX ATC'17; the sampling is their SHARDS):
 *
 * - Sample: an object is in the sample when its id hashes (mix32, salted by the seed) below
 *   `rate` x 2^32. Its requests are also replayed through one miniature cache per candidate
 *   of `rate` x the capacity (a Residency of its own, exactly as the engine books one).
 *   `rate=0` chooses `sample-objects` / the object count, within [1/64, 1].
 * - Score: each miniature's byte hits, decayed by half every `half-life` epochs of `epoch`
 *   requests. At the end of an epoch the best candidate takes over when its score exceeds the
 *   governing one's by `z` standard errors of their difference: the miniatures replay the same
 *   sampled requests, so the test is paired (the decayed sum of squared per-request differences
 *   is the variance of the decayed difference); near-ties do not flap.
 * - Governing: every candidate also follows the real cache (shadows). Each is told every
 *   request (arrive, hit, miss, admit, insert, housekeeping); only the governing one chooses
 *   victims and decides admission, and the others are told `remove` of what the cache lost.
 *   A shadow that drops a resident in its own calls (LIRS, W-TinyLFU evict inside admit and
 *   hit) only forgets it (its cache control is a private one), and takes it back as a new
 *   object when it is requested again; on taking over, it is given the residents it lacks,
 *   least recently requested first. So a switch keeps every candidate's metadata of the
 *   real cache's residents, and the real cache never holds an object its governor cannot evict.
 * - lrb as a candidate keeps learning while another governs (Lrb.evictedElsewhere), and its
 *   miniature shares its history, window and models (Lrb.miniature): a miniature lrb
 *   trained on the sample alone would see `rate` of the rows.
 */
import { mix32 } from '../../common/random.js';
import { PolicyParamError } from '../../sim/params.js';
import { type PolicyChoice, parsePolicies, splitTopLevel } from '../../sim/plan.js';
import {
  type CacheControl,
  definePolicy,
  type Policy,
  type PolicyContext,
  PolicyNeedsCacheError,
} from '../../sim/policy.js';
import { Residency } from '../../sim/residency.js';
import { Lrb } from './lrb.js';

const NAME = 'select';
const TWO_32 = 2 ** 32;
/** the smallest automatic sampling rate */
const MIN_RATE = 1 / 64;

export interface SelectSettings {
  /** share of objects sampled into the miniature caches, in (0, 1] */
  rate: number;
  /** requests between decisions */
  epoch: number;
  /** epochs over which a miniature's byte hits lose half their weight */
  halfLife: number;
  /** standard errors by which a challenger's decayed byte hits must exceed the governor's */
  z: number;
}

/** One candidate: its policy following the real cache, and its miniature cache. */
interface Member {
  readonly label: string;
  readonly policy: Policy;
  /** 1 for each real resident this candidate holds */
  readonly held: Uint8Array;
  /** the candidate's own admission answer for the current miss */
  admitted: boolean;
  readonly mini: Policy;
  readonly miniCache: Residency;
  /** whether its miniature has filled and, for lrb, it has a model (see `decide`) */
  ready: boolean;
  /** decayed byte hits of the miniature */
  score: number;
  /** the miniature's byte hits on the current sampled request */
  hit: number;
  /** the miniature's byte hits, undecayed */
  hitBytes: number;
  /** requests it governed */
  governed: number;
}

export class Select implements Policy {
  private readonly members: Member[] = [];
  private governor = 0;
  /** the size each real resident was inserted with */
  private readonly sizes: Float64Array;
  private readonly lastRequest: Float64Array;
  private readonly request: PolicyContext['request'];
  private readonly threshold: number;
  private readonly salt: number;
  private readonly decay: number;
  /** per pair of candidates (i < j at i x count + j), the decayed sum of squared differences of their hits */
  private readonly spread: Float64Array;
  /** the current request's object and number */
  private current = -1;
  private now = 0;
  /** requests seen */
  private count = 0;
  /** requests seen when the scores last restarted */
  private restarted = 0;
  /** bytes requested of the sampled objects */
  private sampledBytes = 0;
  /** the request at which each governor took over, and its index in `labels` */
  readonly switchAt: number[] = [0];
  readonly switchTo: number[] = [0];

  constructor(
    ctx: PolicyContext,
    candidates: readonly PolicyChoice[],
    private readonly settings: SelectSettings,
  ) {
    const n = ctx.objectCount;
    this.sizes = new Float64Array(n);
    this.lastRequest = new Float64Array(n);
    this.request = ctx.request;
    this.threshold = Math.min(TWO_32, Math.floor(settings.rate * TWO_32));
    this.salt = mix32(ctx.seed >>> 0);
    this.decay = 2 ** (-1 / settings.halfLife);
    this.spread = new Float64Array(candidates.length * candidates.length);
    const miniCapacity = Math.floor(ctx.capacity * settings.rate);
    for (const [index, choice] of candidates.entries()) {
      const held = new Uint8Array(n);
      const cache = this.controlFor(index, held, ctx.cache);
      const policy = choice.spec.create({ ...ctx, params: choice.params, cache });
      const miniCache = new Residency(n, miniCapacity, choice.label);
      const miniCtx: PolicyContext = {
        ...ctx,
        capacity: miniCapacity,
        params: choice.params,
        cache: { occupied: () => miniCache.occupied, evict: (victim) => miniCache.forget(victim) },
      };
      const mini = policy instanceof Lrb ? policy.miniature(miniCtx) : choice.spec.create(miniCtx);
      this.members.push({
        label: choice.label,
        policy,
        held,
        admitted: false,
        ready: false,
        mini,
        miniCache,
        score: 0,
        hit: 0,
        hitBytes: 0,
        governed: 0,
      });
    }
  }

  /** The candidates' labels, in the order given. */
  get labels(): string[] {
    return this.members.map((m) => m.label);
  }

  /** Each miniature's byte hit ratio so far. */
  get miniatureByteHitRatios(): number[] {
    return this.members.map((m) => (this.sampledBytes === 0 ? 0 : m.hitBytes / this.sampledBytes));
  }

  /** Requests each candidate governed, in the order given. */
  get governed(): number[] {
    return this.members.map((m) => m.governed);
  }

  /**
   * Candidate `index`'s view of the cache: while it governs, its own evictions are the real
   * cache's (the others are told); while it shadows, it only forgets the object.
   */
  private controlFor(index: number, held: Uint8Array, real: CacheControl | undefined): CacheControl {
    return {
      occupied: () => (real === undefined ? 0 : real.occupied()),
      evict: (victim) => {
        held[victim] = 0;
        if (index !== this.governor) return;
        if (real === undefined) throw new PolicyNeedsCacheError(`${NAME}(${this.members[index].label})`);
        real.evict(victim);
        this.leftCache(victim, this.now);
      },
    };
  }

  /** Tells every candidate still holding `obj` that the real cache evicted it. */
  private leftCache(obj: number, req: number): void {
    for (const m of this.members) {
      if (m.held[obj] === 0) continue;
      m.held[obj] = 0;
      if (m.policy instanceof Lrb) m.policy.evictedElsewhere(obj, req);
      else m.policy.remove(obj);
    }
  }

  arrive(obj: number, req: number): void {
    this.current = obj;
    this.now = req;
    this.lastRequest[obj] = req;
    for (const m of this.members) m.policy.arrive?.(obj, req);
  }

  hit(obj: number, req: number): void {
    for (const m of this.members) {
      if (m.held[obj] === 1) m.policy.hit(obj, req);
      else this.adopt(m, obj, this.sizes[obj], req);
    }
  }

  /** A shadow that had dropped the resident `obj` takes it back as a miss it admits. */
  private adopt(m: Member, obj: number, size: number, req: number): void {
    m.policy.miss?.(obj, size, req);
    if (m.policy.admit?.(obj, size, req) ?? true) {
      m.policy.insert(obj, size, req);
      m.held[obj] = 1;
    }
  }

  miss(obj: number, size: number, req: number): void {
    for (const m of this.members) m.policy.miss?.(obj, size, req);
  }

  admit(obj: number, size: number, req: number): boolean {
    for (const m of this.members) m.admitted = m.policy.admit?.(obj, size, req) ?? true;
    return this.members[this.governor].admitted;
  }

  insert(obj: number, size: number, req: number): void {
    this.sizes[obj] = size;
    for (const [index, m] of this.members.entries()) {
      if (index !== this.governor && !m.admitted) continue;
      m.policy.insert(obj, size, req);
      m.held[obj] = 1;
    }
  }

  evict(req: number): number {
    const governing = this.members[this.governor];
    const victim = governing.policy.evict(req);
    governing.held[victim] = 0;
    this.leftCache(victim, req);
    return victim;
  }

  remove(obj: number): void {
    for (const m of this.members) {
      if (m.held[obj] === 0) continue;
      m.held[obj] = 0;
      m.policy.remove(obj);
    }
  }

  forget(obj: number): void {
    for (const m of this.members) {
      m.policy.forget?.(obj);
      if (m.miniCache.resident[obj] === 1) m.miniCache.drop(m.mini, obj);
      m.mini.forget?.(obj);
    }
  }

  housekeeping(req: number): void {
    for (const m of this.members) m.policy.housekeeping?.(req);
    const obj = this.current;
    if (mix32((obj ^ this.salt) >>> 0) < this.threshold) {
      this.sampledBytes += this.request.size;
      for (const m of this.members) this.replayMini(m, obj, req);
      this.addSpread();
    }
    this.members[this.governor].governed++;
    if (++this.count % this.settings.epoch === 0) this.decide(req);
  }

  /** The sampled request through a candidate's miniature cache, as the engine serves one. */
  private replayMini(m: Member, obj: number, req: number): void {
    const size = this.request.size;
    const mini = m.mini;
    const cache = m.miniCache;
    mini.arrive?.(obj, req);
    m.hit = 0;
    if (cache.resident[obj] === 1) {
      mini.hit(obj, req);
      m.hit = size;
      m.score += size;
      m.hitBytes += size;
    } else {
      mini.miss?.(obj, size, req);
      if (size <= cache.capacity && (mini.admit?.(obj, size, req) ?? true)) cache.fill(mini, obj, size, req);
    }
    mini.housekeeping?.(req);
  }

  private addSpread(): void {
    const members = this.members;
    const k = members.length;
    for (let i = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++) {
        const d = members[i].hit - members[j].hit;
        this.spread[i * k + j] += d * d;
      }
    }
  }

  /** The standard error of the difference of two candidates' decayed byte hits. */
  private standardError(a: number, b: number): number {
    const k = this.members.length;
    return Math.sqrt(this.spread[Math.min(a, b) * k + Math.max(a, b)]);
  }

  /**
   * End of an epoch: decay the scores; the best candidate takes over if clearly ahead. Only
   * ready candidates are ranked: a miniature says nothing of how a policy evicts before it
   * has filled, nor of lrb before its first model (it is LRU until then). A governor that is
   * not ready yields to the best ready one without the test. When a candidate becomes
   * ready every score restarts from zero, so that all are compared over the same requests,
   * and no candidate takes over from a ready governor for `half-life` epochs: a miniature lrb
   * still holds what it kept as LRU, and a test over an epoch or two is one of few files.
   */
  private decide(req: number): void {
    let joined = false;
    let best = -1;
    const decay = this.decay;
    for (let i = 0; i < this.spread.length; i++) this.spread[i] *= decay * decay;
    for (const [index, m] of this.members.entries()) {
      m.score *= decay;
      if (!m.ready && m.miniCache.evictions > 0 && !(m.policy instanceof Lrb && m.policy.trainings === 0)) {
        m.ready = true;
        joined = true;
      }
      if (m.ready && (best < 0 || m.score > this.members[best].score)) best = index;
    }
    const governing = this.members[this.governor];
    const settled = this.count - this.restarted >= this.settings.halfLife * this.settings.epoch;
    if (
      best >= 0 &&
      best !== this.governor &&
      (!governing.ready ||
        (settled &&
          this.members[best].score - governing.score >
            this.settings.z * this.standardError(best, this.governor)))
    ) {
      this.takeOver(best, req);
    }
    if (joined) {
      for (const m of this.members) m.score = 0;
      this.spread.fill(0);
      this.restarted = this.count;
    }
  }

  /** Candidate `index` governs from now on, given first the residents it does not hold. */
  private takeOver(index: number, req: number): void {
    const from = this.members[this.governor].held;
    const next = this.members[index];
    const missing: number[] = [];
    for (let obj = 0; obj < from.length; obj++)
      if (from[obj] === 1 && next.held[obj] === 0) missing.push(obj);
    missing.sort((a, b) => this.lastRequest[a] - this.lastRequest[b]);
    for (const obj of missing) {
      next.policy.insert(obj, this.sizes[obj], req);
      next.held[obj] = 1;
    }
    this.governor = index;
    this.switchAt.push(req + 1);
    this.switchTo.push(index);
  }
}

/** `lrb+s3fifo(fifo-size-ratio=0.2)+lirs` as registry policies, each online, bounded and not `select`. */
export function parseCandidates(text: string): PolicyChoice[] {
  const fail = (detail: string) => new PolicyParamError(NAME, 'candidates', `candidates=${text}: ${detail}`);
  const items = splitTopLevel(text, '+');
  if (items.length < 2) throw fail('expected at least two policies joined by +, e.g. lrb+s3fifo');
  const choices = items.map((item) => {
    const [choice, ...more] = parsePolicies(item);
    if (more.length > 0) throw fail(`"${item}": join candidates with +, not with commas`);
    const spec = choice.spec;
    if (spec.name === NAME) throw fail('a candidate cannot be select itself');
    if (spec.offline) throw fail(`${choice.label} reads the future; candidates must run online`);
    if (spec.unbounded) throw fail(`${choice.label} ignores the capacity`);
    return choice;
  });
  const labels = choices.map((c) => c.label);
  const repeated = labels.find((label, i) => labels.indexOf(label) !== i);
  if (repeated !== undefined) throw fail(`${repeated} is listed twice`);
  return choices;
}

export const select = definePolicy({
  name: NAME,
  learned: true,
  description:
    'runs the candidate (lrb or a classic policy) that miniature simulations of a sample of the objects rank best',
  params: {
    candidates: {
      type: 'string',
      default: 'lrb+s3fifo+lirs+2q+arc',
      placeholder: 'POLICY+POLICY[+...]',
      doc: 'the policies to choose from, with their parameters, joined by +',
    },
    rate: {
      type: 'number',
      default: 0,
      min: 0,
      max: 1,
      doc: 'share of the objects sampled into the miniature caches (0: sample-objects / objects, at least 1/64)',
    },
    'sample-objects': {
      type: 'integer',
      default: 8192,
      min: 1,
      doc: 'objects the automatic rate aims to sample',
    },
    epoch: { type: 'integer', default: 4096, min: 1, doc: 'requests between decisions' },
    'half-life': {
      type: 'number',
      default: 16,
      min: 0,
      exclusiveMin: true,
      doc: "epochs over which a miniature's byte hits lose half their weight",
    },
    z: {
      type: 'number',
      default: 2,
      min: 0,
      doc: "standard errors (of the paired difference) by which a candidate's decayed byte hits must exceed the governor's to take over",
    },
  },
  create(ctx, params) {
    const candidates = parseCandidates(params.candidates);
    const rate =
      params.rate > 0
        ? params.rate
        : Math.min(1, Math.max(MIN_RATE, params['sample-objects'] / Math.max(1, ctx.objectCount)));
    return new Select(ctx, candidates, {
      rate,
      epoch: params.epoch,
      halfLife: params['half-life'],
      z: params.z,
    });
  },
});
