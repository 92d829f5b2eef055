// Discriminator of U-GAT-IT (networks.py): spectrally normalised 4x4 convs with reflection padding and
// leaky ReLU, the CAM head, and a final 4x4 conv. n_layers 7 is the global, 5 the local discriminator.
import * as E from '../../engine/index.js';
import type { WeightScope } from '../weights.js';
import { discriminatorConvs } from './config.js';
import type { UgatitOutputs } from './generator.js';
import { camHead, conv, reflectionPad } from './layers.js';
import { spectralNormWeight, spectralSigma } from './spectral-norm.js';

/** Where a spectral-normed layer's u and v come from: the stored buffers (eval) or per-call inputs (training). */
export type SpectralVectors = (layer: string) => { u: E.Tensor; v: E.Tensor };

/** The stored weight_u / weight_v buffers, as eval mode uses them. */
export function storedVectors(P: WeightScope): SpectralVectors {
  return (layer) => ({ u: P.tensor(`${layer}.weight_u`), v: P.tensor(`${layer}.weight_v`) });
}

const lrelu = (x: E.Tensor): E.Tensor => E.leakyRelu(x, 0.2);

/**
 * Discriminator.forward on x [N, 3, H, W]; returns (out, cam_logit, heatmap) as the official one does.
 * @example const { out } = ugatitDiscriminator(weights.scope(''), cfg.ch, 7, x, storedVectors(weights.scope('')));
 */
export function ugatitDiscriminator(P: WeightScope, ndf: number, nLayers: number, x: E.Tensor, vectors: SpectralVectors): UgatitOutputs {
  const sn = (layer: string): E.Tensor => {
    const { u, v } = vectors(layer);
    return spectralNormWeight(P.tensor(`${layer}.weight_orig`), u, v);
  };
  // conv(x, W / sigma) = conv(x, W) / sigma: dividing whichever of W and the output is smaller keeps the deep
  // layers' weight-sized W / sigma (up to 128 MiB each, one per call) from living until the backward pass.
  const snConv = (layer: string, x: E.Tensor, stride = 1): E.Tensor => {
    const { u, v } = vectors(layer);
    const w = P.tensor(`${layer}.weight_orig`); // [O, C, 4, 4]
    const [n, , hi, wi] = x.shape as [number, number, number, number];
    const outSize = n * w.shape[0]! * (Math.floor((hi - w.shape[2]!) / stride) + 1) * (Math.floor((wi - w.shape[3]!) / stride) + 1);
    const sigma = spectralSigma(w, u, v);
    return outSize < w.size ? E.div(conv(x, w, undefined, stride), sigma) : conv(x, E.div(w, sigma), undefined, stride);
  };
  let h = x;
  for (const c of discriminatorConvs(ndf, nLayers)) {
    const layer = `model.${c.index}`;
    const bias = E.reshape(P.tensor(`${layer}.bias`), [1, c.outChannels, 1, 1]);
    h = lrelu(E.add(snConv(layer, reflectionPad(h, 1), c.stride), bias));
  }
  // CAM head: logits use the normalised weights, but the official code scales the features by
  // `list(gap_fc.parameters())[0]`, which under spectral_norm is the raw weight_orig.
  const cam = camHead(
    h,
    { gapLogitW: sn('gap_fc'), gmpLogitW: sn('gmp_fc'), gapW: P.tensor('gap_fc.weight_orig'), gmpW: P.tensor('gmp_fc.weight_orig'), conv1x1W: P.tensor('conv1x1.weight'), conv1x1B: P.tensor('conv1x1.bias') },
    lrelu,
  );
  const out = snConv('conv', reflectionPad(cam.x, 1)); // [N, 1, h, w]
  return { out, camLogit: cam.camLogit, heatmap: cam.heatmap };
}
