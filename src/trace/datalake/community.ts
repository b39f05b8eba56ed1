/**
 * Who runs the analyses and where: computing sites with their share of the work, and
 * users whose activity is heavy-tailed, each with a home site they mostly run at.
 */
import { cumulativeWeights, pickWeighted, type Random } from '../../common/random.js';
import { zipfWeights } from './catalog.js';

export interface SiteSpec {
  /** CMS site name, e.g. T2_IT_Pisa */
  readonly name: string;
  /** relative share of the analysis work run there */
  readonly weight: number;
}

/** Tier-1 and large Tier-2 analysis sites, weighted roughly by their analysis slots. */
export const DEFAULT_SITES: readonly SiteSpec[] = [
  { name: 'T1_US_FNAL', weight: 18 },
  { name: 'T2_CH_CERN', weight: 12 },
  { name: 'T2_DE_DESY', weight: 10 },
  { name: 'T2_US_Wisconsin', weight: 8 },
  { name: 'T2_US_Nebraska', weight: 8 },
  { name: 'T2_US_MIT', weight: 7 },
  { name: 'T1_IT_CNAF', weight: 7 },
  { name: 'T2_IT_Pisa', weight: 6 },
  { name: 'T2_IT_Legnaro', weight: 6 },
  { name: 'T2_IT_Bari', weight: 5 },
  { name: 'T2_IT_Rome', weight: 4 },
  { name: 'T2_UK_London_IC', weight: 4 },
];

/** Share of a user's analyses run at their home site (their institute's or nearest Tier-2). */
const HOME_SITE_SHARE = 0.85;
/** Zipf exponent of user activity: a few power users submit most of the work. */
const USER_ACTIVITY_SKEW = 0.8;

export class Community {
  readonly siteNames: string[];
  readonly userNames: string[];
  private readonly siteCdf: Float64Array;
  private readonly userCdf: Float64Array;
  private readonly homeSite: Int32Array;

  constructor(sites: readonly SiteSpec[], users: number, rng: Random) {
    this.siteNames = sites.map((s) => s.name);
    this.siteCdf = cumulativeWeights(sites.map((s) => s.weight));
    this.userCdf = cumulativeWeights(zipfWeights(users, USER_ACTIVITY_SKEW, rng));
    const digits = String(users).length;
    this.userNames = Array.from({ length: users }, (_, u) => `user${String(u + 1).padStart(digits, '0')}`);
    this.homeSite = Int32Array.from({ length: users }, () => pickWeighted(this.siteCdf, rng));
  }

  pickUser(rng: Random): number {
    return pickWeighted(this.userCdf, rng);
  }

  pickSite(user: number, rng: Random): number {
    return rng.chance(HOME_SITE_SHARE) ? this.homeSite[user] : pickWeighted(this.siteCdf, rng);
  }
}
