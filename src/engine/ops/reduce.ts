// Reductions over axes: sum, mean, max, L2 norm; and sumToShape, the adjoint of broadcasting.
import { normAxes, sameShape, type Shape } from '../shape.js';
import { apply1, expect, type NDArray, type OpDef, type Tensor } from '../tensor.js';
import { div, mul } from './elementwise.js';
import { equal, where } from './logic.js';
import { zerosND } from './refutil.js';
import { expand, reshape } from './shape-ops.js';

interface ReduceAttrs {
  axes: number[];
  keepdims: boolean;
}
type Kind = 'Sum' | 'Mean' | 'Max' | 'L2';

/** Output shape of a reduction. */
function reducedShape(shape: Shape, axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

/** Reference reduction: folds every element into its output cell. */
function refReduce(x: NDArray, a: ReduceAttrs, kind: Kind): NDArray {
  const keptShape = reducedShape(x.shape, a.axes, true);
  const out = zerosND(keptShape, x.dtype);
  if (kind === 'Max') out.data.fill(-Infinity);
  const rank = x.shape.length;
  const outStrides = new Array<number>(rank);
  for (let d = rank - 1, acc = 1; d >= 0; d--) {
    outStrides[d] = keptShape[d] === 1 ? 0 : acc;
    acc *= keptShape[d]!;
  }
  const idx = new Array<number>(rank).fill(0);
  let o = 0;
  for (let n = 0; n < x.data.length; n++) {
    const v = x.data[n]!;
    if (kind === 'Max') out.data[o] = Math.max(out.data[o]!, v);
    else out.data[o] += kind === 'L2' ? v * v : v;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      o += outStrides[d]!;
      if (idx[d]! < x.shape[d]!) break;
      o -= outStrides[d]! * x.shape[d]!;
      idx[d] = 0;
    }
  }
  const count = a.axes.reduce((p, ax) => p * x.shape[ax]!, 1);
  if (kind === 'Mean') out.data.forEach((v, i) => (out.data[i] = v / count));
  if (kind === 'L2') out.data.forEach((v, i) => (out.data[i] = Math.sqrt(v)));
  return { ...out, shape: reducedShape(x.shape, a.axes, a.keepdims) };
}

function reduceOp(kind: Kind): OpDef<ReduceAttrs> {
  const type = `Reduce${kind}`;
  return {
    type,
    infer: ([x], a) => {
      expect(type, x!.dtype !== 'bool', 'a numeric input', x!.dtype);
      return [{ shape: reducedShape(x!.shape, a.axes, a.keepdims), dtype: x!.dtype }];
    },
    emit: (e, n) =>
      e.node(type, [e.name(n.inputs[0]!), e.ints(n.attrs.axes)], [e.out(n)], { keepdims: { i: n.attrs.keepdims ? 1 : 0 } }),
    ref: ([x], a) => [refReduce(x!, a, kind)],
    vjp: (n, [dy]) => {
      const x = n.inputs[0]!;
      const kept = reducedShape(x.shape, n.attrs.axes, true);
      const g = expand(reshape(dy!, kept), x.shape);
      if (kind === 'Sum') return [g];
      if (kind === 'Mean') return [div(g, n.attrs.axes.reduce((p, ax) => p * x.shape[ax]!, 1))];
      const y = expand(reshape(n.outputs[0]!, kept), x.shape);
      if (kind === 'Max') return [where(equal(x, y), g, 0)];
      return [mul(g, div(x, y))];
    },
  };
}

const SUM = reduceOp('Sum');
const MEAN = reduceOp('Mean');
const MAX = reduceOp('Max');
const L2 = reduceOp('L2');

function reduce(op: OpDef<ReduceAttrs>, x: Tensor, axes: number | readonly number[] | undefined, keepdims: boolean): Tensor {
  const list = normAxes(op.type, typeof axes === 'number' ? [axes] : axes, x.rank);
  if (list.length === 0) return x;
  return apply1(op, [x], { axes: list, keepdims });
}

/** Sum over axes (all when omitted). @example sum(x, [2, 3, 4]) */
export const sum = (x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor => reduce(SUM, x, axes, keepdims);
/** Mean over axes. @example mean(square(x), 1, true) */
export const mean = (x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor => reduce(MEAN, x, axes, keepdims);
/** Maximum over axes. @example max(x, 1) */
export const max = (x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor => reduce(MAX, x, axes, keepdims);
/** Euclidean norm over axes. @example l2(x, 1) */
export const l2 = (x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor => reduce(L2, x, axes, keepdims);

/** Sums a broadcast gradient back to `shape` (the adjoint of NumPy broadcasting). */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  g.shape.forEach((d, i) => {
    if (i < lead || (shape[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  const s = axes.length ? sum(g, axes, true) : g;
  return reshape(s, shape);
}
