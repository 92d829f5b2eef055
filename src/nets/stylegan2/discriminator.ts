// StyleGAN2 discriminator image -> logits (training/networks_stylegan2.py: DiscriminatorBlock,
// MinibatchStdLayer, DiscriminatorEpilogue, Discriminator).
import * as E from '../../engine/index.js';
import { downsample2d } from '../ops/upfirdn2d.js';
import type { WeightScope } from '../weights.js';
import { channelsAt, type DiscriminatorConfig } from './config.js';
import { conv2dLayer, resampleFilter } from './layers.js';
import { fullyConnected, mappingNetwork } from './mapping.js';

/**
 * MinibatchStdLayer: appends the standard deviation over groups of the minibatch as extra channels.
 * @example minibatchStd(x, 4, 1)
 */
export function minibatchStd(x: E.Tensor, groupSize: number | null, numChannels: number): E.Tensor {
  const [N, C, H, W] = x.shape as number[];
  const G = groupSize === null ? N! : Math.min(groupSize, N!);
  const F = numChannels;
  const c = C! / F;
  let y = E.reshape(x, [G, -1, F, c, H!, W!]); // [GnFcHW] split minibatch N into n groups of size G
  y = E.sub(y, E.mean(y, 0, true)); // subtract mean over group
  y = E.mean(E.square(y), 0); // [nFcHW] variance over group
  y = E.sqrt(E.add(y, 1e-8)); // [nFcHW] stddev over group
  y = E.mean(y, [2, 3, 4]); // [nF] average over channels and pixels
  y = E.reshape(y, [-1, F, 1, 1]); // [nF11]
  y = E.tile(y, [G, 1, H!, W!]); // [NFHW] replicate over group and pixels
  return E.concat([x, y], 1);
}

export interface DiscriminatorOptions {
  /** Official generic conv2d_resample path instead of the fast one. */
  reference?: boolean;
}

/**
 * Discriminator.forward: img [N, C, R, R] and c [N, cDim] -> logits [N, 1].
 * @example discriminator(cfg, weights.scope(''), img, null)
 */
export function discriminator(cfg: DiscriminatorConfig, P: WeightScope, img: E.Tensor, c: E.Tensor | null, o: DiscriminatorOptions = {}): E.Tensor {
  const act = cfg.activation;
  const clamp = cfg.convClamp;
  let x: E.Tensor | null = null;
  let image: E.Tensor | null = img;
  for (let res = cfg.imgResolution; res > 4; res /= 2) {
    const B = P.scope(`b${res}`);
    const filter = resampleFilter(B, cfg.resampleFilter);
    // FromRGB.
    if (res === cfg.imgResolution || cfg.architecture === 'skip') {
      const y = conv2dLayer(B.scope('fromrgb'), image!, { activation: act, convClamp: clamp, reference: o.reference });
      x = x ? E.add(x, y) : y;
      image = cfg.architecture === 'skip' ? downsample2d(image!, filter) : null;
    }
    // Main layers.
    if (cfg.architecture === 'resnet') {
      const y = conv2dLayer(B.scope('skip'), x!, { down: 2, filter, gain: Math.SQRT1_2, reference: o.reference });
      x = conv2dLayer(B.scope('conv0'), x!, { activation: act, convClamp: clamp, reference: o.reference });
      x = conv2dLayer(B.scope('conv1'), x, { activation: act, down: 2, filter, convClamp: clamp, gain: Math.SQRT1_2, reference: o.reference });
      x = E.add(y, x);
    } else {
      x = conv2dLayer(B.scope('conv0'), x!, { activation: act, convClamp: clamp, reference: o.reference });
      x = conv2dLayer(B.scope('conv1'), x, { activation: act, down: 2, filter, convClamp: clamp, reference: o.reference });
    }
  }
  // Conditioning: the label mapped to cmap.
  const cmapDim = cfg.cDim === 0 ? 0 : (cfg.cmapDim ?? channelsAt(cfg, 4));
  let cmap: E.Tensor | null = null;
  if (cfg.cDim > 0) {
    cmap = mappingNetwork({ ...cfg.mapping, zDim: 0, cDim: cfg.cDim, wDim: cmapDim, numWs: null, wAvgBeta: null }, P.scope('mapping'), null, c);
  }
  // Epilogue.
  const B4 = P.scope('b4');
  if (cfg.architecture === 'skip') x = E.add(x!, conv2dLayer(B4.scope('fromrgb'), image!, { activation: act, reference: o.reference }));
  if (cfg.mbstdNumChannels > 0) x = minibatchStd(x!, cfg.mbstdGroupSize, cfg.mbstdNumChannels);
  x = conv2dLayer(B4.scope('conv'), x!, { activation: act, convClamp: clamp, reference: o.reference });
  x = fullyConnected(B4.scope('fc'), E.reshape(x, [x.shape[0]!, -1]), { activation: act });
  x = fullyConnected(B4.scope('out'), x);
  if (cmap) x = E.mul(E.sum(E.mul(x, cmap), 1, true), 1 / Math.sqrt(cmapDim));
  return x;
}
