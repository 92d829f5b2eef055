// Comparisons, boolean logic and casts (where() is in base.ts).
import { ONNX_DTYPE, type DType } from '../dtype.js';
import { broadcastShapes } from '../shape.js';
import { lift } from '../sources.js';
import { apply1, expect, type OpDef, Tensor } from '../tensor.js';
import { broadcastMap, castValue } from './refutil.js';

/** A comparison producing bool; zero gradient. */
function compareOp(type: string, onnx: string, f: (a: number, b: number) => boolean): OpDef<{}> {
  return {
    type,
    nondiff: true,
    infer: ([a, b]) => {
      expect(type, a!.dtype === b!.dtype, 'inputs of one element type', `${a!.dtype} and ${b!.dtype}`);
      return [{ shape: broadcastShapes(type, a!.shape, b!.shape), dtype: 'bool' }];
    },
    emit: (e, n) => e.node(onnx, [e.name(n.inputs[0]!), e.name(n.inputs[1]!)], [e.out(n)]),
    ref: ([a, b]) => [broadcastMap(broadcastShapes(type, a!.shape, b!.shape), 'bool', [a!, b!], (x, y) => (f(x, y) ? 1 : 0))],
    vjp: () => [null, null],
  };
}

const LESS = compareOp('Less', 'Less', (a, b) => a < b);
const GREATER = compareOp('Greater', 'Greater', (a, b) => a > b);
const EQUAL = compareOp('Equal', 'Equal', (a, b) => a === b);
const LESS_EQ = compareOp('LessOrEqual', 'LessOrEqual', (a, b) => a <= b);
const GREATER_EQ = compareOp('GreaterOrEqual', 'GreaterOrEqual', (a, b) => a >= b);

/** A boolean binary op. */
function logicOp(type: string, f: (a: boolean, b: boolean) => boolean): OpDef<{}> {
  return {
    ...compareOp(type, type, (a, b) => f(!!a, !!b)),
    infer: ([a, b]) => {
      expect(type, a!.dtype === 'bool' && b!.dtype === 'bool', 'bool inputs', `${a!.dtype} and ${b!.dtype}`);
      return [{ shape: broadcastShapes(type, a!.shape, b!.shape), dtype: 'bool' }];
    },
  };
}
const AND = logicOp('And', (a, b) => a && b);
const OR = logicOp('Or', (a, b) => a || b);
const NOT: OpDef<{}> = {
  type: 'Not',
  nondiff: true,
  infer: ([x]) => {
    expect('Not', x!.dtype === 'bool', 'a bool input', x!.dtype);
    return [{ shape: x!.shape, dtype: 'bool' }];
  },
  emit: (e, n) => e.node('Not', [e.name(n.inputs[0]!)], [e.out(n)]),
  ref: ([x]) => [{ ...x!, data: x!.data.map((v) => (v ? 0 : 1)) }],
  vjp: () => [null],
};

const cmp = (op: OpDef<{}>, a: Tensor | number, b: Tensor | number): Tensor => {
  const ta = lift(a, b instanceof Tensor ? b : undefined);
  return apply1(op, [ta, lift(b, ta)], {});
};
/** a < b. @example less(x, 0) */
export const less = (a: Tensor | number, b: Tensor | number): Tensor => cmp(LESS, a, b);
/** a > b. @example greater(x, 0) */
export const greater = (a: Tensor | number, b: Tensor | number): Tensor => cmp(GREATER, a, b);
/** a == b. @example equal(x, m) */
export const equal = (a: Tensor | number, b: Tensor | number): Tensor => cmp(EQUAL, a, b);
/** a <= b. @example lessEqual(x, 1) */
export const lessEqual = (a: Tensor | number, b: Tensor | number): Tensor => cmp(LESS_EQ, a, b);
/** a >= b. @example greaterEqual(x, -1) */
export const greaterEqual = (a: Tensor | number, b: Tensor | number): Tensor => cmp(GREATER_EQ, a, b);
/** Logical and of two bool tensors. @example and(lessEqual(x, 1), greaterEqual(x, -1)) */
export const and = (a: Tensor, b: Tensor): Tensor => apply1(AND, [a, b], {});
/** Logical or of two bool tensors. @example or(m1, m2) */
export const or = (a: Tensor, b: Tensor): Tensor => apply1(OR, [a, b], {});
/** Logical not. @example not(mask) */
export const not = (a: Tensor): Tensor => apply1(NOT, [a], {});

interface CastAttrs {
  to: DType;
}
const CAST: OpDef<CastAttrs> = {
  type: 'Cast',
  infer: ([x], a) => [{ shape: x!.shape, dtype: a.to }],
  emit: (e, n) => e.node('Cast', [e.name(n.inputs[0]!)], [e.out(n)], { to: { i: ONNX_DTYPE[n.attrs.to] } }),
  ref: ([x], a) => [{ shape: x!.shape, dtype: a.to, data: x!.data.map((v) => castValue(v, a.to)) }],
  vjp: (n, [dy]) => [n.inputs[0]!.dtype === 'float32' && n.attrs.to === 'float32' ? dy : null],
};

/** Converts element type (bool to float gives 0/1). @example cast(mask, 'float32') */
export function cast(x: Tensor, to: DType): Tensor {
  return x.dtype === to ? x : apply1(CAST, [x], { to });
}
