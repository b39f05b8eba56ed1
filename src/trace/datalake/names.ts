/**
 * CMS naming for generated datasets and files: dataset names
 * `/Primary/Processed/TIER` and logical file names under `/store/mc` or `/store/data`,
 * in the shapes of real CMS bookkeeping so that traces read like the real thing.
 */
import { mix32, type Random } from '../../common/random.js';

export interface Campaign {
  readonly kind: 'mc' | 'data';
  /** MC production campaign (RunIISummer20UL18) or data-taking era (Run2024F) */
  readonly name: string;
  /** global-tag-like conditions (MC) or processing string (data) */
  readonly processing: string;
}

/** Oldest first: datasets released during a trace come from the newest campaigns. */
export const CAMPAIGNS: readonly Campaign[] = [
  { kind: 'mc', name: 'RunIISummer20UL16MiniAODv2', processing: '106X_mcRun2_asymptotic_v17' },
  { kind: 'mc', name: 'RunIISummer20UL17MiniAODv2', processing: '106X_mc2017_realistic_v9' },
  { kind: 'data', name: 'Run2018D', processing: 'UL2018_MiniAODv2' },
  { kind: 'mc', name: 'RunIISummer20UL18MiniAODv2', processing: '106X_upgrade2018_realistic_v16_L1v1' },
  { kind: 'data', name: 'Run2022F', processing: '22Sep2023' },
  { kind: 'mc', name: 'Run3Summer22EEMiniAODv4', processing: '130X_mcRun3_2022_realistic_postEE_v6' },
  { kind: 'data', name: 'Run2023C', processing: '22Sep2023' },
  { kind: 'mc', name: 'Run3Summer23MiniAODv4', processing: '130X_mcRun3_2023_realistic_v14' },
  { kind: 'mc', name: 'Run3Summer23BPixMiniAODv4', processing: '130X_mcRun3_2023_realistic_postBPix_v2' },
  { kind: 'data', name: 'Run2024F', processing: 'PromptReco' },
  { kind: 'data', name: 'Run2024I', processing: 'PromptReco' },
  { kind: 'mc', name: 'RunIII2024Summer24MiniAODv6', processing: '150X_mcRun3_2024_realistic_v2' },
];

const MC_PROCESSES = [
  'TTtoLNu2Q_TuneCP5_13p6TeV_powheg-pythia8',
  'TTto2L2Nu_TuneCP5_13p6TeV_powheg-pythia8',
  'DYto2L-2Jets_MLL-50_TuneCP5_13p6TeV_amcatnloFXFX-pythia8',
  'WtoLNu-2Jets_TuneCP5_13p6TeV_amcatnloFXFX-pythia8',
  'QCD-4Jets_HT-400to600_TuneCP5_13p6TeV_madgraphMLM-pythia8',
  'QCD_PT-120to170_MuEnrichedPt5_TuneCP5_13p6TeV_pythia8',
  'GluGluHto2G_M-125_TuneCP5_13p6TeV_powheg-pythia8',
  'GluGlutoHHto2B2G_kl-1p00_kt-1p00_c2-0p00_TuneCP5_13p6TeV_powheg-pythia8',
  'ZZto4L_TuneCP5_13p6TeV_powheg-pythia8',
  'WZto3LNu_TuneCP5_13p6TeV_powheg-pythia8',
  'TWminusto2L2Nu_TuneCP5_13p6TeV_powheg-pythia8',
  'VBFHto2B_M-125_TuneCP5_13p6TeV_powheg-pythia8',
];

const PRIMARY_DATASETS = [
  'Muon0',
  'Muon1',
  'EGamma0',
  'EGamma1',
  'JetMET0',
  'JetMET1',
  'MuonEG',
  'Tau',
  'BTagMu',
  'DisplacedJet',
  'ParkingDoubleMuonLowMass0',
  'ZeroBias',
];

/** Data tier with its share of datasets and its file size relative to MiniAOD. */
interface Tier {
  readonly mc: string;
  readonly data: string;
  readonly share: number;
  readonly relativeSize: number;
}

const TIERS: readonly Tier[] = [
  { mc: 'MINIAODSIM', data: 'MINIAOD', share: 0.6, relativeSize: 1 },
  { mc: 'NANOAODSIM', data: 'NANOAOD', share: 0.3, relativeSize: 0.35 },
  { mc: 'AODSIM', data: 'AOD', share: 0.1, relativeSize: 1.6 },
];

export interface DatasetName {
  /** `/Primary/Processed/TIER` as in DAS */
  readonly dataset: string;
  /** LFN directory of the dataset's files, ending in `/` */
  readonly directory: string;
  /** file size of this tier relative to MiniAOD */
  readonly relativeSize: number;
}

function pickTier(rng: Random): Tier {
  let u = rng.float();
  for (const tier of TIERS) {
    u -= tier.share;
    if (u < 0) return tier;
  }
  return TIERS[0];
}

/**
 * Names one dataset of `campaign`. `versions` counts the datasets already named per
 * primary, campaign and tier; repeats get CMS's `-v2`, `-v3` and `_ext1` suffixes.
 */
export function nameDataset(campaign: Campaign, rng: Random, versions: Map<string, number>): DatasetName {
  const tier = pickTier(rng);
  const primaries = campaign.kind === 'mc' ? MC_PROCESSES : PRIMARY_DATASETS;
  const drawn = primaries[rng.int(primaries.length)];
  // Run 2 (2016-2018) samples were simulated at 13 TeV, Run 3 at 13.6 TeV.
  const primary = campaign.name.startsWith('RunIISummer20') ? drawn.replace('13p6TeV', '13TeV') : drawn;
  const tierName = campaign.kind === 'mc' ? tier.mc : tier.data;
  const block = (campaign.kind === 'mc' ? 2520000 : 260000) + 10000 * rng.int(30);
  const family = `${primary}/${campaign.name}/${tierName}`;
  const earlier = versions.get(family) ?? 0;
  versions.set(family, earlier + 1);
  const extension = Math.floor(earlier / 3);
  const processed = `${campaign.processing}${extension > 0 ? `_ext${extension}` : ''}-v${1 + (earlier % 3)}`;
  return {
    dataset: `/${primary}/${campaign.name}-${processed}/${tierName}`,
    directory: `/store/${campaign.kind}/${campaign.name}/${primary}/${tierName}/${processed}/${block}/`,
    relativeSize: tier.relativeSize,
  };
}

const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).toUpperCase().padStart(2, '0'));

/** Eight uppercase hex digits of a uint32; `half` 1 keeps the low four, 2 the high four. */
function hex(word: number, half: 0 | 1 | 2 = 0): string {
  const high = HEX_BYTE[word >>> 24] + HEX_BYTE[(word >>> 16) & 0xff];
  const low = HEX_BYTE[(word >>> 8) & 0xff] + HEX_BYTE[word & 0xff];
  return half === 1 ? low : half === 2 ? high : high + low;
}

/**
 * A GUID-shaped file name for catalogue file `file`, unique per file: its first group
 * is a bijection of the file number, the rest only make it look random.
 */
export function fileName(file: number, salt: number): string {
  const w0 = mix32(file ^ salt);
  const w1 = mix32(w0 + 0x6a09e667);
  const w2 = mix32(w1 + 0xbb67ae85);
  const w3 = mix32(w2 + 0x3c6ef372);
  return `${hex(w0)}-${hex(w1, 1)}-${hex(w1, 2)}-${hex(w2, 1)}-${hex(w2, 2)}${hex(w3)}.root`;
}
