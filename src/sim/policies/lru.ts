import { definePolicy } from '../policy.js';
import { QueuePolicy } from './queue.js';

/** Least recently used: a hit moves the object to the head; the tail is the oldest request. */
class Lru extends QueuePolicy {
  hit(obj: number): void {
    this.list.moveToHead(obj);
  }
}

export const lru = definePolicy({
  name: 'lru',
  params: {},
  description: 'least recently used',
  create: (ctx) => new Lru(ctx),
});
