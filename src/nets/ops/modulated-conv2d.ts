// modulated_conv2d: style-modulated, optionally demodulated convolution, as StyleGAN2 (training/networks_stylegan2.py)
// and StyleGAN3 (training/networks_stylegan3.py: pre-normalised weight and styles, input gain) define it.
// Two formulations, as in the official code: `fused` (per-sample weights, one grouped conv: the official
// inference path) and not fused (scale activations before and after a conv with the shared weight: the
// official training path, and here the fast path too, because a constant weight lets onnxruntime prepack it).
import * as E from '../../engine/index.js';
import { conv2dResample } from './conv2d-resample.js';
import type { Filter } from './upfirdn2d.js';
import { useWinograd, winogradConv2d, type WinogradMode } from './winograd.js';

export interface ModulatedConvOptions {
  /** Added after the convolution (and after demodulation), broadcast over [N, 1|C, H, W]. */
  noise?: E.Tensor | null;
  up?: number;
  down?: number;
  padding?: number;
  resampleFilter?: Filter | null;
  demodulate?: boolean;
  flipWeight?: boolean;
  fused?: boolean;
  /** Formulation of the upsampling conv (see conv2dResample). */
  polyphase?: boolean;
  /** Multiplies the convolution's output (before the noise) with no extra pass: folded into the demodulation. */
  outputGain?: number;
  /** A stride-1 3x3 correlation (no resampling, not fused) as Winograd F(4x4, 3x3): for constant weights, whose transform folds. */
  winograd?: boolean;
}

/**
 * x [N, I, H, W], weight [O, I, kh, kw], styles [N, I] -> [N, O, H', W'].
 * @example modulatedConv2d(x, weight, styles, { padding: 1, up: 2, resampleFilter: f, flipWeight: false })
 */
export function modulatedConv2d(x: E.Tensor, weight: E.Tensor, styles: E.Tensor, o: ModulatedConvOptions = {}): E.Tensor {
  const [N, I, H, W] = x.shape as number[];
  const [O, , kh, kw] = weight.shape as number[];
  const demodulate = o.demodulate ?? true;
  const resample = { f: o.resampleFilter ?? null, up: o.up ?? 1, down: o.down ?? 1, padding: o.padding ?? 0, flipWeight: o.flipWeight ?? true, polyphase: o.polyphase };
  const noise = o.noise ?? null;
  // Calculate per-sample weights and demodulation coefficients.
  if (!o.fused) {
    // Execute by scaling the activations before and after the convolution.
    const gain = o.outputGain ?? 1;
    let dcoefs = demodulate ? demodCoefficients(weight, styles) : null; // [N, O]
    if (dcoefs && gain !== 1) dcoefs = E.mul(dcoefs, gain);
    let y = E.mul(x, E.reshape(styles, [N!, I!, 1, 1]));
    const winograd = o.winograd && resample.up === 1 && resample.down === 1 && resample.flipWeight && kh === 3 && kw === 3;
    y = winograd ? winogradConv2d(y, weight, { padding: resample.padding, m: 4 }) : conv2dResample(y, weight, resample);
    if (dcoefs) y = E.mul(y, E.reshape(dcoefs, [N!, O!, 1, 1]));
    else if (gain !== 1) y = E.mul(y, gain);
    return noise ? E.add(y, noise) : y;
  }
  // Calculate per-sample weights and demodulation coefficients, then run one grouped convolution.
  let w = E.mul(E.unsqueeze(weight, 0), E.reshape(styles, [N!, 1, I!, 1, 1])); // [N, O, I, kh, kw]
  if (demodulate) {
    const dcoefs = E.rsqrt(E.add(E.sum(E.square(w), [2, 3, 4]), 1e-8)); // [N, O]
    w = E.mul(w, E.reshape(dcoefs, [N!, O!, 1, 1, 1]));
  }
  if (o.outputGain !== undefined && o.outputGain !== 1) w = E.mul(w, o.outputGain);
  const xg = E.reshape(x, [1, N! * I!, H!, W!]);
  const wg = E.reshape(w, [N! * O!, I!, kh!, kw!]);
  let y = conv2dResample(xg, wg, { ...resample, groups: N! });
  y = E.reshape(y, [N!, O!, y.shape[2]!, y.shape[3]!]);
  return noise ? E.add(y, noise) : y;
}

/**
 * Demodulation coefficients computed without per-sample weights: rsqrt((s^2) @ sum_k(w^2)^T + 1e-8).
 * Equal to the official ones; with a constant weight the [O, I] matrix folds to a constant.
 */
export function demodCoefficients(weight: E.Tensor, styles: E.Tensor): E.Tensor {
  const w2 = E.sum(E.square(weight), [2, 3]); // [O, I]
  return E.rsqrt(E.add(E.matmul(E.square(styles), E.transposeLast(w2)), 1e-8)); // [N, O]
}

/**
 * modulated_conv2d of StyleGAN3: pre-normalised weight and styles, optional demodulation, input gain, padding
 * k - 1. The fast path scales activations around one conv with the shared weight; the reference runs the
 * official grouped conv with per-sample weights.
 * @example modulatedConv2d3(x, weight, styles, { demodulate: true, inputGain: E.rsqrt(ema) })
 */
export function modulatedConv2d3(x: E.Tensor, weight: E.Tensor, s: E.Tensor, o: { demodulate: boolean; inputGain: E.Tensor; reference?: boolean; winograd?: WinogradMode }): E.Tensor {
  const [N, I, H, W] = x.shape as number[];
  const [O, , kh, kw] = weight.shape as number[];
  const padding = kh! - 1;
  let w = weight;
  // Pre-normalize inputs (the styles over the whole batch, as the official code does).
  if (o.demodulate) {
    w = E.mul(w, E.rsqrt(E.mean(E.square(w), [1, 2, 3], true)));
    s = E.mul(s, E.rsqrt(E.mean(E.square(s))));
  }
  if (!o.reference) {
    const dcoefs = o.demodulate ? demodCoefficients(w, s) : null; // [N, O]
    const xs = E.mul(x, E.reshape(E.mul(s, o.inputGain), [N!, I!, 1, 1]));
    // Wide 3x3 layers run as Winograd F(4x4, 3x3): about half the CPU time of the direct conv (bench/winograd.ts).
    let y = useWinograd(o.winograd, weight.shape) ? winogradConv2d(xs, w, { padding, m: 4 }) : E.conv2d(xs, w, { padding });
    if (dcoefs) y = E.mul(y, E.reshape(dcoefs, [N!, O!, 1, 1]));
    return y;
  }
  let wm = E.mul(E.unsqueeze(w, 0), E.reshape(s, [N!, 1, I!, 1, 1])); // [N, O, I, k, k]
  if (o.demodulate) wm = E.mul(wm, E.reshape(E.rsqrt(E.add(E.sum(E.square(wm), [2, 3, 4]), 1e-8)), [N!, O!, 1, 1, 1]));
  wm = E.mul(wm, o.inputGain);
  const y = E.conv2d(E.reshape(x, [1, N! * I!, H!, W!]), E.reshape(wm, [N! * O!, I!, kh!, kw!]), { padding, groups: N! });
  return E.reshape(y, [N!, O!, y.shape[2]!, y.shape[3]!]);
}
