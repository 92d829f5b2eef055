// Leaky ReLU and clamp: the activations of StyleGAN's bias_act, with PyTorch's gradient conventions.
import { GraphError } from '../../errors.js';
import { apply1, expect, type OpDef, type Tensor } from '../tensor.js';
import { maximum, mul } from './elementwise.js';
import { where } from './base.js';
import { and, cast, greater, greaterEqual, lessEqual } from './logic.js';

interface LeakyAttrs {
  alpha: number;
}
const LEAKY_RELU: OpDef<LeakyAttrs> = {
  type: 'LeakyRelu',
  infer: ([x]) => {
    expect('LeakyRelu', x!.dtype === 'float32', 'a float32 input', x!.dtype);
    return [{ shape: x!.shape, dtype: 'float32' }];
  },
  emit: (e, n) => e.node('LeakyRelu', [e.name(n.inputs[0]!)], [e.out(n)], { alpha: { f: n.attrs.alpha } }),
  ref: ([x], a) => [{ ...x!, data: x!.data.map((v) => (v > 0 ? v : v * a.alpha)) }],
  // torch: grad * (x > 0 ? 1 : alpha).
  vjp: (n, [dy]) => {
    const [x, a] = [n.inputs[0]!, n.attrs.alpha];
    return [a >= 0 && a <= 1 ? mul(dy!, leakySlope(x, a)) : where(greater(x, 0), dy!, mul(dy!, a))];
  },
};

/** The derivative of leakyRelu for 0 <= alpha <= 1, max(x > 0, alpha): exactly 1 or alpha, and cheaper than a Where (onnxruntime's makes three passes). */
function leakySlope(x: Tensor, alpha: number): Tensor {
  return maximum(cast(greater(x, 0), 'float32'), alpha);
}

/** max(x, 0) + alpha * min(x, 0). @example leakyRelu(x, 0.2) */
export function leakyRelu(x: Tensor, alpha = 0.2): Tensor {
  return apply1(LEAKY_RELU, [x], { alpha });
}

interface ClipAttrs {
  min: number;
  max: number;
}
const CLIP: OpDef<ClipAttrs> = {
  type: 'Clip',
  infer: ([x], a) => {
    expect('Clip', x!.dtype === 'float32', 'a float32 input', x!.dtype);
    if (!(a.min <= a.max)) throw new GraphError(`Clip: expected min <= max, got ${a.min} > ${a.max}`);
    return [{ shape: x!.shape, dtype: 'float32' }];
  },
  emit: (e, n) => {
    const lo = Number.isFinite(n.attrs.min) ? e.constant('float32', [], [n.attrs.min]) : '';
    const hi = Number.isFinite(n.attrs.max) ? e.constant('float32', [], [n.attrs.max]) : '';
    e.node('Clip', [e.name(n.inputs[0]!), lo, hi], [e.out(n)]);
  },
  ref: ([x], a) => [{ ...x!, data: x!.data.map((v) => Math.min(Math.max(v, a.min), a.max)) }],
  // torch.clamp: the gradient passes where min <= x <= max (a Where, not a 0/1 product, so a NaN outside gives 0 as in torch).
  vjp: (n, [dy]) => {
    const x = n.inputs[0]!;
    return [where(and(greaterEqual(x, n.attrs.min), lessEqual(x, n.attrs.max)), dy!, 0)];
  },
};

/** Clamps to [min, max] (either may be infinite). @example clip(x, -256, 256) */
export function clip(x: Tensor, min: number, max: number): Tensor {
  return apply1(CLIP, [x], { min, max });
}
