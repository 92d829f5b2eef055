// Leaves of a graph: named inputs fed at run time, trainable parameters, and constants.
import { GraphError } from '../errors.js';
import type { DType } from './dtype.js';
import { fmt, sizeOf, type Shape } from './shape.js';
import { apply1, ndarray, type NDArray, type Node, type OpDef, Tensor } from './tensor.js';

/** How an input is filled when the caller does not feed it: from a seeded generator in TypeScript. */
export type RandomKind = 'normal' | 'uniform';

export interface InputAttrs {
  name: string;
  shape: Shape;
  dtype: DType;
  random?: RandomKind;
}

/** Graph input. Emitted as an ONNX graph input; `random` inputs are filled by the runtime from a seeded RNG. */
export const InputOp: OpDef<InputAttrs> = {
  type: 'Input',
  infer: (_, a) => [{ shape: a.shape, dtype: a.dtype }],
  emit: () => {},
  ref: () => {
    throw new GraphError('Input: the reference interpreter needs a value for every input');
  },
  vjp: () => [],
};

/** A named, trainable float32 array. Its tensor is emitted as an initializer (frozen) or a graph input (trained). */
export class Parameter {
  /** The symbolic tensor standing for this parameter in graphs. */
  readonly tensor: Tensor;
  constructor(
    readonly name: string,
    readonly shape: Shape,
    public data: Float32Array,
  ) {
    if (data.length !== sizeOf(shape)) {
      throw new GraphError(`Parameter '${name}': expected ${sizeOf(shape)} values for shape ${fmt(shape)}, got ${data.length}`);
    }
    this.tensor = apply1(ParamOp, [], { param: this });
  }
}

export interface ParamAttrs {
  param: Parameter;
}

export const ParamOp: OpDef<ParamAttrs> = {
  type: 'Param',
  infer: (_, a) => [{ shape: a.param.shape, dtype: 'float32' }],
  emit: () => {},
  ref: (_, a) => [ndarray(a.param.shape, a.param.data)],
  vjp: () => [],
};

export interface ConstantAttrs {
  value: NDArray;
}

/** A constant baked into the model as an ONNX initializer. */
export const ConstantOp: OpDef<ConstantAttrs> = {
  type: 'Constant',
  infer: (_, a) => [{ shape: a.value.shape, dtype: a.value.dtype }],
  emit: () => {},
  ref: (_, a) => [a.value],
  vjp: () => [],
};

/**
 * A graph input of the given shape.
 * @example const z = input('z', [1, 512]);
 */
export function input(name: string, shape: Shape, dtype: DType = 'float32'): Tensor {
  return apply1(InputOp, [], { name, shape: [...shape], dtype });
}

/**
 * An input filled with seeded random numbers from TypeScript when not fed (reproducible runs).
 * @example const noise = randomInput('noise', [1, 1, 64, 64]); // standard normal
 */
export function randomInput(name: string, shape: Shape, kind: RandomKind = 'normal'): Tensor {
  return apply1(InputOp, [], { name, shape: [...shape], dtype: 'float32', random: kind });
}

/**
 * A constant tensor (a number gives a scalar).
 * @example const f = constant([1, 3, 3, 1], [4]);
 */
export function constant(values: number | ArrayLike<number>, shape?: Shape, dtype: DType = 'float32'): Tensor {
  const data = typeof values === 'number' ? [values] : values;
  const s = shape ?? (typeof values === 'number' ? [] : [data.length]);
  return apply1(ConstantOp, [], { value: ndarray(s, data, dtype) });
}

/** Lifts a number to a scalar constant (of `like`'s dtype); tensors pass through. */
export function lift(x: Tensor | number, like?: Tensor): Tensor {
  return x instanceof Tensor ? x : constant(x, [], like?.dtype ?? 'float32');
}

/** True when a node is a leaf (input, parameter or constant). */
export function isLeaf(node: Node): boolean {
  return node.op === InputOp || node.op === ParamOp || node.op === ConstantOp;
}
