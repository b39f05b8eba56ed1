/** Registers the learned policies into the simulator's registry (sim/policies/index.ts). */
import { registerPolicies } from '../../sim/policies/index.js';
import { learnedAdmit } from './learned-admit.js';
import { learnedEvict } from './learned-evict.js';
import { lrb } from './lrb.js';
import { rl } from './rl.js';
import { scdl2 } from './scdl2.js';
import { select } from './select.js';

registerPolicies(import.meta.url, [learnedAdmit, learnedEvict, lrb, select, scdl2, rl]);
