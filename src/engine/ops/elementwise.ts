// Element-wise maths with NumPy broadcasting: arithmetic, transcendental functions and their gradients.
import { broadcastShapes } from '../shape.js';
import { lift } from '../sources.js';
import { apply1, expect, type OpDef, type Tensor } from '../tensor.js';
import { broadcastMap, erf } from './refutil.js';
import { sumToShape, where } from './base.js';
import { greater, greaterEqual } from './logic.js';

type Unary = (x: Tensor, y: Tensor, dy: Tensor) => Tensor;

/** Defines a float unary op: ONNX op (or an emit chain), reference function, gradient. */
function unaryOp(type: string, onnx: string | readonly string[], f: (x: number) => number, grad: Unary): OpDef<{}> {
  const chain = typeof onnx === 'string' ? [onnx] : onnx;
  return {
    type,
    infer: ([x]) => {
      expect(type, x!.dtype === 'float32', 'a float32 input', x!.dtype);
      return [{ shape: x!.shape, dtype: x!.dtype }];
    },
    emit: (e, n) => {
      let cur = e.name(n.inputs[0]!);
      chain.forEach((op, i) => {
        const next = i === chain.length - 1 ? e.out(n) : e.tmp(type);
        // 'Square' is not an ONNX op: emit x*x.
        if (op === 'Square') e.node('Mul', [cur, cur], [next]);
        else e.node(op, [cur], [next]);
        cur = next;
      });
    },
    ref: ([x]) => [{ shape: x!.shape, dtype: x!.dtype, data: x!.data.map(f) }],
    vjp: (n, [dy]) => [grad(n.inputs[0]!, n.outputs[0]!, dy!)],
  };
}

const EXP = unaryOp('Exp', 'Exp', Math.exp, (_x, y, dy) => mul(dy, y));
const LOG = unaryOp('Log', 'Log', Math.log, (x, _y, dy) => div(dy, x));
const SQRT = unaryOp('Sqrt', 'Sqrt', Math.sqrt, (_x, y, dy) => div(mul(dy, 0.5), y));
const RSQRT = unaryOp('Rsqrt', ['Sqrt', 'Reciprocal'], (v) => 1 / Math.sqrt(v), (_x, y, dy) => mul(dy, mul(mul(y, square(y)), -0.5)));
const SIN = unaryOp('Sin', 'Sin', Math.sin, (x, _y, dy) => mul(dy, cos(x)));
const COS = unaryOp('Cos', 'Cos', Math.cos, (x, _y, dy) => neg(mul(dy, sin(x))));
const TANH = unaryOp('Tanh', 'Tanh', Math.tanh, (_x, y, dy) => mul(dy, sub(1, square(y))));
const SIGMOID = unaryOp('Sigmoid', 'Sigmoid', (v) => 1 / (1 + Math.exp(-v)), (_x, y, dy) => mul(dy, mul(y, sub(1, y))));
const SOFTPLUS = unaryOp('Softplus', 'Softplus', (v) => (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v))), (x, _y, dy) => mul(dy, sigmoid(x)));
const ERF = unaryOp('Erf', 'Erf', erf, (x, _y, dy) => mul(dy, mul(exp(neg(square(x))), 2 / Math.sqrt(Math.PI))));
const ABS = unaryOp('Abs', 'Abs', Math.abs, (x, _y, dy) => mul(dy, sign(x)));
const NEG = unaryOp('Neg', 'Neg', (v) => -v, (_x, _y, dy) => neg(dy));
const SQUARE = unaryOp('Square', 'Square', (v) => v * v, (x, _y, dy) => mul(dy, mul(x, 2)));
const RECIPROCAL = unaryOp('Reciprocal', 'Reciprocal', (v) => 1 / v, (_x, y, dy) => neg(mul(dy, square(y))));
const RELU = unaryOp('Relu', 'Relu', (v) => Math.max(v, 0), (x, _y, dy) => where(greater(x, 0), dy, 0));
const SIGN: OpDef<{}> = { ...unaryOp('Sign', 'Sign', Math.sign, () => null!), nondiff: true, vjp: () => [null] };
const FLOOR: OpDef<{}> = { ...unaryOp('Floor', 'Floor', Math.floor, () => null!), nondiff: true, vjp: () => [null] };

/** e^x. @example exp(x) */
export const exp = (x: Tensor): Tensor => apply1(EXP, [x], {});
/** Natural logarithm. @example log(x) */
export const log = (x: Tensor): Tensor => apply1(LOG, [x], {});
/** Square root. @example sqrt(x) */
export const sqrt = (x: Tensor): Tensor => apply1(SQRT, [x], {});
/** 1/sqrt(x), as torch.rsqrt. @example rsqrt(add(x, 1e-8)) */
export const rsqrt = (x: Tensor): Tensor => apply1(RSQRT, [x], {});
/** Sine. @example sin(x) */
export const sin = (x: Tensor): Tensor => apply1(SIN, [x], {});
/** Cosine. @example cos(x) */
export const cos = (x: Tensor): Tensor => apply1(COS, [x], {});
/** Hyperbolic tangent. @example tanh(x) */
export const tanh = (x: Tensor): Tensor => apply1(TANH, [x], {});
/** Logistic sigmoid. @example sigmoid(x) */
export const sigmoid = (x: Tensor): Tensor => apply1(SIGMOID, [x], {});
/** log(1 + e^x), as torch.nn.functional.softplus. @example softplus(neg(logits)) */
export const softplus = (x: Tensor): Tensor => apply1(SOFTPLUS, [x], {});
/** Gauss error function. @example erf(x) */
export const erfOf = (x: Tensor): Tensor => apply1(ERF, [x], {});
/** |x|. @example abs(x) */
export const abs = (x: Tensor): Tensor => apply1(ABS, [x], {});
/** -x. @example neg(x) */
export const neg = (x: Tensor): Tensor => apply1(NEG, [x], {});
/** x*x. @example square(x) */
export const square = (x: Tensor): Tensor => apply1(SQUARE, [x], {});
/** 1/x. @example reciprocal(x) */
export const reciprocal = (x: Tensor): Tensor => apply1(RECIPROCAL, [x], {});
/** max(x, 0). @example relu(x) */
export const relu = (x: Tensor): Tensor => apply1(RELU, [x], {});
/** Sign of x (-1, 0, 1); not differentiable. @example sign(x) */
export const sign = (x: Tensor): Tensor => apply1(SIGN, [x], {});
/** Largest integer <= x; not differentiable. @example floor(x) */
export const floor = (x: Tensor): Tensor => apply1(FLOOR, [x], {});

type Binary = (a: Tensor, b: Tensor, y: Tensor, dy: Tensor, needs: readonly boolean[]) => [Tensor | null, Tensor | null];

/** Defines a broadcasting binary op; gradients are summed back to each input's shape. */
function binaryOp(type: string, onnx: string, f: (a: number, b: number) => number, grad: Binary): OpDef<{}> {
  return {
    type,
    infer: ([a, b]) => {
      expect(type, a!.dtype === b!.dtype, `inputs of one element type`, `${a!.dtype} and ${b!.dtype}`);
      return [{ shape: broadcastShapes(type, a!.shape, b!.shape), dtype: a!.dtype }];
    },
    emit: (e, n) => e.node(onnx, [e.name(n.inputs[0]!), e.name(n.inputs[1]!)], [e.out(n)]),
    ref: ([a, b]) => [broadcastMap(broadcastShapes(type, a!.shape, b!.shape), a!.dtype, [a!, b!], f)],
    vjp: (n, [dy], needs) => {
      const [a, b] = n.inputs as [Tensor, Tensor];
      const [da, db] = grad(a, b, n.outputs[0]!, dy!, needs);
      return [da && sumToShape(da, a.shape), db && sumToShape(db, b.shape)];
    },
  };
}

const ADD = binaryOp('Add', 'Add', (a, b) => a + b, (_a, _b, _y, dy) => [dy, dy]);
const SUB = binaryOp('Sub', 'Sub', (a, b) => a - b, (_a, _b, _y, dy, k) => [dy, k[1] ? neg(dy) : null]);
const MUL = binaryOp('Mul', 'Mul', (a, b) => a * b, (a, b, _y, dy, k) => [k[0] ? mul(dy, b) : null, k[1] ? mul(dy, a) : null]);
const DIV = binaryOp('Div', 'Div', (a, b) => a / b, (_a, b, y, dy, k) => [k[0] ? div(dy, b) : null, k[1] ? neg(div(mul(dy, y), b)) : null]);
const POW = binaryOp('Pow', 'Pow', Math.pow, (a, b, y, dy, k) => [
  k[0] ? mul(dy, mul(b, pow(a, sub(b, 1)))) : null,
  k[1] ? mul(dy, mul(y, log(a))) : null,
]);
const MAX = binaryOp('Max', 'Max', Math.max, (a, b, _y, dy) => {
  const m = greaterEqual(a, b);
  return [where(m, dy, 0), where(m, 0, dy)];
});
const MIN = binaryOp('Min', 'Min', Math.min, (a, b, _y, dy) => {
  const m = greaterEqual(b, a);
  return [where(m, dy, 0), where(m, 0, dy)];
});

/** Applies a binary op, lifting numbers to scalar constants of the other operand's type. */
function binary(op: OpDef<{}>, a: Tensor | number, b: Tensor | number): Tensor {
  const ta = lift(a, typeof b === 'number' ? undefined : b);
  const tb = lift(b, ta);
  return apply1(op, [ta, tb], {});
}

/** a + b with broadcasting. @example add(x, bias) */
export const add = (a: Tensor | number, b: Tensor | number): Tensor => binary(ADD, a, b);
/** a - b with broadcasting. @example sub(x, mean) */
export const sub = (a: Tensor | number, b: Tensor | number): Tensor => binary(SUB, a, b);
/** a * b with broadcasting. @example mul(x, gain) */
export const mul = (a: Tensor | number, b: Tensor | number): Tensor => binary(MUL, a, b);
/** a / b with broadcasting. @example div(x, n) */
export const div = (a: Tensor | number, b: Tensor | number): Tensor => binary(DIV, a, b);
/** a ** b with broadcasting. @example pow(x, 3) */
export const pow = (a: Tensor | number, b: Tensor | number): Tensor => binary(POW, a, b);
/** Element-wise maximum. @example maximum(x, 0) */
export const maximum = (a: Tensor | number, b: Tensor | number): Tensor => binary(MAX, a, b);
/** Element-wise minimum. @example minimum(x, 1) */
export const minimum = (a: Tensor | number, b: Tensor | number): Tensor => binary(MIN, a, b);

/** Linear interpolation a + (b - a) * t, as torch.lerp. @example lerp(wAvg, w, psi) */
export function lerp(a: Tensor, b: Tensor, t: Tensor | number): Tensor {
  return add(a, mul(sub(b, a), t));
}
