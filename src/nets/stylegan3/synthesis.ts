// StyleGAN3 synthesis network ws -> image (training/networks_stylegan3.py: SynthesisLayer, SynthesisNetwork;
// its modulated_conv2d is modulatedConv2d3 in nets/ops/modulated-conv2d.ts). Every layer: affine style, modulated conv (magnitude-EMA input gain), filtered leaky ReLU.
import * as E from '../../engine/index.js';
import { modulatedConv2d3 } from '../ops/modulated-conv2d.js';
import type { WinogradMode } from '../ops/winograd.js';
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
