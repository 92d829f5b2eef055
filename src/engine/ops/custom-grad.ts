// A value with a gradient rule of its own: the forward value comes from one subgraph (a fast formulation), the
// gradient from another (e.g. Winograd forward, Winograd input gradient), so autodiff never walks the forward
// subgraph's ops (a Gather's gradient is a scatter, far slower than the rule). Emitted as Identity.
import { apply1, expect, type OpDef, type Tensor } from '../tensor.js';

/** The gradients with respect to `inputs` of the value, given its output gradient and which inputs want one. */
export type GradientRule = (dy: Tensor, needs: readonly boolean[]) => (Tensor | null)[];

const CUSTOM_GRAD: OpDef<{ rule: GradientRule }> = {
  type: 'CustomGrad',
  infer: ([y]) => [{ shape: y!.shape, dtype: y!.dtype }],
  emit: (e, n) => e.node('Identity', [e.name(n.inputs[0]!)], [e.out(n)]),
  ref: ([y]) => [y!],
  vjp: (n, [dy], needs) => {
    const grads = n.attrs.rule(dy!, needs.slice(1));
    expect('CustomGrad', grads.length === n.inputs.length - 1, `${n.inputs.length - 1} gradients`, String(grads.length));
    return [null, ...grads]; // none through the forward subgraph
  },
};

/**
 * `value` (computed from `inputs` by any subgraph) whose gradient with respect to `inputs` is `rule(dy)`.
 * @example const y = customGrad(fastConv(x), [x], (dy) => [slowButDifferentiableInputGrad(dy)]);
 */
export function customGrad(value: Tensor, inputs: readonly Tensor[], rule: GradientRule): Tensor {
  return apply1(CUSTOM_GRAD, [value, ...inputs], { rule });
}
