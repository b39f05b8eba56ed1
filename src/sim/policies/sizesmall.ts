import type { PolicySpec } from '../policy.js';
import { SizeOrder } from './size-order.js';

/** Evict the smallest resident object first (smart-cache SizeSmall); see size-order.ts. */
export const sizesmall: PolicySpec = {
  name: 'sizesmall',
  description: 'evict the smallest object first, least recently requested among equals (CMS smart-cache)',
  create: (ctx) => new SizeOrder(ctx, false),
};
