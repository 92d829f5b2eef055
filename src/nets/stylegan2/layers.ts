// Conv2dLayer (training/networks_stylegan2.py) and the resampling filter read from a checkpoint.
import * as E from '../../engine/index.js';
import { ACTIVATIONS, type Activation, biasAct } from '../ops/bias-act.js';
import { conv2dResample, conv2dResampleRef } from '../ops/conv2d-resample.js';
import { type Filter, setupFilter } from '../ops/upfirdn2d.js';
import type { WeightScope } from '../weights.js';

/** The layer's `resample_filter` buffer when stored, else setup_filter(fallback). */
export function resampleFilter(P: WeightScope, fallback: readonly number[]): Filter {
  const shape = P.shape('resample_filter');
  if (shape && shape.length === 2) return { data: P.data('resample_filter'), shape: [shape[0]!, shape[1]!] };
  return setupFilter([...fallback]);
}

export interface Conv2dLayerOptions {
  activation?: Activation;
  up?: number;
  down?: number;
  filter?: Filter;
  convClamp?: number | null;
  /** Extra gain (the resnet branches use sqrt(0.5)). */
  gain?: number;
  /** Use the official generic fallback instead of the fast path (tests compare them). */
  reference?: boolean;
}

/**
 * Conv2dLayer.forward: equalized-lr conv with optional up/down-sampling, then bias_act.
 * @example conv2dLayer(P.scope('conv1'), x, { activation: 'lrelu', down: 2, filter: f })
 */
export function conv2dLayer(P: WeightScope, x: E.Tensor, o: Conv2dLayerOptions = {}): E.Tensor {
  const [, inChannels, kernel] = P.shape('weight') ?? [];
  if (inChannels === undefined || kernel === undefined) P.tensor('weight'); // raises the missing-weight error
  const weightGain = 1 / Math.sqrt(inChannels! * kernel! * kernel!);
  const w = E.mul(P.tensor('weight'), weightGain);
  const up = o.up ?? 1;
  const conv = o.reference ? conv2dResampleRef : conv2dResample;
  const y = conv(x, w, { f: o.filter ?? null, up, down: o.down ?? 1, padding: Math.floor(kernel! / 2), flipWeight: up === 1 });
  const act = o.activation ?? 'linear';
  const gain = o.gain ?? 1;
  const clamp = o.convClamp === undefined || o.convClamp === null ? null : o.convClamp * gain;
  return biasAct(y, { b: P.has('bias') ? P.tensor('bias') : undefined, act, gain: ACTIVATIONS[act].defGain * gain, clamp });
}
