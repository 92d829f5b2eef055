// The ops other ops' gradients are built from: reshape, expand (broadcast), sum, sumToShape (the adjoint of
// broadcasting) and where. They depend only on each other, so every other ops file can import them.
import { GraphError } from '../../errors.js';
import { broadcastShapes, fmt, normAxes, sameShape, sizeOf, type Shape } from '../shape.js';
import { lift } from '../sources.js';
import { apply1, expect, type NDArray, type OpDef, Tensor } from '../tensor.js';
import { broadcastMap, zerosND } from './refutil.js';

interface ReshapeAttrs {
  shape: number[];
}
const RESHAPE: OpDef<ReshapeAttrs> = {
  type: 'Reshape',
  infer: ([x], a) => [{ shape: a.shape, dtype: x!.dtype }],
  emit: (e, n) => e.node('Reshape', [e.name(n.inputs[0]!), e.ints(n.attrs.shape)], [e.out(n)]),
  ref: ([x], a) => [{ ...x!, shape: a.shape }],
  vjp: (n, [dy]) => [reshape(dy!, n.inputs[0]!.shape)],
};

/** Reshapes (one dimension may be -1). @example reshape(x, [1, -1]) */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const free = shape.filter((d) => d === -1).length;
  const resolved = shape.map((d) => (d === -1 ? x.size / known : d));
  if (free > 1 || !Number.isInteger(sizeOf(resolved)) || sizeOf(resolved) !== x.size || resolved.some((d) => !Number.isInteger(d))) {
    throw new GraphError(`Reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) to ${fmt(shape)}`);
  }
  return sameShape(resolved, x.shape) ? x : apply1(RESHAPE, [x], { shape: resolved });
}

interface ExpandAttrs {
  shape: number[];
}
const EXPAND: OpDef<ExpandAttrs> = {
  type: 'Expand',
  infer: ([x], a) => {
    const s = broadcastShapes('Expand', x!.shape, a.shape);
    expect('Expand', sameShape(s, a.shape), `a shape that ${fmt(x!.shape)} broadcasts to`, fmt(a.shape));
    return [{ shape: s, dtype: x!.dtype }];
  },
  emit: (e, n) => e.node('Expand', [e.name(n.inputs[0]!), e.ints(n.attrs.shape)], [e.out(n)]),
  ref: ([x], a) => [broadcastMap(a.shape, x!.dtype, [x!], (v) => v)],
  vjp: (n, [dy]) => [sumToShape(dy!, n.inputs[0]!.shape)],
};

/** Broadcasts to a shape, as torch.expand. @example expand(b, [n, c, h, w]) */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  return sameShape(x.shape, shape) ? x : apply1(EXPAND, [x], { shape: [...shape] });
}

export interface ReduceAttrs {
  axes: number[];
  keepdims: boolean;
}
export type ReduceKind = 'Sum' | 'Mean' | 'Max' | 'L2';

/** Output shape of a reduction. */
export function reducedShape(shape: Shape, axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

/** Reference reduction: folds every element into its output cell. */
function refReduce(x: NDArray, a: ReduceAttrs, kind: ReduceKind): NDArray {
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

/**
 * A reduction op of one kind; `vjp` gives the input's gradient from the output gradient broadcast back to the
 * input shape (`g`) and the output broadcast likewise (`y`).
 */
export function reductionOp(kind: ReduceKind, vjp: (x: Tensor, g: Tensor, y: () => Tensor, count: number) => Tensor): OpDef<ReduceAttrs> {
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
      const y = () => expand(reshape(n.outputs[0]!, kept), x.shape);
      return [vjp(x, g, y, n.attrs.axes.reduce((p, ax) => p * x.shape[ax]!, 1))];
    },
  };
}

/** Applies a reduction over axes (numbers or a list; all when omitted; none leaves x as it is). */
export function reduceOver(op: OpDef<ReduceAttrs>, x: Tensor, axes: number | readonly number[] | undefined, keepdims: boolean): Tensor {
  const list = normAxes(op.type, typeof axes === 'number' ? [axes] : axes, x.rank);
  if (list.length === 0) return x;
  return apply1(op, [x], { axes: list, keepdims });
}

const SUM = reductionOp('Sum', (_x, g) => g);

/** Sum over axes (all when omitted). @example sum(x, [2, 3, 4]) */
export const sum = (x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor => reduceOver(SUM, x, axes, keepdims);

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

const WHERE: OpDef<{}> = {
  type: 'Where',
  infer: ([c, a, b]) => {
    expect('Where', c!.dtype === 'bool', 'a bool condition', c!.dtype);
    expect('Where', a!.dtype === b!.dtype, 'branches of one element type', `${a!.dtype} and ${b!.dtype}`);
    return [{ shape: broadcastShapes('Where', broadcastShapes('Where', c!.shape, a!.shape), b!.shape), dtype: a!.dtype }];
  },
  emit: (e, n) => e.node('Where', n.inputs.map((t) => e.name(t)), [e.out(n)]),
  ref: ([c, a, b]) => {
    const shape = broadcastShapes('Where', broadcastShapes('Where', c!.shape, a!.shape), b!.shape);
    return [broadcastMap(shape, a!.dtype, [c!, a!, b!], (cv, av, bv) => (cv ? av : bv))];
  },
  vjp: (n, [dy], needs) => {
    const [c, a, b] = n.inputs as [Tensor, Tensor, Tensor];
    return [null, needs[1] ? sumToShape(where(c, dy!, 0), a.shape) : null, needs[2] ? sumToShape(where(c, 0, dy!), b.shape) : null];
  },
};

/**
 * Picks a where cond is true, else b (numbers become scalars), as torch.where.
 * @example where(greater(x, 0), x, mul(x, 0.2))
 */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  const ta = lift(a, b instanceof Tensor ? b : undefined);
  return apply1(WHERE, [cond, ta, lift(b, ta)], {});
}
