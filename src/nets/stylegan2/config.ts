// StyleGAN2 network configurations: the official constructor arguments (init_kwargs) in our names,
// with defaults from training/networks_stylegan2.py and validation.
import { CheckpointError } from '../../errors.js';
import { type Activation, checkActivation } from '../ops/bias-act.js';
import { clampValue, int, validateGeneratorDims } from '../config-checks.js';

export interface MappingConfig {
  zDim: number; // input latent (z) dimensionality, 0 = none
  cDim: number; // conditioning label (c) dimensionality, 0 = none
  wDim: number; // intermediate latent (w) dimensionality
  numWs: number | null; // number of w vectors to broadcast, null = return [N, wDim]
  numLayers: number; // number of fully-connected layers
  embedFeatures: number | null; // label embedding size, null = wDim
  layerFeatures: number | null; // hidden layer size, null = wDim
  activation: Activation;
  lrMultiplier: number; // learning-rate multiplier of the mapping layers
  wAvgBeta: number | null; // decay of the tracked w average, null = not tracked
}

export type Architecture = 'orig' | 'skip' | 'resnet';

export interface SynthesisConfig {
  wDim: number;
  imgResolution: number;
  imgChannels: number;
  channelBase: number; // overall multiplier for the number of channels
  channelMax: number; // maximum number of channels in any layer
  numFp16Res: number; // FP16 in the N highest resolutions (we compute in float32 throughout)
  architecture: Architecture;
  resampleFilter: number[]; // low-pass filter for up/downsampling
  convClamp: number | null; // clamp the output of convolution layers to +-X
  useNoise: boolean;
  activation: Activation;
}

export interface GeneratorConfig {
  zDim: number;
  cDim: number;
  wDim: number;
  imgResolution: number;
  imgChannels: number;
  mapping: MappingConfig;
  synthesis: SynthesisConfig;
}

export const DEFAULT_MAPPING: Omit<MappingConfig, 'zDim' | 'cDim' | 'wDim' | 'numWs'> = {
  numLayers: 8,
  embedFeatures: null,
  layerFeatures: null,
  activation: 'lrelu',
  lrMultiplier: 0.01,
  wAvgBeta: 0.998,
};

export const DEFAULT_SYNTHESIS: Omit<SynthesisConfig, 'wDim' | 'imgResolution' | 'imgChannels'> = {
  channelBase: 32768,
  channelMax: 512,
  numFp16Res: 4,
  architecture: 'skip',
  resampleFilter: [1, 3, 3, 1],
  convClamp: null,
  useNoise: true,
  activation: 'lrelu',
};

/** Channels of each resolution: min(channelBase / res, channelMax). */
export function channelsAt(cfg: { channelBase: number; channelMax: number }, res: number): number {
  return Math.min(Math.floor(cfg.channelBase / res), cfg.channelMax);
}

/** Block resolutions 4, 8, ..., imgResolution. */
export function blockResolutions(imgResolution: number): number[] {
  const out: number[] = [];
  for (let r = 4; r <= imgResolution; r *= 2) out.push(r);
  return out;
}

/** Number of w vectors the synthesis network consumes: two convs per block (one at 4x4) plus the last toRGB. */
export function numWsOf(s: SynthesisConfig): number {
  let n = 0;
  for (const res of blockResolutions(s.imgResolution)) n += res === 4 ? 1 : 2;
  return n + 1;
}

// Keyword arguments accepted but irrelevant to float32 computation.
const IGNORED = new Set(['fp16_channels_last', 'channels_last', 'fused_modconv_default', 'use_fp16', 'class_name']);

function pick(kwargs: Record<string, unknown>, known: readonly string[], where: string): Record<string, unknown> {
  for (const k of Object.keys(kwargs)) {
    if (!known.includes(k) && !IGNORED.has(k)) throw new CheckpointError(`unsupported ${where} argument '${k}' in the checkpoint's init_kwargs`);
  }
  return kwargs;
}

function num(v: unknown, name: string, fallback?: number): number {
  if (v === undefined || v === null) {
    if (fallback === undefined) throw new CheckpointError(`the checkpoint's init_kwargs lack '${name}'`);
    return fallback;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new CheckpointError(`init_kwargs '${name}' must be a number, got ${JSON.stringify(v)}`);
  return v;
}
const numOrNull = (v: unknown, name: string, fallback: number | null): number | null => (v === undefined ? fallback : v === null ? null : num(v, name));
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function nullableInt(v: unknown, name: string, lo: number, hi: number): void {
  if (v !== null) int(v, name, lo, hi);
}
function filterTaps(v: unknown, name: string): void {
  if (!Array.isArray(v) || v.length < 1 || v.length > 16 || !v.every((t) => typeof t === 'number' && Number.isFinite(t))) throw new CheckpointError(`${name} must be a list of 1-16 numbers, got ${JSON.stringify(v)}`);
}
// minLayers: 1 for the generator; 0 for the discriminator's label mapping (the TensorFlow D_main default: embedding only).
function mappingFields(m: Omit<MappingConfig, 'zDim' | 'cDim' | 'wDim' | 'numWs'>, where: string, minLayers: number): void {
  int(m.numLayers, `${where} num_layers`, minLayers, 64);
  nullableInt(m.embedFeatures, `${where} embed_features`, 1, 65536);
  nullableInt(m.layerFeatures, `${where} layer_features`, 1, 65536);
  checkActivation(m.activation);
  if (typeof m.lrMultiplier !== 'number' || !(m.lrMultiplier > 0)) throw new CheckpointError(`${where} lr_multiplier must be positive, got ${JSON.stringify(m.lrMultiplier)}`);
}

/** Validates a generator configuration (types, sane bounds, resolution a power of two >= 4). */
export function validateGeneratorConfig(c: GeneratorConfig): GeneratorConfig {
  validateGeneratorDims(c, 0);
  const s = c.synthesis;
  int(s.channelBase, 'channel_base', 1, 1 << 24);
  int(s.channelMax, 'channel_max', 1, 65536);
  int(s.numFp16Res, 'num_fp16_res', 0, 16);
  if (!['orig', 'skip', 'resnet'].includes(s.architecture)) throw new CheckpointError(`unknown synthesis architecture '${s.architecture}'`);
  filterTaps(s.resampleFilter, 'resample_filter');
  clampValue(s.convClamp);
  checkActivation(s.activation);
  const m = c.mapping;
  if (m.zDim !== c.zDim || m.cDim !== c.cDim || m.wDim !== c.wDim) throw new CheckpointError('mapping z_dim, c_dim and w_dim must equal the generator\'s');
  if (m.numWs !== numWsOf(s)) throw new CheckpointError(`mapping num_ws must be ${numWsOf(s)} for this synthesis network, got ${JSON.stringify(m.numWs)}`);
  mappingFields(m, 'mapping', 1);
  return c;
}

/** Validates a discriminator configuration. */
export function validateDiscriminatorConfig(c: DiscriminatorConfig): DiscriminatorConfig {
  if (typeof c !== 'object' || c === null || typeof c.mapping !== 'object' || !c.mapping) throw new CheckpointError('discriminator configuration must have a mapping section');
  int(c.imgResolution, 'img_resolution', 4, 8192);
  if (!Number.isInteger(Math.log2(c.imgResolution))) throw new CheckpointError(`img_resolution must be a power of two >= 4, got ${c.imgResolution}`);
  int(c.cDim, 'c_dim', 0, 1 << 20);
  int(c.imgChannels, 'img_channels', 1, 16);
  int(c.channelBase, 'channel_base', 1, 1 << 24);
  int(c.channelMax, 'channel_max', 1, 65536);
  int(c.numFp16Res, 'num_fp16_res', 0, 16);
  if (!['orig', 'skip', 'resnet'].includes(c.architecture)) throw new CheckpointError(`unknown discriminator architecture '${c.architecture}'`);
  clampValue(c.convClamp);
  nullableInt(c.cmapDim, 'cmap_dim', 1, 65536);
  checkActivation(c.activation);
  filterTaps(c.resampleFilter, 'resample_filter');
  mappingFields(c.mapping, 'discriminator mapping', 0);
  nullableInt(c.mbstdGroupSize, 'mbstd_group_size', 1, 1 << 16);
  int(c.mbstdNumChannels, 'mbstd_num_channels', 0, 64);
  return c;
}

/**
 * The generator configuration from official init_kwargs: both the stylegan3-repo layout (synthesis
 * arguments at the top level) and the stylegan2-ada layout (`synthesis_kwargs`).
 * @example generatorConfigFromKwargs(tree.initKwargs)
 */
export function generatorConfigFromKwargs(kw: Record<string, unknown>): GeneratorConfig {
  const top = { ...kw };
  const mk = pick(obj(top.mapping_kwargs), ['num_layers', 'embed_features', 'layer_features', 'activation', 'lr_multiplier', 'w_avg_beta'], 'mapping');
  const sk = { ...obj(top.synthesis_kwargs) };
  for (const k of ['z_dim', 'c_dim', 'w_dim', 'img_resolution', 'img_channels', 'mapping_kwargs', 'synthesis_kwargs']) delete top[k];
  Object.assign(sk, top); // stylegan3 repo: **synthesis_kwargs at the top level
  pick(sk, ['channel_base', 'channel_max', 'num_fp16_res', 'architecture', 'resample_filter', 'conv_clamp', 'use_noise', 'activation', 'kernel_size'], 'synthesis');
  if (sk.kernel_size !== undefined && sk.kernel_size !== 3) throw new CheckpointError(`unsupported synthesis kernel_size ${String(sk.kernel_size)}`);
  const zDim = num(kw.z_dim, 'z_dim');
  const cDim = num(kw.c_dim, 'c_dim', 0);
  const wDim = num(kw.w_dim, 'w_dim');
  const imgResolution = num(kw.img_resolution, 'img_resolution');
  const imgChannels = num(kw.img_channels, 'img_channels');
  const synthesis: SynthesisConfig = {
    wDim,
    imgResolution,
    imgChannels,
    channelBase: num(sk.channel_base, 'channel_base', DEFAULT_SYNTHESIS.channelBase),
    channelMax: num(sk.channel_max, 'channel_max', DEFAULT_SYNTHESIS.channelMax),
    numFp16Res: num(sk.num_fp16_res, 'num_fp16_res', DEFAULT_SYNTHESIS.numFp16Res),
    architecture: (sk.architecture as Architecture | undefined) ?? DEFAULT_SYNTHESIS.architecture,
    resampleFilter: Array.isArray(sk.resample_filter) ? (sk.resample_filter as number[]) : DEFAULT_SYNTHESIS.resampleFilter,
    convClamp: numOrNull(sk.conv_clamp, 'conv_clamp', null),
    useNoise: sk.use_noise === undefined ? true : Boolean(sk.use_noise),
    activation: sk.activation === undefined ? 'lrelu' : checkActivation(sk.activation),
  };
  const mapping: MappingConfig = {
    zDim,
    cDim,
    wDim,
    numWs: numWsOf(synthesis),
    numLayers: num(mk.num_layers, 'num_layers', DEFAULT_MAPPING.numLayers),
    embedFeatures: numOrNull(mk.embed_features, 'embed_features', null),
    layerFeatures: numOrNull(mk.layer_features, 'layer_features', null),
    activation: mk.activation === undefined ? 'lrelu' : checkActivation(mk.activation),
    lrMultiplier: num(mk.lr_multiplier, 'lr_multiplier', DEFAULT_MAPPING.lrMultiplier),
    wAvgBeta: numOrNull(mk.w_avg_beta, 'w_avg_beta', DEFAULT_MAPPING.wAvgBeta),
  };
  return validateGeneratorConfig({ zDim, cDim, wDim, imgResolution, imgChannels, mapping, synthesis });
}

export interface DiscriminatorConfig {
  cDim: number;
  imgResolution: number;
  imgChannels: number;
  architecture: Architecture;
  channelBase: number;
  channelMax: number;
  numFp16Res: number;
  convClamp: number | null;
  cmapDim: number | null; // dimensionality of the mapped label, null = channels at 4x4
  activation: Activation;
  resampleFilter: number[];
  mapping: Omit<MappingConfig, 'zDim' | 'cDim' | 'wDim' | 'numWs'>;
  mbstdGroupSize: number | null; // minibatch-stddev group size, null = whole minibatch
  mbstdNumChannels: number; // minibatch-stddev features, 0 = off
}

/**
 * The discriminator configuration from official init_kwargs.
 * @example discriminatorConfigFromKwargs(snapshot.D.initKwargs)
 */
export function discriminatorConfigFromKwargs(kw: Record<string, unknown>): DiscriminatorConfig {
  pick(kw, ['c_dim', 'img_resolution', 'img_channels', 'architecture', 'channel_base', 'channel_max', 'num_fp16_res', 'conv_clamp', 'cmap_dim', 'block_kwargs', 'mapping_kwargs', 'epilogue_kwargs'], 'discriminator');
  const bk = pick(obj(kw.block_kwargs), ['activation', 'resample_filter', 'freeze_layers'], 'discriminator block');
  const mk = pick(obj(kw.mapping_kwargs), ['num_layers', 'embed_features', 'layer_features', 'activation', 'lr_multiplier', 'w_avg_beta'], 'discriminator mapping');
  const ek = pick(obj(kw.epilogue_kwargs), ['mbstd_group_size', 'mbstd_num_channels', 'activation'], 'discriminator epilogue');
  const imgResolution = num(kw.img_resolution, 'img_resolution');
  return validateDiscriminatorConfig({
    cDim: num(kw.c_dim, 'c_dim', 0),
    imgResolution,
    imgChannels: num(kw.img_channels, 'img_channels'),
    architecture: (kw.architecture as Architecture | undefined) ?? 'resnet',
    channelBase: num(kw.channel_base, 'channel_base', 32768),
    channelMax: num(kw.channel_max, 'channel_max', 512),
    numFp16Res: num(kw.num_fp16_res, 'num_fp16_res', 0),
    convClamp: numOrNull(kw.conv_clamp, 'conv_clamp', null),
    cmapDim: numOrNull(kw.cmap_dim, 'cmap_dim', null),
    activation: bk.activation === undefined ? 'lrelu' : checkActivation(bk.activation),
    resampleFilter: Array.isArray(bk.resample_filter) ? (bk.resample_filter as number[]) : [1, 3, 3, 1],
    mapping: {
      numLayers: num(mk.num_layers, 'num_layers', 8),
      embedFeatures: numOrNull(mk.embed_features, 'embed_features', null),
      layerFeatures: numOrNull(mk.layer_features, 'layer_features', null),
      activation: mk.activation === undefined ? 'lrelu' : checkActivation(mk.activation),
      lrMultiplier: num(mk.lr_multiplier, 'lr_multiplier', 0.01),
      wAvgBeta: null,
    },
    mbstdGroupSize: numOrNull(ek.mbstd_group_size, 'mbstd_group_size', 4),
    mbstdNumChannels: num(ek.mbstd_num_channels, 'mbstd_num_channels', 1),
  });
}
