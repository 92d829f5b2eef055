// Training options with the official defaults of NVlabs stylegan3 train.py / training/training_loop.py per
// configuration, and their validation (one clear message per bad value).
import { METRICS } from '../metrics/registry.js';
import { InputError } from '../errors.js';
import { AUGMENT_PRESETS } from './augment-spec.js';

export type TrainingCfg = 'stylegan2' | 'stylegan3-t' | 'stylegan3-r' | 'stylegan1';
export const TRAINING_CFGS: readonly TrainingCfg[] = ['stylegan2', 'stylegan3-t', 'stylegan3-r', 'stylegan1'];
export type AugMode = 'ada' | 'noaug' | 'fixed';

export interface TrainingOptions {
  cfg: TrainingCfg;
  batch: number; // total batch size
  gamma: number; // R1 regularization weight
  kimg: number; // total training duration in thousands of real images shown
  mirror: boolean; // dataset x-flips
  aug: AugMode;
  augpipe: string; // augmentation preset (bgc)
  target: number; // ADA target for E[sign(D(real))]
  augP: number; // initial (or, for 'fixed', constant) augmentation probability
  adaKimg: number; // ADA speed: p can go 0 -> 1 in this many kimg
  adaInterval: number; // steps between p adjustments
  glr: number;
  dlr: number;
  betas: [number, number];
  eps: number;
  cbase: number; // channel_base
  cmax: number; // channel_max
  mapDepth: number; // mapping layers
  mbstdGroup: number; // minibatch-stddev group size
  zDim: number;
  wDim: number;
  styleMixingProb: number;
  plWeight: number; // 0 disables path-length regularization
  plDecay: number;
  plBatchShrink: number;
  gRegInterval: number | null; // lazy regularization of G (null: none, no lr correction)
  dRegInterval: number;
  emaKimg: number; // half-life of the generator EMA in kimg
  emaRampup: number | null; // EMA ramp-up ratio (null: none)
  blurInitSigma: number; // StyleGAN3-R: D input blur at the start
  blurFadeKimg: number; // ... faded out over this many kimg
  kimgPerTick: number;
  snap: number; // ticks between snapshots (and fakes grids)
  seed: number;
  metrics: string[]; // computed at snapshots (metric registry names)
  lodInitialResolution: number; // StyleGAN (v1): resolution the progressive growing starts at
  lodTrainingKimg: number; // ... thousands of images shown at each resolution before the next fades in
  lodTransitionKimg: number; // ... thousands of images shown while it fades in
}

/**
 * train.py's configuration for a cfg and batch (everything a user may still override).
 * @example const o = defaultTrainingOptions('stylegan2', 8, 1);
 */
export function defaultTrainingOptions(cfg: TrainingCfg, batch: number, gamma: number): TrainingOptions {
  const sg2 = cfg === 'stylegan2';
  const r = cfg === 'stylegan3-r';
  const v1 = cfg === 'stylegan1'; // NVlabs/stylegan train.py: lr 0.001, fmap_base 8192, G_smoothing_kimg 10
  return {
    cfg,
    batch,
    gamma,
    kimg: 25000,
    mirror: false,
    aug: 'ada',
    augpipe: 'bgc',
    target: 0.6,
    augP: 0,
    adaKimg: 500,
    adaInterval: 4,
    glr: v1 ? 0.001 : sg2 ? 0.002 : 0.0025,
    dlr: v1 ? 0.001 : 0.002,
    betas: [0, 0.99],
    eps: 1e-8,
    cbase: v1 ? 16384 : 32768, // (stylegan3-r doubles it, and cmax, for G only; stylegan1's fmap_base 8192 = cbase / 2)
    cmax: 512,
    mapDepth: sg2 || cfg === 'stylegan1' ? 8 : 2,
    mbstdGroup: 4,
    zDim: 512,
    wDim: 512,
    styleMixingProb: sg2 || cfg === 'stylegan1' ? 0.9 : 0,
    plWeight: sg2 ? 2 : 0,
    plDecay: 0.01,
    plBatchShrink: 2,
    gRegInterval: sg2 ? 4 : null,
    dRegInterval: 16,
    emaKimg: v1 ? 10 : (batch * 10) / 32,
    emaRampup: v1 ? null : 0.05,
    blurInitSigma: r ? 10 : 0,
    blurFadeKimg: r ? (batch * 200) / 32 : 0,
    kimgPerTick: 4,
    snap: 50,
    seed: 0,
    metrics: [],
    lodInitialResolution: 8,
    lodTrainingKimg: 600,
    lodTransitionKimg: 600,
  };
}

const positive = (v: number, name: string) => {
  if (!(Number.isFinite(v) && v > 0)) throw new InputError(`${name} must be a positive number, got ${v}`);
};
const nonNegative = (v: number, name: string) => {
  if (!(Number.isFinite(v) && v >= 0)) throw new InputError(`${name} must be a number >= 0, got ${v}`);
};
const integer = (v: number, name: string, min: number) => {
  if (!Number.isInteger(v) || v < min) throw new InputError(`${name} must be an integer >= ${min}, got ${v}`);
};

/**
 * Checks every option, naming the first bad one.
 * @example validateTrainingOptions({ ...defaultTrainingOptions('stylegan2', 8, 1), kimg: 10 });
 */
export function validateTrainingOptions(o: TrainingOptions): TrainingOptions {
  if (!TRAINING_CFGS.includes(o.cfg)) throw new InputError(`--cfg must be one of ${TRAINING_CFGS.join(', ')}, got '${o.cfg}'`);
  integer(o.batch, '--batch', 1);
  nonNegative(o.gamma, '--gamma');
  positive(o.kimg, '--kimg');
  if (!['ada', 'noaug', 'fixed'].includes(o.aug)) throw new InputError(`--aug must be ada, noaug or fixed, got '${o.aug}'`);
  if (!Object.hasOwn(AUGMENT_PRESETS, o.augpipe)) throw new InputError(`--augpipe must be one of ${Object.keys(AUGMENT_PRESETS).join(', ')}, got '${o.augpipe}'`);
  if (!(o.target >= 0 && o.target <= 1)) throw new InputError(`--target must be in [0, 1], got ${o.target}`);
  if (!(o.augP >= 0 && o.augP <= 1)) throw new InputError(`--p must be in [0, 1], got ${o.augP}`);
  positive(o.adaKimg, 'ada kimg');
  integer(o.adaInterval, 'ada interval', 1);
  positive(o.glr, '--glr');
  positive(o.dlr, '--dlr');
  integer(o.cbase, '--cbase', 1);
  integer(o.cmax, '--cmax', 1);
  integer(o.mapDepth, '--map-depth', 1);
  integer(o.mbstdGroup, '--mbstd-group', 1);
  if (o.batch % Math.min(o.mbstdGroup, o.batch) !== 0) throw new InputError(`--batch (${o.batch}) must be a multiple of --mbstd-group (${o.mbstdGroup})`);
  integer(o.zDim, 'z_dim', 1);
  integer(o.wDim, 'w_dim', 1);
  if (!(o.styleMixingProb >= 0 && o.styleMixingProb <= 1)) throw new InputError(`style mixing probability must be in [0, 1], got ${o.styleMixingProb}`);
  nonNegative(o.plWeight, 'path length weight');
  integer(o.plBatchShrink, 'pl batch shrink', 1);
  if (o.plWeight > 0 && o.batch % o.plBatchShrink !== 0) throw new InputError(`--batch (${o.batch}) must be a multiple of the path-length batch shrink (${o.plBatchShrink})`);
  if (o.gRegInterval !== null) integer(o.gRegInterval, 'G regularization interval', 1);
  integer(o.dRegInterval, 'D regularization interval', 1);
  nonNegative(o.emaKimg, 'ema kimg');
  if (o.emaRampup !== null) positive(o.emaRampup, 'ema rampup');
  nonNegative(o.blurInitSigma, 'blur sigma');
  nonNegative(o.blurFadeKimg, 'blur fade kimg');
  positive(o.kimgPerTick, '--tick');
  integer(o.snap, '--snap', 1);
  integer(o.seed, '--seed', 0);
  integer(o.lodInitialResolution, 'lod initial resolution', 1);
  nonNegative(o.lodTrainingKimg, '--lod-kimg');
  nonNegative(o.lodTransitionKimg, '--lod-kimg');
  for (const m of o.metrics) {
    const def = METRICS.find((d) => d.name === m);
    if (!def) throw new InputError(`unknown metric '${m}' (known: ${METRICS.map((d) => d.name).join(', ')})`);
  }
  return o;
}
