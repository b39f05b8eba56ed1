/**
 * table.json of a `q-table` bundle: both SCDL2 tables with the feature maps they were
 * learned on, so a bundle made with other bucket edges is refused instead of misread.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Random } from '../../common/random.js';
import { BundleError } from '../bundle.js';
import { ADDITION_ACTIONS, EVICTION_ACTIONS } from './actions.js';
import { QTable } from './q-table.js';
import { ADDITION_SPACE, EVICTION_SPACE } from './table-encoder.js';

export const TABLE_FILE = 'table.json';

interface TableJson {
  features: number[][];
  actions: string[];
  values: number[];
}

export interface TableFile {
  addition: TableJson;
  eviction: TableJson;
}

const featureEdges = (space: typeof ADDITION_SPACE) => space.features.map((f) => [...f.edges]);

export function tableFile(addition: QTable, eviction: QTable): TableFile {
  return {
    addition: {
      features: featureEdges(ADDITION_SPACE),
      actions: [...ADDITION_ACTIONS],
      values: [...addition.values],
    },
    eviction: {
      features: featureEdges(EVICTION_SPACE),
      actions: [...EVICTION_ACTIONS],
      values: [...eviction.values],
    },
  };
}

export function readTables(dir: string, rng: Random): { addition: QTable; eviction: QTable } {
  const file = JSON.parse(readFileSync(join(dir, TABLE_FILE), 'utf8')) as TableFile;
  const load = (name: 'addition' | 'eviction', space: typeof ADDITION_SPACE, actions: readonly string[]) => {
    const t = file[name];
    if (JSON.stringify(t?.features) !== JSON.stringify(featureEdges(space))) {
      throw new BundleError(
        dir,
        `${TABLE_FILE} ${name}.features`,
        'bucket edges differ from SCDL2 feature maps',
      );
    }
    if (t.values.length !== space.size * actions.length) {
      throw new BundleError(
        dir,
        `${TABLE_FILE} ${name}.values`,
        `expected ${space.size * actions.length} values`,
      );
    }
    return new QTable(space.size, actions.length, rng, Float64Array.from(t.values));
  };
  return {
    addition: load('addition', ADDITION_SPACE, ADDITION_ACTIONS),
    eviction: load('eviction', EVICTION_SPACE, EVICTION_ACTIONS),
  };
}
