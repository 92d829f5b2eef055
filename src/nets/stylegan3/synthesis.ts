// StyleGAN3 synthesis network ws -> image (training/networks_stylegan3.py: modulated_conv2d, SynthesisLayer,
// SynthesisNetwork). Every layer: affine style, modulated conv (magnitude-EMA input gain), filtered leaky ReLU.
import * as E from '../../engine/index.js';
import { demodCoefficients } from '../ops/modulated-conv2d.js';
import { type WinogradMode, winogradConv2d, winogradWins } from '../ops/winograd.js';
import { fullyConnected } from '../stylegan2/mapping.js';
import type { WeightScope } from '../weights.js';
import { type LayerPlan, type SynthesisConfig3, synthesisPlan } from './config.js';
import type { LowpassFilter } from './filters.js';
import { type FilteredLreluOptions, filteredLreluInStrips, filteredLreluRef } from './filtered-lrelu.js';

/** Largest up-sampled map (values) one fast filtered_lrelu call computes at once: 16M floats, 64 MiB. */
export const STRIP_ELEMENTS = 1 << 24;
import { synthesisInput } from './input.js';

export interface SynthesisOptions3 {
  /** The official reference formulation (grouped conv with per-sample weights, `_filtered_lrelu_ref`). */
  reference?: boolean;
  /** The user inverse transform [3, 3] (default: the stored `input.transform` buffer). */
  transform?: E.Tensor;
  /** Collects each layer's output under its official name, in order (DragGAN's `feat` list). */
  features?: Map<string, E.Tensor>;
  /**
   * 3x3 convs of the fast path as Winograd F(4x4, 3x3): 'auto' where it is faster (wide layers), 'always', or
   * 'never' (the default here: training feeds its weights, whose Winograd transform would not fold; models use 'auto').
   */
  winograd?: WinogradMode;
}

export type { WinogradMode } from '../ops/winograd.js';

/**
 * A stored filter buffer: [k] separable taps, [k, k] a radial kernel, absent the identity.
 * @example storedFilter(P.scope('L0_36_512'), 'up_filter')
 */
export function storedFilter(P: WeightScope, name: string): LowpassFilter {
  const shape = P.shape(name);
  if (!shape) return null;
  if (shape.length === 1) return { kind: 'separable', taps: P.data(name) };
  return { kind: 'radial', kernel: { data: P.data(name), shape: [shape[0]!, shape[1]!] } };
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
    const mode = o.winograd ?? 'never';
    const winograd = kh === 3 && kw === 3 && (mode === 'always' || (mode === 'auto' && winogradWins(I!, O!)));
    let y = winograd ? winogradConv2d(xs, w, { padding, m: 4 }) : E.conv2d(xs, w, { padding });
    if (dcoefs) y = E.mul(y, E.reshape(dcoefs, [N!, O!, 1, 1]));
    return y;
  }
  let wm = E.mul(E.unsqueeze(w, 0), E.reshape(s, [N!, 1, I!, 1, 1])); // [N, O, I, k, k]
  if (o.demodulate) wm = E.mul(wm, E.reshape(E.rsqrt(E.add(E.sum(E.square(wm), [2, 3, 4]), 1e-8)), [N!, O!, 1, 1, 1]));
  wm = E.mul(wm, o.inputGain);
  const y = E.conv2d(E.reshape(x, [1, N! * I!, H!, W!]), E.reshape(wm, [N! * O!, I!, kh!, kw!]), { padding, groups: N! });
  return E.reshape(y, [N!, O!, y.shape[2]!, y.shape[3]!]);
}

/**
 * SynthesisLayer.forward: the input is scaled by rsqrt of the magnitude EMA, the stored one unless training
 * passes the updated value (`magnitudeEma`, update_emas=True).
 * @example synthesisLayer(P.scope(l.name), l, x, w, 256)
 */
export function synthesisLayer(
  P: WeightScope,
  l: LayerPlan,
  x: E.Tensor,
  w: E.Tensor,
  convClamp: number | null,
  reference = false,
  winograd: WinogradMode = 'never',
  magnitudeEma?: E.Tensor,
): E.Tensor {
  const inputGain = E.rsqrt(magnitudeEma ?? P.tensor('magnitude_ema', []));
  let styles = fullyConnected(P.scope('affine'), w); // [N, in]
  if (l.isTorgb) styles = E.mul(styles, 1 / Math.sqrt(l.inChannels * l.convKernel ** 2));
  const weight = P.tensor('weight', [l.outChannels, l.inChannels, l.convKernel, l.convKernel]);
  const y = modulatedConv2d3(x, weight, styles, { demodulate: !l.isTorgb, inputGain, reference, winograd });
  // The fast path runs large layers in strips of at most STRIP_ELEMENTS up-sampled values (bounded memory).
  const lrelu = reference ? filteredLreluRef : (v: E.Tensor, o: FilteredLreluOptions) => filteredLreluInStrips(v, o, STRIP_ELEMENTS);
  return lrelu(y, {
    fu: storedFilter(P, 'up_filter'),
    fd: storedFilter(P, 'down_filter'),
    b: P.tensor('bias', [l.outChannels]),
    up: l.upFactor,
    down: l.downFactor,
    padding: l.padding,
    gain: l.isTorgb ? 1 : Math.SQRT2,
    slope: l.isTorgb ? 1 : 0.2,
    clamp: convClamp,
  });
}

/**
 * SynthesisNetwork.forward: ws [N, numWs, wDim] -> image [N, imgChannels, R, R] in about [-1, 1].
 * @example synthesisNetwork3(cfg, weights.scope('synthesis'), ws, { features })
 */
export function synthesisNetwork3(cfg: SynthesisConfig3, P: WeightScope, ws: E.Tensor, o: SynthesisOptions3 = {}): E.Tensor {
  const plan = synthesisPlan(cfg);
  const numWs = cfg.numLayers + 2;
  const wsList = E.split(ws, 1, new Array<number>(numWs).fill(1)).map((t) => E.squeeze(t, [1])); // numWs x [N, wDim]
  const transform = o.transform ?? P.tensor('input.transform', [3, 3]);
  let x = synthesisInput(P.scope('input'), plan.input, wsList[0]!, transform);
  for (const l of plan.layers) {
    x = synthesisLayer(P.scope(l.name), l, x, wsList[l.idx + 1]!, cfg.convClamp, o.reference, o.winograd);
    o.features?.set(l.name, x);
  }
  return cfg.outputScale !== 1 ? E.mul(x, cfg.outputScale) : x;
}
