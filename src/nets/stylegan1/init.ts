// Tensor names, shapes and the official initialisation of StyleGAN (v1) networks (NVlabs/stylegan
// training/networks_stylegan.py): with use_wscale every weight is N(0, 1/lrmul) and scaled at run time,
// biases and noise strengths start at 0, the constant input at 1, noise buffers N(0, 1), dlatent_avg and lod at 0.
// Names are the TensorFlow variable names under each network, '/' written '.', in PyTorch layout.
import type { ParamSpec } from '../stylegan2/init.js';
import { channelsAt1, lodOf, numLayersOf, type StyleGAN1DiscriminatorConfig, type StyleGAN1GeneratorConfig } from './config.js';

const randn = (scale = 1): ParamSpec['init'] => ({ kind: 'randn', scale });
const fill = (value: number): ParamSpec['init'] => ({ kind: 'const', value });

function weightBias(out: ParamSpec[], name: string, shape: number[], lrMultiplier = 1): void {
  out.push({ name: `${name}.weight`, shape, init: randn(1 / lrMultiplier) });
  out.push({ name: `${name}.bias`, shape: [shape[0]!], init: fill(0) });
}

/** Resolutions of the progressive levels: 4, 8, ..., R. */
export function levels(imgResolution: number): number[] {
  const out: number[] = [];
  for (let r = 4; r <= imgResolution; r *= 2) out.push(r);
  return out;
}

/**
 * Every tensor of a StyleGAN (v1) generator (mapping, synthesis, buffers).
 * @example stylegan1GeneratorSpecs(cfg).map((p) => p.name) // ['dlatent_avg', 'mapping.Dense0.weight', ...]
 */
export function stylegan1GeneratorSpecs(cfg: StyleGAN1GeneratorConfig): ParamSpec[] {
  const out: ParamSpec[] = [{ name: 'dlatent_avg', shape: [cfg.wDim], init: fill(0), buffer: true }];
  // Mapping.
  const m = cfg.mapping;
  if (cfg.cDim > 0) out.push({ name: 'mapping.LabelConcat.weight', shape: [cfg.zDim, cfg.cDim], init: randn() });
  for (let i = 0; i < m.numLayers; i++) {
    const inF = i === 0 ? cfg.zDim * (cfg.cDim > 0 ? 2 : 1) : m.layerFeatures;
    const outF = i === m.numLayers - 1 ? cfg.wDim : m.layerFeatures;
    weightBias(out, `mapping.Dense${i}`, [outF, inF], m.lrMultiplier);
  }
  // Synthesis: each layer has its weight, noise strength, bias and style affine.
  const s = cfg.synthesis;
  const layer = (name: string, weight: number[] | null, C: number) => {
    if (weight) out.push({ name: `${name}.weight`, shape: weight, init: randn() });
    if (s.useNoise) out.push({ name: `${name}.Noise.weight`, shape: [C], init: fill(0) });
    out.push({ name: `${name}.bias`, shape: [C], init: fill(0) });
    weightBias(out, `${name}.StyleMod`, [2 * C, cfg.wDim]);
  };
  const R = cfg.imgResolution;
  for (const res of levels(R)) {
    const C = channelsAt1(s, res);
    if (res === 4) {
      out.push({ name: 'synthesis.4x4.Const.const', shape: [1, C, 4, 4], init: fill(1) });
      layer('synthesis.4x4.Const', null, C);
      layer('synthesis.4x4.Conv', [C, C, 3, 3], C);
    } else {
      layer(`synthesis.${res}x${res}.Conv0_up`, [C, channelsAt1(s, res / 2), 3, 3], C);
      layer(`synthesis.${res}x${res}.Conv1`, [C, C, 3, 3], C);
    }
    weightBias(out, `synthesis.ToRGB_lod${lodOf(R, res)}`, [cfg.imgChannels, C, 1, 1]);
  }
  // The level of detail of a snapshot taken while growing (the official G_synthesis 'lod' variable).
  out.push({ name: 'synthesis.lod', shape: [], init: fill(0), buffer: true });
  if (s.useNoise) {
    for (let i = 0; i < numLayersOf(R); i++) {
      const res = 2 ** (Math.floor(i / 2) + 2);
      out.push({ name: `synthesis.noise${i}`, shape: [1, 1, res, res], init: randn(), buffer: true });
    }
  }
  return out;
}

/**
 * Every tensor of a StyleGAN (v1) discriminator.
 * @example stylegan1DiscriminatorSpecs(cfg).length
 */
export function stylegan1DiscriminatorSpecs(cfg: StyleGAN1DiscriminatorConfig): ParamSpec[] {
  const out: ParamSpec[] = [];
  const R = cfg.imgResolution;
  for (const res of levels(R)) {
    const C = channelsAt1(cfg, res);
    weightBias(out, `FromRGB_lod${lodOf(R, res)}`, [C, cfg.imgChannels, 1, 1]);
    if (res > 4) {
      weightBias(out, `${res}x${res}.Conv0`, [C, C, 3, 3]);
      weightBias(out, `${res}x${res}.Conv1_down`, [channelsAt1(cfg, res / 2), C, 3, 3]);
    }
  }
  const C4 = channelsAt1(cfg, 4);
  const mbstd = cfg.mbstdGroupSize > 1 ? cfg.mbstdNumFeatures : 0;
  weightBias(out, '4x4.Conv', [C4, C4 + mbstd, 3, 3]);
  weightBias(out, '4x4.Dense0', [channelsAt1(cfg, 2), C4 * 16]);
  weightBias(out, '4x4.Dense1', [Math.max(cfg.cDim, 1), channelsAt1(cfg, 2)]);
  return out;
}
