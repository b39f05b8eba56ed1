/**
 * The inputs of the RL agents' heads, by name, as a served bundle lists them in `features`:
 * a row sent to the model service holds the agent's state, not raw request features.
 */
import { FEATURE_NAMES } from '../../prep/schema.js';

/** scdl2's addition state, bucketed by the table's edges (docs/rl.md) */
export const SCDL2_ADDITION_INPUTS = [
  'size_mb',
  'requests',
  'since_last_requests',
  'hit',
  'occupancy_pct',
  'hit_rate_pct',
] as const;

/** scdl2's eviction state of one category: its size, requests and recency bucket indices */
export const SCDL2_EVICTION_INPUTS = [
  'category_size_bucket',
  'category_requests_bucket',
  'category_since_last_bucket',
  'category_share_pct',
  'occupancy_pct',
  'hit_rate_pct',
] as const;

/** rl's addition input for a request feature: sign(x)·ln(1 + |x|), a missing value as -1 */
export const squashedName = (feature: string): string => `slog_${feature}`;

export const RL_CACHE_INPUTS = ['occupancy_fraction', 'hit_rate_fraction'] as const;

/** rl's eviction state of one category: bucket indices scaled to [0, 1], shares as fractions */
export const RL_EVICTION_INPUTS = [
  'category_size_level',
  'category_requests_level',
  'category_since_last_level',
  'category_share_fraction',
  ...RL_CACHE_INPUTS,
] as const;

/** Every name an agent head may read. */
export const AGENT_INPUT_NAMES: readonly string[] = [
  ...new Set<string>([
    ...SCDL2_ADDITION_INPUTS,
    ...SCDL2_EVICTION_INPUTS,
    ...FEATURE_NAMES.map(squashedName),
    ...RL_CACHE_INPUTS,
    ...RL_EVICTION_INPUTS,
  ]),
];
