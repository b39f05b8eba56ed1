/**
 * Feature names a bundle may list: the feature columns of the prep schema (`smartcache prep`,
 * docs/bundles.md), in schema order.
 */
export const KNOWN_FEATURES: readonly string[] = [
  'log_size',
  'since_last',
  'count_1h',
  'count_1d',
  'count_7d',
  'count_ever',
  'dataset_count_1d',
  'distinct_users',
  'age',
  'hour_of_day',
  'day_of_week',
];
