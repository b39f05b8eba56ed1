/** CMS logical file names: `/store/<type>/<Campaign>/<Process>/<Tier>/...`. */

/** Slashes up to the end of an LFN's dataset part: `/store/<type>/<Campaign>/<Process>/<Tier>`. */
const LFN_DATASET_SLASHES = 6;

/** The dataset of a logical file name (its first five path components), or undefined for other names. */
export function lfnDataset(filename: string): string | undefined {
  if (!filename.startsWith('/store/')) return undefined;
  let slash = 0;
  for (let n = 1; n < LFN_DATASET_SLASHES; n++) {
    slash = filename.indexOf('/', slash + 1);
    if (slash === -1) return undefined;
  }
  return filename.slice(0, slash);
}
