// StyleGAN (v1) discriminator image -> score with progressive growing (NVlabs/stylegan
// training/networks_stylegan.py: D_basic, structure 'linear'): FromRGB, then per resolution a conv and a
// blurred downscaling conv, then at 4x4 minibatch stddev, a conv and two dense layers.
import * as E from '../../engine/index.js';
import { minibatchStd } from '../stylegan2/discriminator.js';
import type { WeightScope } from '../weights.js';
import { lodOf, type StyleGAN1DiscriminatorConfig } from './config.js';
import { addBias, blur2d, conv2d, conv2dDownscale2d, dense, downscale2d, GAIN, lerpClip, lrelu } from './layers.js';

export interface Discriminator1Options {
  /**
   * Level of detail, a scalar fed at run time: at the input's resolution `res` the features are
   * lerp_clip(block(FromRGB(img)), FromRGB(downscale(img)), lod - lodOf(res)). Without it the input's
   * resolution is used alone.
   */
  lod?: E.Tensor;
  /** The official 'linear' structure on a full-resolution input: a FromRGB and a fade at every level (a test oracle). */
  linear?: boolean;
  /** Separate-op formulations of the downscaling conv and blur instead of the fast ones. */
  reference?: boolean;
}

/**
 * D_basic: images [N, C, res, res] (res <= the configured resolution: the network shrunk to the level being
 * trained) and labels c [N, cDim] -> scores [N, 1].
 * @example discriminator1(cfg, weights.scope(''), img, null)
 * @example discriminator1(cfg, P, img16, null, { lod: E.input('lod', []) }) // training at 16x16, fading in
 */
export function discriminator1(cfg: StyleGAN1DiscriminatorConfig, P: WeightScope, img: E.Tensor, c: E.Tensor | null, o: Discriminator1Options = {}): E.Tensor {
  const R = cfg.imgResolution;
  const top = img.shape[2]!;
  const blur = (x: E.Tensor) => (cfg.blurFilter ? blur2d(x, cfg.blurFilter, o.reference) : x);
  const fromRGB = (x: E.Tensor, res: number) => {
    const L = P.scope(`FromRGB_lod${lodOf(R, res)}`);
    return lrelu(addBias(L, conv2d(L, x, GAIN)));
  };
  // Blocks from the input's resolution down to 8x8, each halving it.
  let x = fromRGB(img, top);
  let image = img;
  for (let res = top; res > 4; res /= 2) {
    const B = P.scope(`${res}x${res}`);
    x = lrelu(addBias(B.scope('Conv0'), conv2d(B.scope('Conv0'), x, GAIN)));
    x = lrelu(addBias(B.scope('Conv1_down'), conv2dDownscale2d(B.scope('Conv1_down'), blur(x), GAIN, o.reference))); // [N, C', res/2, res/2]
    // Grow: fade the new level in over FromRGB of the downscaled image.
    if (o.lod && (o.linear || res === top)) {
      image = downscale2d(image);
      x = lerpClip(x, fromRGB(image, res / 2), E.sub(o.lod, lodOf(R, res)));
    }
  }
  // 4x4: minibatch stddev, conv, dense, dense.
  const B4 = P.scope('4x4');
  if (cfg.mbstdGroupSize > 1) x = minibatchStd(x, cfg.mbstdGroupSize, cfg.mbstdNumFeatures);
  x = lrelu(addBias(B4.scope('Conv'), conv2d(B4.scope('Conv'), x, GAIN)));
  x = lrelu(addBias(B4.scope('Dense0'), dense(B4.scope('Dense0'), x, GAIN)));
  let scores = addBias(B4.scope('Dense1'), dense(B4.scope('Dense1'), x, 1)); // [N, max(cDim, 1)]
  // Label conditioning: the score of the sample's class.
  if (cfg.cDim > 0) scores = E.sum(E.mul(scores, c!), 1, true);
  return scores;
}
