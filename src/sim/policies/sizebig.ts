import { definePolicy } from '../policy.js';
import { SizeOrder } from './size-order.js';

/** Evict the largest resident object first (smart-cache SizeBig); see size-order.ts. */
export const sizebig = definePolicy({
  name: 'sizebig',
  params: {},
  description: 'evict the largest object first, least recently requested among equals (CMS smart-cache)',
  create: (ctx) => new SizeOrder(ctx, true),
});
