// StyleGAN (v1) layers (NVlabs/stylegan training/networks_stylegan.py): equalized-learning-rate dense and
// conv layers (`get_weight` with use_wscale), the upscale/downscale convolutions with their fused forms,
// blur, noise, instance norm and the AdaIN style modulation. Weights are stored in PyTorch layout
// ([out, in] and [out, in, k, k]); the official TensorFlow layout is [in, out] and [k, k, in, out].
import * as E from '../../engine/index.js';
import { setupFilter, upfirdn2d, upfirdn2dRef } from '../ops/upfirdn2d.js';
import type { WeightScope } from '../weights.js';
import { LRELU_ALPHA } from './config.js';

/** Gain of the layers followed by a leaky ReLU (He init). */
export const GAIN = Math.SQRT2;

/**
 * get_weight's runtime coefficient with use_wscale: he_std * lrmul, he_std = gain / sqrt(fan_in). The stored
 * weight is N(0, 1/lrmul), so every layer learns at the same speed whatever its fan-in (equalized learning rate).
 * @example wscale(3 * 3 * 512, Math.SQRT2) // 0.0208
 */
export function wscale(fanIn: number, gain: number, lrMultiplier = 1): number {
  return (gain / Math.sqrt(fanIn)) * lrMultiplier;
}

/** The stored weight times its runtime coefficient (fan-in = everything but the output dimension). */
function scaledWeight(P: WeightScope, gain: number, lrMultiplier = 1): E.Tensor {
  const w = P.tensor('weight');
  const fanIn = w.shape.slice(1).reduce((a, b) => a * b, 1);
  return E.mul(w, wscale(fanIn, gain, lrMultiplier));
}

/**
 * apply_bias: x + bias * lrmul along the channel axis (bias [C]).
 * @example addBias(P.scope('Dense0'), x, 0.01)
 */
export function addBias(P: WeightScope, x: E.Tensor, lrMultiplier = 1): E.Tensor {
  let b = P.tensor('bias', [x.shape[1]!]);
  if (lrMultiplier !== 1) b = E.mul(b, lrMultiplier);
  return E.add(x, x.rank === 2 ? b : E.reshape(b, [1, -1, 1, 1]));
}

/** The official leaky ReLU (slope 0.2, no gain). */
export function lrelu(x: E.Tensor): E.Tensor {
  return E.leakyRelu(x, LRELU_ALPHA);
}

/**
 * dense: x [N, ...] flattened to [N, in], times the scaled weight [out, in] transposed (no bias).
 * @example dense(P.scope('Dense0'), x, GAIN, 0.01)
 */
export function dense(P: WeightScope, x: E.Tensor, gain: number, lrMultiplier = 1): E.Tensor {
  const flat = x.rank > 2 ? E.reshape(x, [x.shape[0]!, -1]) : x;
  return E.matmul(flat, E.transposeLast(scaledWeight(P, gain, lrMultiplier)));
}

/**
 * conv2d: 'SAME' convolution with an odd kernel and the scaled weight [out, in, k, k] (no bias).
 * @example conv2d(P.scope('Conv1'), x, GAIN)
 */
export function conv2d(P: WeightScope, x: E.Tensor, gain: number): E.Tensor {
  const w = scaledWeight(P, gain);
  return E.conv2d(x, w, { padding: Math.floor(w.shape[2]! / 2) });
}

/** x [N, C, H, W] -> [N, C, 2H, 2W] by repeating pixels (upscale2d, nearest neighbour). */
export function upscale2d(x: E.Tensor, factor = 2): E.Tensor {
  if (factor === 1) return x;
  const [N, C, H, W] = x.shape as number[];
  const y = E.expand(E.reshape(x, [N!, C!, H!, 1, W!, 1]), [N!, C!, H!, factor, W!, factor]); // [N, C, H, f, W, f]
  return E.reshape(y, [N!, C!, H! * factor, W! * factor]);
}

/** x [N, C, H, W] -> [N, C, H/2, W/2] by averaging 2x2 blocks (downscale2d). */
export function downscale2d(x: E.Tensor, factor = 2): E.Tensor {
  if (factor === 1) return x;
  const [N, C, H, W] = x.shape as number[];
  return E.mean(E.reshape(x, [N!, C!, H! / factor, factor, W! / factor, factor]), [3, 5]);
}

/**
 * blur2d: the normalised outer product of `taps` with 'SAME' zero padding (an odd number of taps).
 * The fast path filters as two 1-D passes; the reference is one 2-D depthwise convolution.
 * @example blur2d(x, [1, 2, 1])
 */
export function blur2d(x: E.Tensor, taps: readonly number[], reference = false): E.Tensor {
  const f = setupFilter([...taps]);
  const p = Math.floor((taps.length - 1) / 2);
  const pad: [number, number, number, number] = [p, taps.length - 1 - p, p, taps.length - 1 - p];
  // Correlation as TensorFlow's depthwise_conv2d does: the filter is flipped for upfirdn2d's true convolution.
  return reference ? upfirdn2dRef(x, f, { padding: pad, flipFilter: true }) : upfirdn2d(x, f, { padding: pad, flipFilter: true });
}

/** The 4x4 kernel that applies a 3x3 kernel to each pixel's 2x2 block: w padded by 1 and summed over 4 shifts. */
function fusedKernel(w: E.Tensor): E.Tensor {
  const p = E.pad(w, [[0, 0], [0, 0], [1, 1], [1, 1]]); // [O, I, k+2, k+2]
  const k = p.shape[2]! - 1;
  const at = (dy: number, dx: number) => E.slice(p, [{ axis: 2, start: dy, end: dy + k }, { axis: 3, start: dx, end: dx + k }]);
  return E.add(E.add(at(1, 1), at(0, 1)), E.add(at(1, 0), at(0, 0))); // [O, I, k+1, k+1]
}

/** fused_scale='auto' of the official code: fuse when the larger side of the layer is at least 128. */
export function fusedScale(largerResolution: number): boolean {
  return largerResolution >= 128;
}

/**
 * upscale2d_conv2d: x [N, I, H, W] -> [N, O, 2H, 2W] (no bias). Unfused (below 128) it is nearest-neighbour
 * upscaling then a 'SAME' conv; fused (128 and up) the official transposed convolution, which applies the
 * 3x3 kernel rotated by 180 degrees. The fast path is a transposed convolution in both cases; the reference
 * runs the separate ops.
 * @example upscaleConv2d(P.scope('Conv0_up'), x, GAIN)
 */
export function upscaleConv2d(P: WeightScope, x: E.Tensor, gain: number, reference = false): E.Tensor {
  let w = scaledWeight(P, gain); // [O, I, 3, 3]
  if (!fusedScale(2 * x.shape[2]!)) w = E.flip(w, [2, 3]);
  if (reference) return E.conv2d(upscale2d(x), E.flip(w, [2, 3]), { padding: Math.floor(w.shape[2]! / 2) });
  const k = fusedKernel(w); // [O, I, 4, 4]
  return E.convTranspose2d(x, E.transpose(k, [1, 0, 2, 3]), { stride: 2, padding: Math.floor(w.shape[2]! / 2) });
}

/**
 * conv2d_downscale2d: x [N, I, H, W] -> [N, O, H/2, W/2] (no bias): a 'SAME' conv then 2x2 averaging, which the
 * fused form (official at 128 and up) computes exactly as one stride-2 conv with the averaged 4x4 kernel. The fast
 * path is the strided conv at every resolution; the reference runs the separate ops.
 * @example conv2dDownscale2d(P.scope('Conv1_down'), x, GAIN)
 */
export function conv2dDownscale2d(P: WeightScope, x: E.Tensor, gain: number, reference = false): E.Tensor {
  const w = scaledWeight(P, gain); // [O, I, 3, 3]
  const pad = Math.floor(w.shape[2]! / 2);
  if (reference) return downscale2d(E.conv2d(x, w, { padding: pad }));
  return E.conv2d(x, E.mul(fusedKernel(w), 0.25), { stride: 2, padding: pad });
}

/** pixel_norm: x * rsqrt(mean(x^2 over channels) + eps). */
export function pixelNorm(x: E.Tensor, eps = 1e-8): E.Tensor {
  return E.mul(x, E.rsqrt(E.add(E.mean(E.square(x), 1, true), eps)));
}

/** instance_norm: each feature map of each sample to zero mean and unit variance. */
export function instanceNorm(x: E.Tensor, eps = 1e-8): E.Tensor {
  const centred = E.sub(x, E.mean(x, [2, 3], true)); // [N, C, H, W]
  return E.mul(centred, E.rsqrt(E.add(E.mean(E.square(centred), [2, 3], true), eps)));
}

/**
 * apply_noise: x + noise [N or 1, 1, H, W] times a learned per-channel strength (`Noise.weight` [C]).
 * @example applyNoise(P.scope('Noise'), x, E.randomInput('noise0', [N, 1, 4, 4]))
 */
export function applyNoise(P: WeightScope, x: E.Tensor, noise: E.Tensor): E.Tensor {
  return E.add(x, E.mul(noise, E.reshape(P.tensor('weight', [x.shape[1]!]), [1, -1, 1, 1])));
}

/**
 * style_mod (AdaIN's affine part): styles = dense(w) + bias as [N, 2, C]; x * (scale + 1) + bias.
 * @example styleMod(P.scope('StyleMod'), x, w) // x [N, C, H, W], w [N, wDim]
 */
export function styleMod(P: WeightScope, x: E.Tensor, w: E.Tensor): E.Tensor {
  const C = x.shape[1]!;
  const style = E.reshape(addBias(P, dense(P, w, 1)), [-1, 2, C, 1, 1]); // [N, 2, C, 1, 1]
  const [scale, bias] = E.split(style, 1, [1, 1]).map((t) => E.squeeze(t, [1])); // [N, C, 1, 1] each
  return E.add(E.mul(x, E.add(scale!, 1)), bias!);
}

/**
 * tflib.lerp_clip(a, b, t): a + (b - a) * clip(t, 0, 1), with t a scalar tensor (the level-of-detail fade).
 * @example lerpClip(newImg, upscaledOld, E.sub(lod, 2))
 */
export function lerpClip(a: E.Tensor, b: E.Tensor, t: E.Tensor): E.Tensor {
  return E.add(a, E.mul(E.sub(b, a), E.clip(t, 0, 1)));
}
