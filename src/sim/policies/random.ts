import { Random } from '../../common/random.js';
import type { Policy, PolicyContext } from '../policy.js';
import { definePolicy } from '../policy.js';
import { IndexedSet } from '../structs/indexed-set.js';

/**
 * Random eviction (libCacheSim Random.c): the victim is drawn uniformly from the
 * resident objects. Draws come from a generator seeded with `ctx.seed`, so a run is
 * reproducible; libCacheSim's own draws (from its hash table) are not reproduced.
 */
class RandomEviction implements Policy {
  private readonly residents: IndexedSet;
  private readonly random: Random;

  constructor(ctx: PolicyContext) {
    this.residents = new IndexedSet(ctx.objectCount);
    this.random = new Random(ctx.seed);
  }

  hit(): void {}

  insert(obj: number): void {
    this.residents.add(obj);
  }

  evict(): number {
    const victim = this.residents.at(this.random.int(this.residents.size));
    this.residents.remove(victim);
    return victim;
  }

  remove(obj: number): void {
    this.residents.remove(obj);
  }
}

export const random = definePolicy({
  name: 'random',
  params: {},
  description: 'evict a uniformly random resident object (seeded)',
  create: (ctx) => new RandomEviction(ctx),
});
