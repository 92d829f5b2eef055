// Reverse-mode differentiation. Each op's vector-Jacobian product is itself built from ops,
// so the gradient graph can be differentiated again (R1 and path-length regularisation need that).
import { GraphError } from '../errors.js';
import { topoSort } from './graph.js';
import { constant } from './sources.js';
import type { Node, Tensor } from './tensor.js';
import { add } from './ops/elementwise.js';
import { expand } from './ops/base.js';

/** Zeros shaped like t (used where no path connects an output to a requested input). */
export function zerosLike(t: Tensor): Tensor {
  return expand(constant(0, [], t.dtype), t.shape);
}

/**
 * Gradients of sum(ys[i] * dys[i]) with respect to each tensor in `wrt` (vector-Jacobian products).
 * @example const [dw] = backprop([y], [dy], [w]);
 */
export function backprop(ys: readonly Tensor[], dys: readonly Tensor[], wrt: readonly Tensor[]): Tensor[] {
  ys.forEach((y, i) => {
    const dy = dys[i]!;
    if (dy.shape.length !== y.shape.length || dy.shape.some((d, k) => d !== y.shape[k])) {
      throw new GraphError(`grad: output gradient ${i} has shape [${dy.shape}], expected [${y.shape}]`);
    }
  });
  const order = topoSort(ys);
  // A tensor is active when it is a requested input or depends on one through differentiable ops.
  const active = new Set<Tensor>(wrt);
  for (const node of order) {
    if (node.op.nondiff) continue;
    if (node.inputs.some((t) => active.has(t))) for (const o of node.outputs) active.add(o);
  }
  const grads = new Map<Tensor, Tensor>();
  const accumulate = (t: Tensor, g: Tensor) => {
    const prev = grads.get(t);
    grads.set(t, prev ? add(prev, g) : g);
  };
  ys.forEach((y, i) => active.has(y) && accumulate(y, dys[i]!));
  for (let k = order.length - 1; k >= 0; k--) {
    const node: Node = order[k]!;
    const dOut = node.outputs.map((o) => grads.get(o) ?? null);
    if (dOut.every((g) => g === null)) continue;
    const needs = node.inputs.map((t) => active.has(t) && t.dtype === 'float32');
    if (!needs.some(Boolean)) continue;
    if (!node.op.vjp) throw new GraphError(`grad: op ${node.op.type} has no gradient rule`);
    const filled = dOut.map((g, i) => g ?? zerosLike(node.outputs[i]!));
    const dIn = node.op.vjp(node, filled, needs);
    dIn.forEach((g, i) => {
      if (g && needs[i]) accumulate(node.inputs[i]!, g);
    });
  }
  return wrt.map((t) => grads.get(t) ?? zerosLike(t));
}

/**
 * Gradients of a scalar `y` with respect to `wrt`.
 * @example const [dx] = grad(sum(square(x)), [x]); // 2x
 */
export function grad(y: Tensor, wrt: readonly Tensor[]): Tensor[] {
  if (y.size !== 1) throw new GraphError(`grad: expected a scalar output, got shape [${y.shape}] (use backprop with an output gradient)`);
  return backprop([y], [constant(1, y.shape, y.dtype)], wrt);
}
