import { Random } from '../../common/random.js';
import { grown } from '../../common/typed-arrays.js';
import type { ParamValues } from '../params.js';
import { definePolicy, type Policy, type PolicyContext } from '../policy.js';
import { IndexedSet } from '../structs/indexed-set.js';

const HIT_AGE_CLASSES = 16;
/**
 * libCacheSim files every object under application 1 of 16, so its classes are numbered
 * 16..31; only the initial hit densities, (class number + 1) / (age + 1), see the number.
 */
const FIRST_CLASS_NUMBER = 16;
const MAX_AGE = 20_000;
const ACCESSES_PER_RECONFIGURATION = 2 ** 20;
const EWMA_DECAY = 0.9;
const AGE_COARSENING_ERROR_TOLERANCE = 0.01;
const INITIAL_AGE_COARSENING_SHIFT = 10;
/** reconfigurations after which the age coarsening is tuned to the number of resident objects */
const COARSENING_RECONFIGURATIONS = [5, 25];
/** candidates drawn until this many reconfigurations have passed (libCacheSim's short warm-up) */
const WARMUP_RECONFIGURATIONS = 50;
const WARMUP_CANDIDATES = 8;
const EXPLORER_BUDGET_FRACTION = 0.01;
const EXPLORE_INVERSE_PROBABILITY = 32;
/** the lowest float: libCacheSim's rank of an object older than MAX_AGE */
const LOWEST_RANK = -3.4028234663852886e38;
const NONE = -1;
const INITIAL_SLOTS = 1024;

const PARAMS = {
  associativity: {
    type: 'integer',
    default: 32,
    min: 1,
    max: 4096,
    doc: 'resident objects sampled per eviction (at most 8 during the first 50 reconfigurations)',
  },
  admissions: {
    type: 'integer',
    default: 8,
    min: 0,
    max: 4096,
    doc: 'recently inserted objects of low hit density always considered as victims',
  },
} as const;

/**
 * LHD, least hit density (Beckmann, Chen & Cidon, NSDI 2018), as libCacheSim
 * LHD/lhd.cpp with its defaults. An object's class is set by the sum of its last two hit
 * ages (log-scaled into 16 classes); per class and age (requests since the last access,
 * shifted right by the age coarsening), hits and evictions are counted. The victim is the
 * object of lowest hit density / size among `associativity` resident objects drawn at
 * random and the last `admissions` inserted ones whose density was below the running mean of
 * victims' densities.
 *
 * - Every 2^20 hits and insertions (accesses) the counts decay by 0.9 and each class's hit
 *   density by age is recomputed: hits at that age or later / expected remaining lifetime.
 *   Before the first reconfiguration the densities are (class number + 1) / (age + 1).
 * - At the 5th and 25th reconfiguration the age coarsening is set so that about
 *   (resident objects / 200) requests make one age step, and the counts are rescaled.
 * - An object older than 20,000 age steps ranks lowest. With probability 1/32 an access
 *   makes the object an explorer (density + 1, so practically never evicted) while the
 *   explorers take under 1 % of the bytes, during the first 50 reconfigurations.
 *
 * Draws (candidates, explorers) come from the seeded generator of src/common/random.ts, so a
 * run is reproducible; libCacheSim draws from its own process-wide generator, whose
 * stream is not reproduced. Statistics are kept for resident objects only, and those of a
 * class for 16 classes (libCacheSim allocates 256, for 16 applications, and uses 16).
 */
class Lhd implements Policy {
  private readonly residents: IndexedSet;
  private readonly random: Random;
  /**
   * Per resident, at its position in `residents` (state is reset on insertion, so only
   * residents need any): grown with the residents, moved when a removal moves one.
   */
  private lastAccess = new Float64Array(INITIAL_SLOTS);
  private lastHitAge = new Int32Array(INITIAL_SLOTS);
  private lastLastHitAge = new Int32Array(INITIAL_SLOTS);
  private explorer = new Uint8Array(INITIAL_SLOTS);
  /** the hit-age class, set from the last two hit ages at each access */
  private hitAgeClass = new Uint8Array(INITIAL_SLOTS);
  private sizes = new Float64Array(INITIAL_SLOTS);
  /**
   * Per class and age, at class * MAX_AGE + age (one array each: an eviction ranks dozens of
   * candidates, each one load here); float as libCacheSim's.
   */
  private readonly hits = new Float32Array(HIT_AGE_CLASSES * MAX_AGE);
  private readonly evictions = new Float32Array(HIT_AGE_CLASSES * MAX_AGE);
  private readonly densities = new Float32Array(HIT_AGE_CLASSES * MAX_AGE);
  private readonly recentlyAdmitted: Int32Array;
  private readonly associativity: number;
  private recentlyAdmittedHead = 0;
  private timestamp = 0;
  private untilReconfiguration = ACCESSES_PER_RECONFIGURATION;
  private reconfigurations = 0;
  private ageCoarseningShift = INITIAL_AGE_COARSENING_SHIFT;
  /** 1 / requests per age step (2^-ageCoarseningShift): exact, and a multiplication per age */
  private perAgeStep = 2 ** -INITIAL_AGE_COARSENING_SHIFT;
  private ewmaObjects = 0;
  private ewmaObjectsMass = 0;
  private ewmaVictimDensity = 0;
  private explorerBudget: number;

  constructor(ctx: PolicyContext, params: ParamValues<typeof PARAMS>) {
    const n = ctx.objectCount;
    this.residents = new IndexedSet(n);
    this.random = new Random(ctx.seed);
    for (let c = 0; c < HIT_AGE_CLASSES; c++) {
      for (let age = 0; age < MAX_AGE; age++) {
        this.densities[c * MAX_AGE + age] = (FIRST_CLASS_NUMBER + c + 1) / (age + 1);
      }
    }
    this.recentlyAdmitted = new Int32Array(params.admissions).fill(NONE);
    this.associativity = params.associativity;
    this.explorerBudget = Math.trunc(ctx.capacity * EXPLORER_BUDGET_FRACTION);
  }

  hit(obj: number): void {
    const at = this.residents.positionOf(obj);
    const age = this.ageOf(at);
    this.hits[this.hitAgeClass[at] * MAX_AGE + age] += 1;
    if (this.explorer[at] === 1) this.explorerBudget += this.sizes[at];
    this.lastLastHitAge[at] = this.lastHitAge[at];
    this.lastHitAge[at] = age;
    this.hitAgeClass[at] = classOfHitAges(age + this.lastLastHitAge[at]);
    this.access(obj, at, false);
  }

  insert(obj: number, size: number): void {
    if (this.residents.size === this.sizes.length) this.growSlots();
    const at = this.residents.add(obj);
    this.sizes[at] = size;
    this.lastHitAge[at] = 0;
    this.lastLastHitAge[at] = MAX_AGE;
    this.hitAgeClass[at] = classOfHitAges(MAX_AGE);
    this.access(obj, at, true);
  }

  evict(): number {
    const victim = this.rank();
    const at = this.residents.positionOf(victim);
    this.evictions[this.hitAgeClass[at] * MAX_AGE + this.ageOf(at)] += 1;
    this.leave(victim);
    return victim;
  }

  remove(obj: number): void {
    this.leave(obj);
  }

  forget(obj: number): void {
    const ring = this.recentlyAdmitted;
    for (let i = 0; i < ring.length; i++) if (ring[i] === obj) ring[i] = NONE;
  }

  private access(obj: number, at: number, inserted: boolean): void {
    this.lastAccess[at] = this.timestamp;
    const explore = this.random.int(EXPLORE_INVERSE_PROBABILITY) === 0;
    if (explore && this.explorerBudget > 0 && this.reconfigurations < WARMUP_RECONFIGURATIONS) {
      this.explorer[at] = 1;
      this.explorerBudget -= this.sizes[at];
    } else {
      this.explorer[at] = 0;
    }
    const ring = this.recentlyAdmitted;
    if (inserted && !explore && ring.length > 0 && this.density(at) < this.ewmaVictimDensity) {
      ring[this.recentlyAdmittedHead++ % ring.length] = obj;
    }
    this.timestamp++;
    if (--this.untilReconfiguration === 0) {
      this.reconfigure();
      this.untilReconfiguration = ACCESSES_PER_RECONFIGURATION;
      this.reconfigurations++;
    }
  }

  private rank(): number {
    const residents = this.residents;
    const candidates =
      this.reconfigurations > WARMUP_RECONFIGURATIONS
        ? this.associativity
        : Math.min(WARMUP_CANDIDATES, this.associativity);
    let victimAt = NONE;
    let victimRank = Number.POSITIVE_INFINITY;
    for (let i = 0; i < candidates; i++) {
      const at = this.random.int(residents.size);
      const unexplored = this.unexploredDensity(at);
      // an explorer ranks higher still, so only a candidate that may win needs the lookup
      if (unexplored >= victimRank && victimAt !== NONE) continue;
      const rank = this.explored(at, unexplored);
      if (rank < victimRank || victimAt === NONE) {
        victimAt = at;
        victimRank = rank;
      }
    }
    let victim = victimAt === NONE ? NONE : residents.at(victimAt);
    const ring = this.recentlyAdmitted;
    for (let i = 0; i < ring.length; i++) {
      const obj = ring[i];
      if (obj === NONE || !residents.has(obj)) continue;
      const rank = this.density(residents.positionOf(obj));
      if (rank < victimRank) {
        victim = obj;
        victimRank = rank;
      }
    }
    this.ewmaVictimDensity = EWMA_DECAY * this.ewmaVictimDensity + (1 - EWMA_DECAY) * victimRank;
    return victim;
  }

  private leave(obj: number): void {
    const at = this.residents.positionOf(obj);
    if (this.explorer[at] === 1) this.explorerBudget += this.sizes[at];
    const refilled = this.residents.remove(obj);
    if (refilled >= 0) this.moveSlot(this.residents.size, refilled);
  }

  private moveSlot(from: number, to: number): void {
    this.lastAccess[to] = this.lastAccess[from];
    this.lastHitAge[to] = this.lastHitAge[from];
    this.lastLastHitAge[to] = this.lastLastHitAge[from];
    this.explorer[to] = this.explorer[from];
    this.hitAgeClass[to] = this.hitAgeClass[from];
    this.sizes[to] = this.sizes[from];
  }

  private growSlots(): void {
    const room = this.sizes.length * 2;
    this.lastAccess = grown(this.lastAccess, room);
    this.lastHitAge = grown(this.lastHitAge, room);
    this.lastLastHitAge = grown(this.lastLastHitAge, room);
    this.explorer = grown(this.explorer, room);
    this.hitAgeClass = grown(this.hitAgeClass, room);
    this.sizes = grown(this.sizes, room);
  }

  /** Age steps since the last access of the resident at `at`, capped at MAX_AGE - 1. */
  private ageOf(at: number): number {
    const age = Math.floor((this.timestamp - this.lastAccess[at]) * this.perAgeStep);
    return Math.min(age, MAX_AGE - 1);
  }

  private density(at: number): number {
    return this.explored(at, this.unexploredDensity(at));
  }

  /** The rank of the resident at `at` as if it were no explorer: hit density per byte. */
  private unexploredDensity(at: number): number {
    const age = this.ageOf(at);
    if (age === MAX_AGE - 1) return LOWEST_RANK;
    return Math.fround(this.densities[this.hitAgeClass[at] * MAX_AGE + age] / this.sizes[at]);
  }

  /** An explorer's rank is its density + 1 (but past MAX_AGE it ranks lowest all the same). */
  private explored(at: number, density: number): number {
    return this.explorer[at] === 1 && density !== LOWEST_RANK ? Math.fround(density + 1) : density;
  }

  private reconfigure(): void {
    for (let i = 0; i < this.hits.length; i++) {
      this.hits[i] *= EWMA_DECAY;
      this.evictions[i] *= EWMA_DECAY;
    }
    this.adaptAgeCoarsening();
    this.modelHitDensities();
  }

  /**
   * Hit density at age a: hits at ages >= a over the expected remaining lifetime of an
   * object that reached a (the sum, over later ages, of the events still to come).
   */
  private modelHitDensities(): void {
    for (let c = 0; c < HIT_AGE_CLASSES; c++) {
      const hits = classCounts(this.hits, c);
      const evictions = classCounts(this.evictions, c);
      const densities = classCounts(this.densities, c);
      let totalEvents = Math.fround(hits[MAX_AGE - 1] + evictions[MAX_AGE - 1]);
      let totalHits = hits[MAX_AGE - 1];
      let lifetime = totalEvents;
      for (let age = MAX_AGE - 2; age >= 0; age--) {
        totalHits = Math.fround(totalHits + hits[age]);
        totalEvents = Math.fround(totalEvents + Math.fround(hits[age] + evictions[age]));
        lifetime = Math.fround(lifetime + totalEvents);
        densities[age] = totalEvents > 1e-5 ? totalHits / lifetime : 0;
      }
    }
  }

  private adaptAgeCoarsening(): void {
    this.ewmaObjects = EWMA_DECAY * this.ewmaObjects + this.residents.size;
    this.ewmaObjectsMass = EWMA_DECAY * this.ewmaObjectsMass + 1;
    if (!COARSENING_RECONFIGURATIONS.includes(this.reconfigurations)) return;
    const objects = this.ewmaObjects / this.ewmaObjectsMass;
    const optimal = objects / (AGE_COARSENING_ERROR_TOLERANCE * MAX_AGE);
    let shift = 1;
    while (2 ** shift < optimal) shift++;
    const delta = shift - this.ageCoarseningShift;
    this.ageCoarseningShift = shift;
    this.perAgeStep = 2 ** -shift;
    // more weight, to delay another shift for a while
    this.ewmaObjects *= 8;
    this.ewmaObjectsMass *= 8;
    for (let c = 0; c < HIT_AGE_CLASSES; c++) {
      for (const counts of [classCounts(this.hits, c), classCounts(this.evictions, c)]) {
        if (delta < 0) stretch(counts, -delta);
        else if (delta > 0) compress(counts, delta);
      }
    }
  }
}

/** Class `c`'s counts by age, a view of the per-class array. */
function classCounts(all: Float32Array, c: number): Float32Array {
  return all.subarray(c * MAX_AGE, (c + 1) * MAX_AGE);
}

/** The hit-age class of the sum of an object's last two hit ages: about log2(MAX_AGE / sum). */
function classOfHitAges(sum: number): number {
  if (sum === 0) return HIT_AGE_CLASSES - 1;
  let age = sum;
  let log = 0;
  while (age < MAX_AGE && log < HIT_AGE_CLASSES - 1) {
    age *= 2;
    log++;
  }
  return log;
}

/** Rescales counts by age to ages 2^by times longer (a finer coarsening). */
function stretch(counts: Float32Array, by: number): void {
  for (let age = MAX_AGE >> by; age < MAX_AGE - 1; age++) counts[MAX_AGE - 1] += counts[age];
  for (let age = MAX_AGE - 2; age >= 0; age--) counts[age] = counts[age >> by] / 2 ** by;
}

/** Rescales counts by age to ages 2^by times shorter (a coarser coarsening). */
function compress(counts: Float32Array, by: number): void {
  const width = 2 ** by;
  for (let age = 0; age < MAX_AGE >> by; age++) {
    let sum = counts[age * width];
    for (let i = 1; i < width; i++) sum = Math.fround(sum + counts[age * width + i]);
    counts[age] = sum;
  }
  counts.fill(0, MAX_AGE >> by, MAX_AGE - 1);
}

export const lhd = definePolicy({
  name: 'lhd',
  description:
    'LHD: evict the sampled object of least hit density, learned per class and age (libCacheSim LHD)',
  params: PARAMS,
  create: (ctx, params) => new Lhd(ctx, params),
});
