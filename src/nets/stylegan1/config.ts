// StyleGAN (v1) network configurations: the official keyword arguments of NVlabs/stylegan
// training/networks_stylegan.py (G_style, G_mapping, G_synthesis, D_basic) in our names, with their
// defaults and validation.
import { CheckpointError } from '../../errors.js';

export interface StyleGAN1MappingConfig {
  numLayers: number; // mapping_layers: number of fully-connected layers
  layerFeatures: number; // mapping_fmaps: activations in the hidden mapping layers
  lrMultiplier: number; // mapping_lrmul: learning-rate multiplier of the mapping layers
  normalizeLatents: boolean; // normalize_latents: pixel norm of z (and the embedded label) first
}

export interface StyleGAN1SynthesisConfig {
  fmapBase: number; // fmap_base: overall multiplier for the number of feature maps
  fmapMax: number; // fmap_max: maximum number of feature maps in any layer
  useNoise: boolean; // use_noise: per-layer noise inputs
  blurFilter: number[] | null; // blur_filter: low-pass filter after upsampling / before downsampling, null = none
}

export interface StyleGAN1GeneratorConfig {
  zDim: number; // latent_size
  cDim: number; // label_size, 0 = unconditional
  wDim: number; // dlatent_size
  imgResolution: number; // resolution (a power of two >= 4)
  imgChannels: number; // num_channels
  mapping: StyleGAN1MappingConfig;
  synthesis: StyleGAN1SynthesisConfig;
  dlatentAvgBeta: number | null; // decay of the tracked average w during training, null = not tracked
  truncationCutoff: number | null; // G_style's default truncation_cutoff: truncate the first N ws, null = all
  styleMixingProb: number; // probability of mixing styles during training, 0 = off
}

export interface StyleGAN1DiscriminatorConfig {
  cDim: number; // label_size
  imgResolution: number;
  imgChannels: number;
  fmapBase: number;
  fmapMax: number;
  mbstdGroupSize: number; // minibatch-stddev group size, <= 1 = off
  mbstdNumFeatures: number; // minibatch-stddev features
  blurFilter: number[] | null;
}

export const DEFAULT_STYLEGAN1_MAPPING: StyleGAN1MappingConfig = { numLayers: 8, layerFeatures: 512, lrMultiplier: 0.01, normalizeLatents: true };
export const DEFAULT_STYLEGAN1_SYNTHESIS: StyleGAN1SynthesisConfig = { fmapBase: 8192, fmapMax: 512, useNoise: true, blurFilter: [1, 2, 1] };

/** Leaky ReLU slope of every StyleGAN (v1) layer (the gain sqrt(2) lives in the weights' runtime scale). */
export const LRELU_ALPHA = 0.2;

/**
 * The official generator configuration (G_style defaults, FFHQ's fmap_base 8192) for a resolution.
 * @example const cfg = stylegan1GeneratorConfig({ imgResolution: 64, imgChannels: 3 });
 */
export function stylegan1GeneratorConfig(o: { imgResolution: number; imgChannels?: number; zDim?: number; wDim?: number; cDim?: number; fmapBase?: number; fmapMax?: number; mappingLayers?: number; mappingFeatures?: number }): StyleGAN1GeneratorConfig {
  const wDim = o.wDim ?? 512;
  return validateStyleGAN1GeneratorConfig({
    zDim: o.zDim ?? 512,
    cDim: o.cDim ?? 0,
    wDim,
    imgResolution: o.imgResolution,
    imgChannels: o.imgChannels ?? 3,
    mapping: { ...DEFAULT_STYLEGAN1_MAPPING, numLayers: o.mappingLayers ?? 8, layerFeatures: o.mappingFeatures ?? wDim },
    synthesis: { ...DEFAULT_STYLEGAN1_SYNTHESIS, fmapBase: o.fmapBase ?? 8192, fmapMax: o.fmapMax ?? 512 },
    dlatentAvgBeta: 0.995,
    truncationCutoff: 8,
    styleMixingProb: 0.9,
  });
}

/**
 * The official discriminator configuration (D_basic defaults) for a resolution.
 * @example const cfg = stylegan1DiscriminatorConfig({ imgResolution: 64, imgChannels: 3 });
 */
export function stylegan1DiscriminatorConfig(o: { imgResolution: number; imgChannels?: number; cDim?: number; fmapBase?: number; fmapMax?: number; mbstdGroupSize?: number }): StyleGAN1DiscriminatorConfig {
  return validateStyleGAN1DiscriminatorConfig({
    cDim: o.cDim ?? 0,
    imgResolution: o.imgResolution,
    imgChannels: o.imgChannels ?? 3,
    fmapBase: o.fmapBase ?? 8192,
    fmapMax: o.fmapMax ?? 512,
    mbstdGroupSize: o.mbstdGroupSize ?? 4,
    mbstdNumFeatures: 1,
    blurFilter: [1, 2, 1],
  });
}

/** nf(stage) of the official code: min(fmap_base / 2^stage, fmap_max) (fmap_decay 1). */
export function nf(cfg: { fmapBase: number; fmapMax: number }, stage: number): number {
  return Math.min(Math.floor(cfg.fmapBase / 2 ** stage), cfg.fmapMax);
}

/** Feature maps of the generator (and discriminator) layers at a resolution: nf(log2(res) - 1). */
export function channelsAt1(cfg: { fmapBase: number; fmapMax: number }, res: number): number {
  return nf(cfg, Math.log2(res) - 1);
}

/** Number of synthesis layers (two per resolution from 4x4) = number of ws: 2 log2(R) - 2. */
export function numLayersOf(imgResolution: number): number {
  return 2 * Math.log2(imgResolution) - 2;
}

/** The level of detail at which a resolution is the finest shown: log2(R) - log2(res). */
export function lodOf(imgResolution: number, res: number): number {
  return Math.log2(imgResolution) - Math.log2(res);
}

function int(v: unknown, name: string, lo: number, hi: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new CheckpointError(`${name} must be an integer in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
}
function resolution(v: unknown): void {
  int(v, 'resolution', 4, 8192);
  if (!Number.isInteger(Math.log2(v as number))) throw new CheckpointError(`resolution must be a power of two >= 4, got ${v as number}`);
}
function blurFilter(v: unknown): void {
  if (v !== null && !(Array.isArray(v) && v.length >= 1 && v.length <= 8 && v.every((t) => typeof t === 'number' && Number.isFinite(t)) && v.reduce((a: number, b: number) => a + b, 0) !== 0)) {
    throw new CheckpointError(`blur_filter must be null or a list of 1-8 numbers with a non-zero sum, got ${JSON.stringify(v)}`);
  }
}
function fmaps(c: { fmapBase: unknown; fmapMax: unknown }): void {
  int(c.fmapBase, 'fmap_base', 1, 1 << 24);
  int(c.fmapMax, 'fmap_max', 1, 65536);
}

/** Validates a generator configuration (types, sane bounds, resolution a power of two >= 4). */
export function validateStyleGAN1GeneratorConfig(c: StyleGAN1GeneratorConfig): StyleGAN1GeneratorConfig {
  if (typeof c !== 'object' || c === null || typeof c.mapping !== 'object' || !c.mapping || typeof c.synthesis !== 'object' || !c.synthesis) {
    throw new CheckpointError('StyleGAN (v1) generator configuration must have mapping and synthesis sections');
  }
  int(c.zDim, 'latent_size', 1, 65536);
  int(c.cDim, 'label_size', 0, 1 << 20);
  int(c.wDim, 'dlatent_size', 1, 65536);
  resolution(c.imgResolution);
  int(c.imgChannels, 'num_channels', 1, 16);
  int(c.mapping.numLayers, 'mapping_layers', 1, 64);
  int(c.mapping.layerFeatures, 'mapping_fmaps', 1, 65536);
  if (typeof c.mapping.lrMultiplier !== 'number' || !(c.mapping.lrMultiplier > 0)) throw new CheckpointError(`mapping_lrmul must be positive, got ${JSON.stringify(c.mapping.lrMultiplier)}`);
  if (typeof c.mapping.normalizeLatents !== 'boolean') throw new CheckpointError('normalize_latents must be true or false');
  fmaps(c.synthesis);
  if (typeof c.synthesis.useNoise !== 'boolean') throw new CheckpointError('use_noise must be true or false');
  blurFilter(c.synthesis.blurFilter);
  if (c.dlatentAvgBeta !== null && !(typeof c.dlatentAvgBeta === 'number' && c.dlatentAvgBeta >= 0 && c.dlatentAvgBeta <= 1)) throw new CheckpointError(`dlatent_avg_beta must be null or in [0, 1], got ${JSON.stringify(c.dlatentAvgBeta)}`);
  if (c.truncationCutoff !== null) int(c.truncationCutoff, 'truncation_cutoff', 0, 1024);
  if (typeof c.styleMixingProb !== 'number' || !(c.styleMixingProb >= 0 && c.styleMixingProb <= 1)) throw new CheckpointError(`style_mixing_prob must be in [0, 1], got ${JSON.stringify(c.styleMixingProb)}`);
  return c;
}

/** Validates a discriminator configuration. */
export function validateStyleGAN1DiscriminatorConfig(c: StyleGAN1DiscriminatorConfig): StyleGAN1DiscriminatorConfig {
  if (typeof c !== 'object' || c === null) throw new CheckpointError('StyleGAN (v1) discriminator configuration must be an object');
  int(c.cDim, 'label_size', 0, 1 << 20);
  resolution(c.imgResolution);
  int(c.imgChannels, 'num_channels', 1, 16);
  fmaps(c);
  int(c.mbstdGroupSize, 'mbstd_group_size', 0, 1 << 16);
  int(c.mbstdNumFeatures, 'mbstd_num_features', 1, 64);
  if (c.mbstdGroupSize > 1 && channelsAt1(c, 4) % c.mbstdNumFeatures !== 0) throw new CheckpointError(`mbstd_num_features ${c.mbstdNumFeatures} must divide the ${channelsAt1(c, 4)} channels at 4x4`);
  blurFilter(c.blurFilter);
  return c;
}
