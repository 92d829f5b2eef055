// StyleGAN (v1) synthesis network ws -> image with progressive growing (NVlabs/stylegan
// training/networks_stylegan.py: G_synthesis, structure 'linear'): a learned 4x4 constant, then per
// resolution an upscaling conv with blur and a conv, each followed by noise, bias, leaky ReLU, instance norm
// and the style modulation (AdaIN). The level of detail `lod` (fed at run time) fades new layers in.
import * as E from '../../engine/index.js';
import type { NoiseMode } from '../stylegan2/synthesis.js';
import type { WeightScope } from '../weights.js';
import { channelsAt1, lodOf, type StyleGAN1GeneratorConfig } from './config.js';
import { addBias, applyNoise, blur2d, conv2d, GAIN, instanceNorm, lerpClip, lrelu, styleMod, upscale2d, upscaleConv2d } from './layers.js';

export interface Synthesis1Options {
  /** 'const' reads the stored noise buffers (randomize_noise=False), 'random' draws new noise, 'none' adds none. */
  noiseMode?: NoiseMode;
  /** Resolution the network is grown to (default: the full resolution); the output has this size. */
  resolution?: number;
  /**
   * Level of detail, a scalar fed at run time: the image is lerp_clip(ToRGB(res), upscale(ToRGB(res / 2)),
   * lod - lodOf(res)), so lod = lodOf(res) shows the grown network and lod = lodOf(res) + 1 the previous one.
   * Without it the finest level is shown alone (lod 0 of the full network).
   */
  lod?: E.Tensor;
  /** The official 'linear' structure: a ToRGB and a fade at every level (same output for lod in range; a test oracle). */
  linear?: boolean;
  /** Collects each block's feature map (`b4`, `b8`, ...; DragGAN reads them). */
  features?: Map<string, E.Tensor>;
  /** Separate-op formulations of the upscaling conv and blur instead of the fast ones. */
  reference?: boolean;
}

/** The ws of one layer: ws[:, idx] [N, wDim]. */
function layerW(ws: E.Tensor, idx: number): E.Tensor {
  return E.squeeze(E.narrow(ws, 1, idx, 1), [1]);
}

/**
 * ToRGB_lod{lod}: 1x1 conv (gain 1) and bias.
 * @example toRGB1(P, x, 0)
 */
function toRGB1(P: WeightScope, x: E.Tensor, lod: number): E.Tensor {
  const L = P.scope(`ToRGB_lod${lod}`);
  return addBias(L, conv2d(L, x, 1));
}

/**
 * G_synthesis: ws [N, numWs, wDim] -> images [N, imgChannels, res, res] (res = o.resolution, default the full
 * resolution), values about [-1, 1].
 * @example synthesisNetwork1(cfg, weights.scope('synthesis'), ws, { noiseMode: 'const' })
 * @example synthesisNetwork1(cfg, P, ws, { resolution: 16, lod: E.input('lod', []) }) // training at 16x16, fading in
 */
export function synthesisNetwork1(cfg: StyleGAN1GeneratorConfig, P: WeightScope, ws: E.Tensor, o: Synthesis1Options = {}): E.Tensor {
  const R = cfg.imgResolution;
  const target = o.resolution ?? R;
  const N = ws.shape[0]!;
  const mode = o.noiseMode ?? 'random';
  const blur = (x: E.Tensor) => (cfg.synthesis.blurFilter ? blur2d(x, cfg.synthesis.blurFilter, o.reference) : x);
  // Things to do at the end of each layer: noise, bias, activation, instance norm, style.
  const epilogue = (S: WeightScope, x: E.Tensor, idx: number) => {
    const res = x.shape[2]!;
    if (cfg.synthesis.useNoise && mode !== 'none') {
      const noise = mode === 'const' ? P.tensor(`noise${idx}`, [1, 1, res, res]) : E.randomInput(`noise${idx}`, [N, 1, res, res]);
      x = applyNoise(S.scope('Noise'), x, noise);
    }
    x = instanceNorm(lrelu(addBias(S, x)));
    return styleMod(S.scope('StyleMod'), x, layerW(ws, idx));
  };
  // Early layers: the learned constant and a conv at 4x4.
  const B4 = P.scope('4x4');
  const C4 = channelsAt1(cfg.synthesis, 4);
  let x = epilogue(B4.scope('Const'), E.tile(B4.tensor('Const.const', [1, C4, 4, 4]), [N, 1, 1, 1]), 0); // [N, C4, 4, 4]
  x = epilogue(B4.scope('Conv'), conv2d(B4.scope('Conv'), x, GAIN), 1);
  o.features?.set('b4', x);
  let img = o.linear || (o.lod && target === 8) || target === 4 ? toRGB1(P, x, lodOf(R, 4)) : null;
  // Remaining blocks, each doubling the resolution.
  for (let res = 8; res <= target; res *= 2) {
    const B = P.scope(`${res}x${res}`);
    const l = 2 * Math.log2(res) - 4;
    x = epilogue(B.scope('Conv0_up'), blur(upscaleConv2d(B.scope('Conv0_up'), x, GAIN, o.reference)), l); // [N, C, res, res]
    x = epilogue(B.scope('Conv1'), conv2d(B.scope('Conv1'), x, GAIN), l + 1);
    o.features?.set(`b${res}`, x);
    const lod = lodOf(R, res);
    if (o.linear || res === target || (o.lod && res === target / 2)) {
      const y = toRGB1(P, x, lod);
      // Grow: fade the new level in over the upscaled previous image.
      img = img && o.lod ? lerpClip(y, upscale2d(img), E.sub(o.lod, lod)) : y;
    }
  }
  return img!;
}
