// StyleGAN2 synthesis network ws -> image (training/networks_stylegan2.py: SynthesisLayer, ToRGBLayer,
// SynthesisBlock, SynthesisNetwork).
import * as E from '../../engine/index.js';
import { ACTIVATIONS, biasAct } from '../ops/bias-act.js';
import { modulatedConv2d } from '../ops/modulated-conv2d.js';
import { type Filter, upsample2d } from '../ops/upfirdn2d.js';
import { useWinograd, type WinogradMode } from '../ops/winograd.js';
import type { WeightScope } from '../weights.js';
import { blockResolutions, channelsAt, type SynthesisConfig } from './config.js';
import { fullyConnected } from './mapping.js';
import { conv2dLayer, resampleFilter } from './layers.js';

export type NoiseMode = 'const' | 'random' | 'none';

export interface SynthesisOptions {
  noiseMode?: NoiseMode;
  /** Per-sample weights with a grouped conv (the official inference path) instead of the fast path. */
  fused?: boolean;
  /** Formulation of upsampling convs (see conv2dResample); the default is the fastest measured. */
  polyphase?: boolean;
  /** Collects each block's feature map (DragGAN reads them). */
  features?: Map<string, E.Tensor>;
  /** Winograd F(4x4, 3x3) for the stride-1 3x3 layers; default 'never' (training feeds its weights, whose transform would not fold). */
  winograd?: WinogradMode;
}

interface LayerArgs {
  cfg: SynthesisConfig;
  resolution: number;
  up: number;
  filter: Filter;
  opts: SynthesisOptions;
  gain?: number;
  noiseName: string;
}

/** SynthesisLayer.forward: affine style, modulated conv (up x2 when up = 2), noise, bias, lrelu, clamp. */
function synthesisLayer(P: WeightScope, x: E.Tensor, w: E.Tensor, a: LayerArgs): E.Tensor {
  const N = x.shape[0]!;
  const styles = fullyConnected(P.scope('affine'), w); // [N, in]
  let noise: E.Tensor | null = null;
  const mode = a.opts.noiseMode ?? 'random';
  if (a.cfg.useNoise && mode !== 'none') {
    const strength = P.tensor('noise_strength', []);
    const n = mode === 'const' ? P.tensor('noise_const', [a.resolution, a.resolution]) : E.randomInput(a.noiseName, [N, 1, a.resolution, a.resolution]);
    noise = E.mul(n, strength);
  }
  const weight = P.tensor('weight');
  const gain = ACTIVATIONS[a.cfg.activation].defGain * (a.gain ?? 1);
  const clamp = a.cfg.convClamp === null ? null : a.cfg.convClamp * (a.gain ?? 1);
  const conv = (outputGain: number, n: E.Tensor | null) =>
    modulatedConv2d(x, weight, styles, {
      noise: n,
      up: a.up,
      padding: Math.floor(weight.shape[3]! / 2),
      resampleFilter: a.filter,
      flipWeight: a.up === 1,
      fused: a.opts.fused ?? false,
      polyphase: a.opts.polyphase,
      outputGain,
      winograd: a.up === 1 && useWinograd(a.opts.winograd, weight.shape, a.resolution),
    });
  // Fast path: act(v) * g = act(v * g) for (leaky) ReLU and g > 0, so the gain rides on the demodulation,
  // the noise and the bias instead of costing a pass over the output. The fused path keeps the official order.
  if (!a.opts.fused && (a.cfg.activation === 'lrelu' || a.cfg.activation === 'relu') && gain > 0) {
    const y = conv(gain, noise && E.mul(noise, gain));
    return biasAct(y, { b: E.mul(P.tensor('bias'), gain), act: a.cfg.activation, gain: 1, clamp });
  }
  return biasAct(conv(1, noise), { b: P.tensor('bias'), act: a.cfg.activation, gain, clamp });
}

/** ToRGBLayer.forward: 1x1 modulated conv without demodulation, bias, clamp. */
function toRGB(P: WeightScope, x: E.Tensor, w: E.Tensor, cfg: SynthesisConfig, opts: SynthesisOptions): E.Tensor {
  const weight = P.tensor('weight'); // [imgChannels, in, 1, 1]
  const inChannels = weight.shape[1]!;
  const styles = E.mul(fullyConnected(P.scope('affine'), w), 1 / Math.sqrt(inChannels * weight.shape[2]! * weight.shape[3]!));
  const y = modulatedConv2d(x, weight, styles, { demodulate: false, fused: opts.fused ?? false });
  return biasAct(y, { b: P.tensor('bias'), clamp: cfg.convClamp });
}

/**
 * SynthesisNetwork.forward: ws [N, numWs, wDim] -> image [N, imgChannels, R, R] in about [-1, 1].
 * @example synthesisNetwork(cfg, weights.scope('synthesis'), ws, { noiseMode: 'const' })
 */
export function synthesisNetwork(cfg: SynthesisConfig, P: WeightScope, ws: E.Tensor, opts: SynthesisOptions = {}): E.Tensor {
  const N = ws.shape[0]!;
  let wIdx = 0;
  let x: E.Tensor | null = null;
  let img: E.Tensor | null = null;
  for (const res of blockResolutions(cfg.imgResolution)) {
    const B = P.scope(`b${res}`);
    const isLast = res === cfg.imgResolution;
    const numConv = res === 4 ? 1 : 2;
    const numTorgb = isLast || cfg.architecture === 'skip' ? 1 : 0;
    const blockWs = E.split(E.narrow(ws, 1, wIdx, numConv + numTorgb), 1, new Array(numConv + numTorgb).fill(1)).map((t) => E.squeeze(t, [1]));
    wIdx += numConv;
    const filter = resampleFilter(B, cfg.resampleFilter);
    const layer = (name: string, input: E.Tensor, w: E.Tensor, up: number, gain?: number) =>
      synthesisLayer(B.scope(name), input, w, { cfg, resolution: res, up, filter, opts, gain, noiseName: `noise_b${res}_${name}` });
    if (res === 4) {
      // Input: the learned constant, repeated over the batch.
      const c = B.tensor('const', [channelsAt(cfg, 4), 4, 4]);
      x = layer('conv1', E.tile(E.unsqueeze(c, 0), [N, 1, 1, 1]), blockWs[0]!, 1);
    } else if (cfg.architecture === 'resnet') {
      const y = conv2dLayer(B.scope('skip'), x!, { up: 2, filter, gain: Math.SQRT1_2 });
      x = layer('conv0', x!, blockWs[0]!, 2);
      x = E.add(y, layer('conv1', x, blockWs[1]!, 1, Math.SQRT1_2));
    } else {
      x = layer('conv0', x!, blockWs[0]!, 2);
      x = layer('conv1', x, blockWs[1]!, 1);
    }
    opts.features?.set(`b${res}`, x!);
    // ToRGB.
    if (img) img = upsample2d(img, filter);
    if (numTorgb) {
      const y = toRGB(B.scope('torgb'), x!, blockWs[numConv]!, cfg, opts);
      img = img ? E.add(img, y) : y;
    }
  }
  return img!;
}
