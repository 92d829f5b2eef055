// StyleGAN3 generator configurations (training/networks_stylegan3.py): the official constructor arguments in
// our names, defaults, validation, and the per-layer plan that SynthesisNetwork.__init__ derives from them
// (cutoffs, stopbands, sampling rates, sizes, channels, filters and paddings).
import { CheckpointError } from '../../errors.js';
import { clampValue, int, validateGeneratorDims } from '../config-checks.js';
import type { MappingConfig } from '../stylegan2/config.js';
import { designLowpassFilter, filterTaps, type LowpassFilter } from './filters.js';

export interface SynthesisConfig3 {
  wDim: number;
  imgResolution: number;
  imgChannels: number;
  channelBase: number; // overall multiplier for the number of channels
  channelMax: number; // maximum number of channels in any layer
  numLayers: number; // layers excluding the Fourier features and ToRGB
  numCritical: number; // critically sampled layers at the end
  firstCutoff: number; // cutoff frequency of the first layer (f_{c,0})
  firstStopband: number; // minimum stopband of the first layer (f_{t,0})
  lastStopbandRel: number; // minimum stopband of the last layer, relative to its cutoff
  marginSize: number; // additional pixels outside the image
  outputScale: number; // scale factor of the output image
  numFp16Res: number; // FP16 in the N highest resolutions (we compute in float32 throughout)
  convKernel: number; // convolution kernel size (3 for config T, 1 for config R)
  filterSize: number; // low-pass filter size relative to the lower resolution when resampling
  lreluUpsampling: number; // relative sampling rate of the leaky ReLU
  useRadialFilters: boolean; // radially symmetric down-sampling filters (config R)
  convClamp: number | null; // clamp the output of each layer to +-X
  magnitudeEmaBeta: number; // decay of the input-magnitude moving average (training only)
}

export interface GeneratorConfig3 {
  zDim: number;
  cDim: number;
  wDim: number;
  imgResolution: number;
  imgChannels: number;
  mapping: MappingConfig;
  synthesis: SynthesisConfig3;
}

export const DEFAULT_SYNTHESIS3: Omit<SynthesisConfig3, 'wDim' | 'imgResolution' | 'imgChannels'> = {
  channelBase: 32768,
  channelMax: 512,
  numLayers: 14,
  numCritical: 2,
  firstCutoff: 2,
  firstStopband: 2 ** 2.1,
  lastStopbandRel: 2 ** 0.3,
  marginSize: 10,
  outputScale: 0.25,
  numFp16Res: 4,
  convKernel: 3,
  filterSize: 6,
  lreluUpsampling: 2,
  useRadialFilters: false,
  convClamp: 256,
  magnitudeEmaBeta: 0.999,
};

/** One SynthesisLayer as SynthesisNetwork.__init__ lays it out. */
export interface LayerPlan {
  name: string; // official module name, L{idx}_{out_size}_{out_channels}
  idx: number;
  isTorgb: boolean;
  isCriticallySampled: boolean;
  inChannels: number;
  outChannels: number;
  inSize: number;
  outSize: number;
  inSamplingRate: number;
  outSamplingRate: number;
  tmpSamplingRate: number;
  inCutoff: number;
  outCutoff: number;
  inHalfWidth: number;
  outHalfWidth: number;
  convKernel: number;
  upFactor: number;
  downFactor: number;
  upTaps: number;
  downTaps: number;
  downRadial: boolean;
  padding: [number, number, number, number]; // [x0, x1, y0, y1] w.r.t. the upsampled image; negative crops
}

/** The Fourier-feature input as SynthesisNetwork.__init__ sets it up. */
export interface InputPlan {
  channels: number;
  size: number;
  samplingRate: number;
  bandwidth: number;
}

/** numpy.rint: round half to even. */
function rint(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The per-layer plan of a synthesis network (SynthesisNetwork.__init__ and SynthesisLayer.__init__).
 * @example synthesisPlan(cfg.synthesis).layers[0].name // 'L0_36_512'
 */
export function synthesisPlan(s: SynthesisConfig3): { input: InputPlan; layers: LayerPlan[] } {
  const n = s.numLayers;
  const R = s.imgResolution;
  // Geometric progression of layer cutoffs and min. stopbands.
  const lastCutoff = R / 2;
  const lastStopband = lastCutoff * s.lastStopbandRel;
  const exponents = Array.from({ length: n + 1 }, (_, i) => Math.min(i / (n - s.numCritical), 1));
  const cutoffs = exponents.map((e) => s.firstCutoff * (lastCutoff / s.firstCutoff) ** e);
  const stopbands = exponents.map((e) => s.firstStopband * (lastStopband / s.firstStopband) ** e);
  // Remaining layer parameters.
  const samplingRates = stopbands.map((t) => 2 ** Math.ceil(Math.log2(Math.min(t * 2, R))));
  const halfWidths = stopbands.map((t, i) => Math.max(t, samplingRates[i]! / 2) - cutoffs[i]!);
  const sizes = samplingRates.map((r, i) => (i >= n - 1 ? R : r + s.marginSize * 2));
  const channels = cutoffs.map((c, i) => (i === n ? s.imgChannels : rint(Math.min(s.channelBase / 2 / c, s.channelMax))));
  const layers: LayerPlan[] = [];
  for (let idx = 0; idx <= n; idx++) {
    const prev = Math.max(idx - 1, 0);
    const isTorgb = idx === n;
    const isCriticallySampled = idx >= n - s.numCritical;
    const inSamplingRate = samplingRates[prev]!;
    const outSamplingRate = samplingRates[idx]!;
    const tmpSamplingRate = Math.max(inSamplingRate, outSamplingRate) * (isTorgb ? 1 : s.lreluUpsampling);
    const upFactor = rint(tmpSamplingRate / inSamplingRate);
    const downFactor = rint(tmpSamplingRate / outSamplingRate);
    if (inSamplingRate * upFactor !== tmpSamplingRate || outSamplingRate * downFactor !== tmpSamplingRate) {
      throw new CheckpointError(`layer ${idx}: sampling rates ${inSamplingRate} -> ${tmpSamplingRate} -> ${outSamplingRate} are not integer multiples (lrelu_upsampling ${s.lreluUpsampling})`);
    }
    const convKernel = isTorgb ? 1 : s.convKernel;
    const upTaps = upFactor > 1 && !isTorgb ? s.filterSize * upFactor : 1;
    const downTaps = downFactor > 1 && !isTorgb ? s.filterSize * downFactor : 1;
    const inSize = sizes[prev]!;
    const outSize = sizes[idx]!;
    // Padding: desired size before downsampling, less the upsampled input, plus what the filters consume.
    const padTotal = (outSize - 1) * downFactor + 1 - (inSize + convKernel - 1) * upFactor + upTaps + downTaps - 2;
    const padLo = Math.floor((padTotal + upFactor) / 2); // symmetric interpretation (paper, appendix C.3)
    const padHi = padTotal - padLo;
    layers.push({
      name: `L${idx}_${outSize}_${channels[idx]}`,
      idx,
      isTorgb,
      isCriticallySampled,
      inChannels: channels[prev]!,
      outChannels: channels[idx]!,
      inSize,
      outSize,
      inSamplingRate,
      outSamplingRate,
      tmpSamplingRate,
      inCutoff: cutoffs[prev]!,
      outCutoff: cutoffs[idx]!,
      inHalfWidth: halfWidths[prev]!,
      outHalfWidth: halfWidths[idx]!,
      convKernel,
      upFactor,
      downFactor,
      upTaps,
      downTaps,
      downRadial: s.useRadialFilters && !isCriticallySampled,
      padding: [padLo, padHi, padLo, padHi],
    });
  }
  return { input: { channels: channels[0]!, size: sizes[0]!, samplingRate: samplingRates[0]!, bandwidth: cutoffs[0]! }, layers };
}

/**
 * The up- and down-sampling filters of a layer, designed as the official constructor does.
 * @example layerFilters(synthesisPlan(cfg.synthesis).layers[0]).up // 12 separable taps
 */
export function layerFilters(l: LayerPlan): { up: LowpassFilter; down: LowpassFilter } {
  return {
    up: designLowpassFilter(l.upTaps, l.inCutoff, l.inHalfWidth * 2, l.tmpSamplingRate),
    down: designLowpassFilter(l.downTaps, l.outCutoff, l.outHalfWidth * 2, l.tmpSamplingRate, l.downRadial),
  };
}

/**
 * Shape of a layer's stored filter buffer ([] when the official buffer is None).
 * @example filterShape(12, true) // [12, 12]
 */
export function filterShape(taps: number, radial: boolean): number[] {
  return taps === 1 ? [] : radial ? [taps, taps] : [taps];
}
export { filterTaps };

// Keyword arguments accepted but irrelevant to float32 inference.
const IGNORED = new Set(['use_fp16', 'class_name', 'freeze_layers', 'freeze_embed']);
const SYNTHESIS_KEYS = ['channel_base', 'channel_max', 'num_layers', 'num_critical', 'first_cutoff', 'first_stopband', 'last_stopband_rel', 'margin_size', 'output_scale', 'num_fp16_res', 'conv_kernel', 'filter_size', 'lrelu_upsampling', 'use_radial_filters', 'conv_clamp', 'magnitude_ema_beta'];
const MAPPING_KEYS = ['num_layers', 'lr_multiplier', 'w_avg_beta'];

function num(v: unknown, name: string, fallback?: number): number {
  if (v === undefined) {
    if (fallback === undefined) throw new CheckpointError(`the checkpoint's init_kwargs lack '${name}'`);
    return fallback;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new CheckpointError(`init_kwargs '${name}' must be a number, got ${JSON.stringify(v)}`);
  return v;
}
function positive(v: unknown, name: string, hi = 1e6): void {
  if (typeof v !== 'number' || !(v > 0) || !(v <= hi)) throw new CheckpointError(`${name} must be a positive number up to ${hi}, got ${JSON.stringify(v)}`);
}
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/**
 * Validates a StyleGAN3 generator configuration, including that its layer plan is realisable.
 * @example validateGeneratorConfig3(JSON.parse(text).config.G_ema.config)
 */
export function validateGeneratorConfig3(c: GeneratorConfig3): GeneratorConfig3 {
  validateGeneratorDims(c, 1);
  const s = c.synthesis;
  int(s.channelBase, 'channel_base', 1, 1 << 24);
  int(s.channelMax, 'channel_max', 1, 65536);
  int(s.numLayers, 'num_layers', 1, 64);
  int(s.numCritical, 'num_critical', 0, s.numLayers - 1);
  positive(s.firstCutoff, 'first_cutoff');
  positive(s.firstStopband, 'first_stopband');
  positive(s.lastStopbandRel, 'last_stopband_rel');
  int(s.marginSize, 'margin_size', 0, 1024);
  if (typeof s.outputScale !== 'number' || !Number.isFinite(s.outputScale)) throw new CheckpointError(`output_scale must be a number, got ${JSON.stringify(s.outputScale)}`);
  int(s.numFp16Res, 'num_fp16_res', 0, 16);
  int(s.convKernel, 'conv_kernel', 1, 7);
  if (s.convKernel % 2 !== 1) throw new CheckpointError(`conv_kernel must be odd, got ${s.convKernel}`);
  int(s.filterSize, 'filter_size', 1, 16);
  int(s.lreluUpsampling, 'lrelu_upsampling', 1, 8);
  if (typeof s.useRadialFilters !== 'boolean') throw new CheckpointError(`use_radial_filters must be true or false, got ${JSON.stringify(s.useRadialFilters)}`);
  clampValue(s.convClamp);
  const plan = synthesisPlan(s);
  for (const l of plan.layers) {
    if (!(l.inChannels >= 1) || !(l.outChannels >= 1)) throw new CheckpointError(`layer ${l.name} would have no channels (channel_base ${s.channelBase})`);
    if (l.inSize > 16384 || l.outSize > 16384) throw new CheckpointError(`layer ${l.name} would be larger than 16384 pixels`);
    const fu = l.upTaps;
    const fd = l.downTaps;
    const outSize = Math.floor(((l.inSize + l.convKernel - 1) * l.upFactor + l.padding[0] + l.padding[1] - (fu - 1) - (fd - 1) + (l.downFactor - 1)) / l.downFactor);
    if (outSize !== l.outSize) throw new CheckpointError(`layer ${l.name}: its paddings give size ${outSize}, not ${l.outSize}`);
    if (l.upTaps > 1 && !(l.inCutoff < l.tmpSamplingRate / 2)) throw new CheckpointError(`layer ${l.name}: cutoff ${l.inCutoff} is not below the Nyquist rate ${l.tmpSamplingRate / 2}`);
    if (l.downTaps > 1 && !(l.outCutoff < l.tmpSamplingRate / 2)) throw new CheckpointError(`layer ${l.name}: cutoff ${l.outCutoff} is not below the Nyquist rate ${l.tmpSamplingRate / 2}`);
  }
  const m = c.mapping;
  if (m.zDim !== c.zDim || m.cDim !== c.cDim || m.wDim !== c.wDim) throw new CheckpointError("mapping z_dim, c_dim and w_dim must equal the generator's");
  if (m.numWs !== s.numLayers + 2) throw new CheckpointError(`mapping num_ws must be ${s.numLayers + 2} for this synthesis network, got ${JSON.stringify(m.numWs)}`);
  int(m.numLayers, 'mapping num_layers', 1, 64);
  if (m.embedFeatures !== null || m.layerFeatures !== null || m.activation !== 'lrelu') throw new CheckpointError('a StyleGAN3 mapping network has w_dim-wide lrelu layers');
  positive(m.lrMultiplier, 'mapping lr_multiplier');
  return c;
}

/**
 * The StyleGAN3 generator configuration from official init_kwargs (synthesis and layer arguments at the top level).
 * @example generatorConfig3FromKwargs(tree.initKwargs).synthesis.convKernel // 1 for config R
 */
export function generatorConfig3FromKwargs(kw: Record<string, unknown>): GeneratorConfig3 {
  const top = { ...kw };
  const mk = obj(top.mapping_kwargs);
  for (const k of Object.keys(mk)) if (!MAPPING_KEYS.includes(k) && !IGNORED.has(k)) throw new CheckpointError(`unsupported mapping argument '${k}' in the checkpoint's init_kwargs`);
  for (const k of ['z_dim', 'c_dim', 'w_dim', 'img_resolution', 'img_channels', 'mapping_kwargs']) delete top[k];
  for (const k of Object.keys(top)) if (!SYNTHESIS_KEYS.includes(k) && !IGNORED.has(k)) throw new CheckpointError(`unsupported synthesis argument '${k}' in the checkpoint's init_kwargs`);
  const d = DEFAULT_SYNTHESIS3;
  const zDim = num(kw.z_dim, 'z_dim');
  const cDim = num(kw.c_dim, 'c_dim', 0);
  const wDim = num(kw.w_dim, 'w_dim');
  const imgResolution = num(kw.img_resolution, 'img_resolution');
  const imgChannels = num(kw.img_channels, 'img_channels');
  const radial = top.use_radial_filters ?? d.useRadialFilters;
  const synthesis: SynthesisConfig3 = {
    wDim,
    imgResolution,
    imgChannels,
    channelBase: num(top.channel_base, 'channel_base', d.channelBase),
    channelMax: num(top.channel_max, 'channel_max', d.channelMax),
    numLayers: num(top.num_layers, 'num_layers', d.numLayers),
    numCritical: num(top.num_critical, 'num_critical', d.numCritical),
    firstCutoff: num(top.first_cutoff, 'first_cutoff', d.firstCutoff),
    firstStopband: num(top.first_stopband, 'first_stopband', d.firstStopband),
    lastStopbandRel: num(top.last_stopband_rel, 'last_stopband_rel', d.lastStopbandRel),
    marginSize: num(top.margin_size, 'margin_size', d.marginSize),
    outputScale: num(top.output_scale, 'output_scale', d.outputScale),
    numFp16Res: num(top.num_fp16_res, 'num_fp16_res', d.numFp16Res),
    convKernel: num(top.conv_kernel, 'conv_kernel', d.convKernel),
    filterSize: num(top.filter_size, 'filter_size', d.filterSize),
    lreluUpsampling: num(top.lrelu_upsampling, 'lrelu_upsampling', d.lreluUpsampling),
    useRadialFilters: typeof radial === 'boolean' ? radial : (() => { throw new CheckpointError(`use_radial_filters must be true or false, got ${JSON.stringify(radial)}`); })(),
    convClamp: top.conv_clamp === null ? null : num(top.conv_clamp, 'conv_clamp', 256),
    magnitudeEmaBeta: num(top.magnitude_ema_beta, 'magnitude_ema_beta', d.magnitudeEmaBeta),
  };
  const mapping: MappingConfig = {
    zDim,
    cDim,
    wDim,
    numWs: synthesis.numLayers + 2,
    numLayers: num(mk.num_layers, 'num_layers', 2),
    embedFeatures: null,
    layerFeatures: null,
    activation: 'lrelu',
    lrMultiplier: num(mk.lr_multiplier, 'lr_multiplier', 0.01),
    wAvgBeta: num(mk.w_avg_beta, 'w_avg_beta', 0.998),
  };
  return validateGeneratorConfig3({ zDim, cDim, wDim, imgResolution, imgChannels, mapping, synthesis });
}
