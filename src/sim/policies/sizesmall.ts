import { definePolicy } from '../policy.js';
import { SizeOrder } from './size-order.js';

/** Evict the smallest resident object first (smart-cache SizeSmall); see size-order.ts. */
export const sizesmall = definePolicy({
  name: 'sizesmall',
  params: {},
  description: 'evict the smallest object first, least recently requested among equals (CMS smart-cache)',
  create: (ctx) => new SizeOrder(ctx, false),
});
