// bias_act: bias, activation, gain and clamp in the official order (torch_utils/ops/bias_act.py).
import { InputError } from '../../errors.js';
import * as E from '../../engine/index.js';

/** Activations of the official bias_act with their default gains. */
export const ACTIVATIONS = {
  linear: { defGain: 1 },
  relu: { defGain: Math.SQRT2 },
  lrelu: { defGain: Math.SQRT2, alpha: 0.2 },
  tanh: { defGain: 1 },
  sigmoid: { defGain: 1 },
} as const;
export type Activation = keyof typeof ACTIVATIONS;

export interface BiasActOptions {
  /** Bias [C], added along `dim`. */
  b?: E.Tensor;
  dim?: number;
  act?: Activation;
  alpha?: number;
  /** Output gain; defaults to the activation's default gain. */
  gain?: number;
  /** Clamp the output to [-clamp, clamp] (null: no clamp). */
  clamp?: number | null;
}

/** Checks an activation name read from a checkpoint. */
export function checkActivation(name: unknown): Activation {
  if (typeof name !== 'string' || !(name in ACTIVATIONS)) throw new InputError(`unsupported activation '${String(name)}' (supported: ${Object.keys(ACTIVATIONS).join(', ')})`);
  return name as Activation;
}

/**
 * x + b, activation, * gain, clamp — as bias_act(x, b, dim, act, alpha, gain, clamp).
 * @example biasAct(x, { b, act: 'lrelu', clamp: 256 })
 */
export function biasAct(x: E.Tensor, o: BiasActOptions = {}): E.Tensor {
  const act = o.act ?? 'linear';
  const dim = o.dim ?? 1;
  const gain = o.gain ?? ACTIVATIONS[act].defGain;
  let y = x;
  if (o.b) {
    const shape = x.shape.map((d, i) => (i === dim ? d : 1));
    y = E.add(y, E.reshape(o.b, shape));
  }
  switch (act) {
    case 'linear':
      break;
    case 'relu':
      y = E.relu(y);
      break;
    case 'lrelu':
      y = E.leakyRelu(y, o.alpha ?? ACTIVATIONS.lrelu.alpha);
      break;
    case 'tanh':
      y = E.tanh(y);
      break;
    case 'sigmoid':
      y = E.sigmoid(y);
      break;
  }
  if (gain !== 1) y = E.mul(y, gain);
  if (o.clamp !== undefined && o.clamp !== null && o.clamp >= 0) y = E.clip(y, -o.clamp, o.clamp);
  return y;
}
