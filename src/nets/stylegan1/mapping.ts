// StyleGAN (v1) mapping network z -> w and G_style's style mixing (its truncation is nets/truncation.ts)
// (NVlabs/stylegan training/networks_stylegan.py: G_mapping, G_style).
import * as E from '../../engine/index.js';
import type { WeightScope } from '../weights.js';
import { numLayersOf, type StyleGAN1GeneratorConfig } from './config.js';
import { addBias, dense, GAIN, lrelu, pixelNorm } from './layers.js';

/**
 * G_mapping: z [N, zDim] (and labels c [N, cDim]) -> ws [N, numWs, wDim] (w broadcast to every layer).
 * @example mappingNetwork1(cfg, weights.scope('mapping'), z, null)
 */
export function mappingNetwork1(cfg: StyleGAN1GeneratorConfig, P: WeightScope, z: E.Tensor, c: E.Tensor | null): E.Tensor {
  const m = cfg.mapping;
  let x = z;
  // Embed labels and concatenate them with latents (LabelConcat: a plain matmul, no equalized lr).
  if (cfg.cDim > 0) x = E.concat([x, E.matmul(c!, E.transposeLast(P.tensor('LabelConcat.weight', [cfg.zDim, cfg.cDim])))], 1);
  if (m.normalizeLatents) x = pixelNorm(x);
  // Mapping layers: dense, bias, leaky ReLU, with the learning-rate multiplier on weights and biases.
  for (let i = 0; i < m.numLayers; i++) {
    const L = P.scope(`Dense${i}`);
    x = lrelu(addBias(L, dense(L, x, GAIN, m.lrMultiplier), m.lrMultiplier)); // [N, fmaps]
  }
  // Broadcast.
  const numWs = numLayersOf(cfg.imgResolution);
  return E.expand(E.unsqueeze(x, 1), [x.shape[0]!, numWs, cfg.wDim]); // [N, numWs, wDim]
}

/**
 * G_style's style mixing regularisation: layers at or above `mixingCutoff` (one integer for the minibatch, as
 * the official draws it, fed at run time as [1, 1, 1]) take their w from `ws2`; a cutoff of numWs keeps `ws`.
 * @example styleMixing(ws, ws2, E.input('mixing_cutoff', [1, 1, 1]))
 */
export function styleMixing(ws: E.Tensor, ws2: E.Tensor, mixingCutoff: E.Tensor): E.Tensor {
  const numWs = ws.shape[1]!;
  const layerIdx = E.constant(Array.from({ length: numWs }, (_, i) => i), [1, numWs, 1]); // [1, numWs, 1]
  return E.where(E.less(layerIdx, mixingCutoff), ws, ws2);
}

/**
 * The mixing cutoff of G_style for one minibatch: with probability `prob` uniform in [1, curLayers), else curLayers,
 * where curLayers = numWs - 2 floor(lod) counts the layers in use at the current level of detail.
 * @example mixingCutoff(rng, 0.9, 12, 1.5)
 */
export function mixingCutoff(uniform: () => number, prob: number, numWs: number, lod: number): number {
  const curLayers = numWs - 2 * Math.floor(lod);
  if (curLayers > 1 && uniform() < prob) return 1 + Math.floor(uniform() * (curLayers - 1));
  return curLayers;
}
