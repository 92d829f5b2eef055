// Parameter names, shapes and the official initialisation of StyleGAN2 networks (training/networks_stylegan2.py):
// weights ~ N(0, 1) (divided by the lr multiplier in mapping layers), biases at bias_init, noise strengths 0.
import type { TensorData } from '../../io/tensor.js';
import { RandomState } from '../../random/numpy-random.js';
import { fastNormals } from '../../random/normal.js';
import { setupFilter } from '../ops/upfirdn2d.js';
import { blockResolutions, channelsAt, type DiscriminatorConfig, type GeneratorConfig, type MappingConfig } from './config.js';

type Init = { kind: 'randn'; scale: number } | { kind: 'const'; value: number } | { kind: 'filter'; taps: number[] };
/** One tensor of a network: official name, shape and how it starts. */
export interface ParamSpec {
  name: string;
  shape: number[];
  init: Init;
  /** Buffers are state, not trained (w_avg, noise_const, resample_filter). */
  buffer?: boolean;
}

const randn = (scale = 1): Init => ({ kind: 'randn', scale });
const fill = (value: number): Init => ({ kind: 'const', value });

function fc(out: ParamSpec[], name: string, inF: number, outF: number, lr = 1, biasInit = 0): void {
  out.push({ name: `${name}.weight`, shape: [outF, inF], init: randn(1 / lr) });
  out.push({ name: `${name}.bias`, shape: [outF], init: fill(biasInit) });
}

function mappingSpecs(out: ParamSpec[], prefix: string, m: Omit<MappingConfig, 'numWs'>): void {
  const embed = m.cDim === 0 ? 0 : (m.embedFeatures ?? m.wDim);
  const layer = m.layerFeatures ?? m.wDim;
  const features = [m.zDim + embed, ...new Array<number>(Math.max(0, m.numLayers - 1)).fill(layer), m.wDim]; // num_layers 0: the embedding alone
  if (m.wAvgBeta !== null && m.zDim > 0) out.push({ name: `${prefix}w_avg`, shape: [m.wDim], init: fill(0), buffer: true });
  if (m.cDim > 0) fc(out, `${prefix}embed`, m.cDim, embed);
  for (let i = 0; i < m.numLayers; i++) fc(out, `${prefix}fc${i}`, features[i]!, features[i + 1]!, m.lrMultiplier);
}

/** A Conv2dLayer: weight (and bias), then its resample_filter buffer, as PyTorch's state_dict orders them. */
function conv2dLayerSpecs(out: ParamSpec[], name: string, i: number, o: number, k: number, taps: number[], bias = true): void {
  out.push({ name: `${name}.weight`, shape: [o, i, k, k], init: randn() });
  if (bias) out.push({ name: `${name}.bias`, shape: [o], init: fill(0) });
  out.push(filterSpec(`${name}.resample_filter`, taps));
}

function filterSpec(name: string, taps: number[]): ParamSpec {
  return { name, shape: [taps.length, taps.length], init: { kind: 'filter', taps }, buffer: true };
}

/**
 * Every tensor of a StyleGAN2 generator, in PyTorch's state_dict order (own parameters, own buffers, children).
 * @example generatorSpecs(cfg).map((p) => p.name) // ['synthesis.b4.const', ...]
 */
export function generatorSpecs(cfg: GeneratorConfig): ParamSpec[] {
  const out: ParamSpec[] = [];
  const s = cfg.synthesis;
  const taps = s.resampleFilter;
  for (const res of blockResolutions(s.imgResolution)) {
    const b = `synthesis.b${res}`;
    const inC = res === 4 ? 0 : channelsAt(s, res / 2);
    const outC = channelsAt(s, res);
    if (inC === 0) out.push({ name: `${b}.const`, shape: [outC, 4, 4], init: randn() });
    out.push(filterSpec(`${b}.resample_filter`, taps));
    const layer = (name: string, i: number) => {
      out.push({ name: `${b}.${name}.weight`, shape: [outC, i, 3, 3], init: randn() });
      if (s.useNoise) out.push({ name: `${b}.${name}.noise_strength`, shape: [], init: fill(0) });
      out.push({ name: `${b}.${name}.bias`, shape: [outC], init: fill(0) });
      out.push(filterSpec(`${b}.${name}.resample_filter`, taps));
      if (s.useNoise) out.push({ name: `${b}.${name}.noise_const`, shape: [res, res], init: randn(), buffer: true });
      fc(out, `${b}.${name}.affine`, s.wDim, i, 1, 1);
    };
    if (inC !== 0) layer('conv0', inC);
    layer('conv1', outC);
    if (res === s.imgResolution || s.architecture === 'skip') {
      out.push({ name: `${b}.torgb.weight`, shape: [s.imgChannels, outC, 1, 1], init: randn() });
      out.push({ name: `${b}.torgb.bias`, shape: [s.imgChannels], init: fill(0) });
      fc(out, `${b}.torgb.affine`, s.wDim, outC, 1, 1);
    }
    if (inC !== 0 && s.architecture === 'resnet') conv2dLayerSpecs(out, `${b}.skip`, inC, outC, 1, taps, false);
  }
  mappingSpecs(out, 'mapping.', cfg.mapping);
  return out;
}

/**
 * Every tensor of a StyleGAN2 discriminator, in PyTorch's state_dict order.
 * @example discriminatorSpecs(cfg).length
 */
export function discriminatorSpecs(cfg: DiscriminatorConfig): ParamSpec[] {
  const out: ParamSpec[] = [];
  const taps = cfg.resampleFilter;
  for (let res = cfg.imgResolution; res > 4; res /= 2) {
    const b = `b${res}`;
    const tmp = channelsAt(cfg, res);
    const o = channelsAt(cfg, res / 2);
    out.push(filterSpec(`${b}.resample_filter`, taps));
    if (res === cfg.imgResolution || cfg.architecture === 'skip') conv2dLayerSpecs(out, `${b}.fromrgb`, cfg.imgChannels, tmp, 1, taps);
    conv2dLayerSpecs(out, `${b}.conv0`, tmp, tmp, 3, taps);
    conv2dLayerSpecs(out, `${b}.conv1`, tmp, o, 3, taps);
    if (cfg.architecture === 'resnet') conv2dLayerSpecs(out, `${b}.skip`, tmp, o, 1, taps, false);
  }
  const c4 = channelsAt(cfg, 4);
  const cmapDim = cfg.cDim === 0 ? 0 : (cfg.cmapDim ?? c4);
  if (cfg.cDim > 0) mappingSpecs(out, 'mapping.', { ...cfg.mapping, zDim: 0, cDim: cfg.cDim, wDim: cmapDim, wAvgBeta: null });
  if (cfg.architecture === 'skip') conv2dLayerSpecs(out, 'b4.fromrgb', cfg.imgChannels, c4, 1, taps);
  conv2dLayerSpecs(out, 'b4.conv', c4 + cfg.mbstdNumChannels, c4, 3, taps);
  fc(out, 'b4.fc', c4 * 16, c4);
  fc(out, 'b4.out', c4, cmapDim === 0 ? 1 : cmapDim);
  return out;
}

/**
 * Tensors initialised as the official constructors do, from a seeded generator (reproducible).
 * @example const tensors = initialize(generatorSpecs(cfg), 0);
 */
export function initialize(specs: readonly ParamSpec[], seed: number): Map<string, TensorData> {
  const rs = new RandomState(seed);
  const out = new Map<string, TensorData>();
  for (const p of specs) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    if (p.init.kind === 'randn') {
      const scale = p.init.scale;
      data = fastNormals(rs, n).map((v) => v * scale);
    } else if (p.init.kind === 'const') data = new Float32Array(n).fill(p.init.value);
    else data = setupFilter(p.init.taps).data;
    out.set(p.name, { dtype: 'float32', shape: [...p.shape], data });
  }
  return out;
}
