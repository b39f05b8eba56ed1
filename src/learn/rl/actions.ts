/** Action order of the original tables (qlearn.go `Init`): with ties the first is the default. */
export const ADDITION_ACTIONS = ['NotStore', 'Store'] as const;
export const EVICTION_ACTIONS = [
  'NotDelete',
  'DeleteOne',
  'DeleteQuarter',
  'DeleteHalf',
  'DeleteAll',
] as const;

export const NOT_STORE = 0;
export const STORE = 1;
export const NOT_DELETE = 0;
export const DELETE_ONE = 1;
export const DELETE_QUARTER = 2;
export const DELETE_HALF = 3;
export const DELETE_ALL = 4;

/**
 * How many files of a category of `n` files an action deletes (aiRL.go `callEvictionAgent`):
 * all, half or a quarter rounded down but at least one (the original deletes before it
 * checks the count), one, or none.
 */
export function deleteCount(action: number, n: number): number {
  switch (action) {
    case DELETE_ALL:
      return n;
    case DELETE_HALF:
      return Math.max(1, Math.floor(n / 2));
    case DELETE_QUARTER:
      return Math.max(1, Math.floor(n / 4));
    case DELETE_ONE:
      return Math.min(1, n);
    default:
      return 0;
  }
}
