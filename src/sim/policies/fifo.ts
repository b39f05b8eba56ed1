import { definePolicy } from '../policy.js';
import { QueuePolicy } from './queue.js';

/** First in, first out: hits change nothing; the tail is the oldest insertion. */
class Fifo extends QueuePolicy {
  hit(): void {}
}

export const fifo = definePolicy({
  name: 'fifo',
  params: {},
  description: 'first in, first out',
  create: (ctx) => new Fifo(ctx),
});
