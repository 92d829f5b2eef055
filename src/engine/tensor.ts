// Symbolic tensors: a Tensor is one output of a Node; a Node applies an OpDef to input tensors.
// Graphs are the DAGs reachable from their outputs: there is no global graph and no global state.
import { GraphError } from '../errors.js';
import type { DType } from './dtype.js';
import { checkShape, fmt, type Shape } from './shape.js';

/** A dense array used by the reference interpreter: float64 storage whatever the element type. */
export interface NDArray {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly data: Float64Array;
}

/** ONNX attribute values, tagged with their ONNX kind. */
export type Attr = { i: number } | { f: number } | { s: string } | { ints: readonly number[] } | { floats: readonly number[] };

/** Work-arounds for execution providers with known bugs, chosen per compiled model. */
export interface EmitCompat {
  /**
   * onnxruntime-web's WebGPU provider (1.30): 1x1 Conv ignores end-only pads, negative-step Slice drops an
   * element, Concat of more than 7 inputs exceeds the shader's buffer limit. Emit equivalents that avoid them.
   */
  webgpu: boolean;
}

/** What an op's `emit` uses to write ONNX nodes. */
export interface Emitter {
  readonly compat: EmitCompat;
  /** ONNX value name of a tensor that is already emitted (an input of the node being emitted). */
  name(t: Tensor): string;
  /** ONNX value name for output `i` of `node`. */
  out(node: Node, i?: number): string;
  /** A fresh name for an intermediate value. */
  tmp(hint?: string): string;
  /** Appends one ONNX node. */
  node(opType: string, inputs: readonly string[], outputs: readonly string[], attrs?: Record<string, Attr>): void;
  /** An int64 constant of shape [values.length]; returns its name. */
  ints(values: readonly number[]): string;
  /** A constant of `dtype` with the given shape and returns its name. */
  constant(dtype: DType, shape: Shape, values: ArrayLike<number>): string;
  /** Concat along `axis`, chained in groups when the target limits a node's inputs. */
  concat(inputs: readonly string[], output: string, axis: number): void;
}

/** Result type and shape of one op output. */
export interface OutSpec {
  shape: Shape;
  dtype: DType;
}

/**
 * An operation: shape inference with validation, ONNX emission (the fast path), a plain TypeScript
 * reference (the oracle in tests) and a vector-Jacobian product written with ops (so it can be differentiated again).
 */
export interface OpDef<A = any> {
  readonly type: string;
  infer(inputs: readonly Tensor[], attrs: A): OutSpec[];
  emit(e: Emitter, node: Node<A>): void;
  ref(inputs: readonly NDArray[], attrs: A): NDArray[];
  /** Gradients with respect to each input given gradients of each output (null = zero); `needs[i]` says whether input i wants one. */
  vjp?(node: Node<A>, dys: readonly (Tensor | null)[], needs: readonly boolean[]): (Tensor | null)[];
  /** True when the op has zero gradient everywhere (comparisons, integer ops). */
  readonly nondiff?: boolean;
}

/** One application of an op. */
export class Node<A = any> {
  readonly outputs: Tensor[];
  constructor(
    readonly op: OpDef<A>,
    readonly inputs: readonly Tensor[],
    readonly attrs: A,
    specs: readonly OutSpec[],
  ) {
    this.outputs = specs.map((s, i) => new Tensor(this, i, s.shape, s.dtype));
  }
}

/** A symbolic tensor with a static shape. */
export class Tensor {
  constructor(
    readonly node: Node,
    readonly index: number,
    readonly shape: Shape,
    readonly dtype: DType,
  ) {
    checkShape(node.op.type, shape);
  }
  get rank(): number {
    return this.shape.length;
  }
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  toString(): string {
    return `Tensor(${this.node.op.type}, ${this.dtype}${fmt(this.shape)})`;
  }
}

/** Applies an op to inputs, inferring and validating output shapes; returns all outputs. */
export function applyOp<A>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor[] {
  for (const [i, t] of inputs.entries()) {
    if (!(t instanceof Tensor)) throw new GraphError(`${op.type}: input ${i} is not a Tensor (got ${typeof t})`);
  }
  return new Node(op, inputs, attrs, op.infer(inputs, attrs)).outputs;
}

/** Applies a single-output op. */
export function apply1<A>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor {
  return applyOp(op, inputs, attrs)[0]!;
}

/** Throws a GraphError naming the op, what was expected and what was got. */
export function expect(op: string, ok: boolean, expected: string, got: string): void {
  if (!ok) throw new GraphError(`${op}: expected ${expected}, got ${got}`);
}

/** Makes an NDArray, checking the data length. */
export function ndarray(shape: Shape, data: ArrayLike<number>, dtype: DType = 'float32'): NDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  if (data.length !== n) throw new GraphError(`ndarray: expected ${n} values for shape ${fmt(shape)}, got ${data.length}`);
  return { shape: [...shape], dtype, data: data instanceof Float64Array ? data : Float64Array.from(data) };
}
