// Serialises a graph to an ONNX model (opset 18) with weights as initializers or as graph inputs.
import onnxProto from 'onnx-proto';
import { GraphError } from '../errors.js';
import { ONNX_DTYPE, type DType } from './dtype.js';
import { topoSort } from './graph.js';
import type { Shape } from './shape.js';
import { ConstantOp, InputOp, type InputAttrs, isLeaf, ParamOp, type Parameter, type RandomKind } from './sources.js';
import type { Attr, EmitCompat, Emitter, Tensor } from './tensor.js';

const { onnx } = onnxProto;
export const OPSET = 18;

/** 'initializers' bakes parameters into the model (inference); 'inputs' feeds them each run (training). */
export type ParamsAs = 'initializers' | 'inputs';

export interface ValueInfo {
  name: string;
  shape: number[];
  dtype: DType;
}
export interface InputInfo extends ValueInfo {
  random?: RandomKind;
}

/** A serialised model and what it expects and returns. */
export interface OnnxModel {
  bytes: Uint8Array;
  inputs: InputInfo[];
  /** Parameters emitted as graph inputs (fed from `Parameter.data` on every run). */
  params: Parameter[];
  outputs: ValueInfo[];
}

/** Raw little-endian bytes of values of an element type. */
function rawBytes(dtype: DType, values: ArrayLike<number>): Uint8Array {
  const typed =
    dtype === 'float32'
      ? values instanceof Float32Array
        ? values
        : Float32Array.from(values)
      : dtype === 'int64'
        ? BigInt64Array.from(Array.from(values, (v) => BigInt(Math.trunc(v))))
        : dtype === 'int32'
          ? Int32Array.from(values)
          : Uint8Array.from(values, (v) => (v ? 1 : 0));
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

function valueInfo(v: ValueInfo): onnxProto.onnx.IValueInfoProto {
  return {
    name: v.name,
    type: { tensorType: { elemType: ONNX_DTYPE[v.dtype], shape: { dim: v.shape.map((d) => ({ dimValue: d })) } } },
  };
}

function attrProto(name: string, a: Attr): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('i' in a) return { name, type: T.INT, i: a.i };
  if ('f' in a) return { name, type: T.FLOAT, f: a.f };
  if ('s' in a) return { name, type: T.STRING, s: new TextEncoder().encode(a.s) };
  if ('ints' in a) return { name, type: T.INTS, ints: [...a.ints] };
  return { name, type: T.FLOATS, floats: [...a.floats] };
}

/**
 * Builds the ONNX model computing `outputs` (keyed by output name).
 * @example const { bytes } = toOnnx({ img }, 'initializers');
 */
export function toOnnx(outputs: Record<string, Tensor>, paramsAs: ParamsAs = 'initializers', compat: Partial<EmitCompat> & { feedParamsFrom?: number } = {}): OnnxModel {
  const outEntries = Object.entries(outputs);
  const order = topoSort(outEntries.map(([, t]) => t));
  const names = new Map<Tensor, string>();
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const initializers: onnxProto.onnx.ITensorProto[] = [];
  const inputs: InputInfo[] = [];
  const params: Parameter[] = [];
  const taken = new Map<string, string>(); // name -> what holds it
  const constCache = new Map<string, string>();
  let counter = 0;
  const fresh = (hint = 't') => {
    let n: string;
    do n = `${hint}_${counter++}`;
    while (taken.has(n));
    taken.set(n, 'intermediate');
    return n;
  };
  const claim = (name: string, what: string) => {
    const holder = taken.get(name);
    if (holder) throw new GraphError(`toOnnx: the ${what} '${name}' has the same name as ${holder === what ? 'another' : 'an existing'} ${holder} (ONNX names must be unique)`);
    taken.set(name, what);
    return name;
  };
  const addInit = (name: string, dtype: DType, shape: Shape, values: ArrayLike<number>) => {
    initializers.push({ name, dims: [...shape], dataType: ONNX_DTYPE[dtype], rawData: rawBytes(dtype, values) });
  };
  // Output names go to the tensors that produce them (leaves and repeated outputs get an Identity).
  const outputNames = new Map<Tensor, string>();
  for (const [name] of outEntries) claim(name, 'output');
  for (const [name, t] of outEntries) if (!outputNames.has(t) && !isLeaf(t.node)) outputNames.set(t, name);

  const e: Emitter = {
    compat: { webgpu: compat.webgpu ?? false },
    name: (t) => {
      const n = names.get(t);
      if (n === undefined) throw new GraphError(`toOnnx: tensor ${t} used before it was emitted`);
      return n;
    },
    out: (node, i = 0) => names.get(node.outputs[i]!)!,
    tmp: (hint) => fresh(hint ?? 'tmp'),
    node: (opType, ins, outs, attrs = {}) => {
      nodes.push({ opType, input: [...ins], output: [...outs], name: fresh(opType), attribute: Object.entries(attrs).map(([k, v]) => attrProto(k, v)) });
    },
    ints: (values) => {
      const key = `i64:${values.join(',')}`;
      let name = constCache.get(key);
      if (!name) {
        name = fresh('ints');
        addInit(name, 'int64', [values.length], values);
        constCache.set(key, name);
      }
      return name;
    },
    concat: (ins, out, axis) => {
      // WebGPU binds one buffer per input and allows 8 per shader: chain groups of at most 7.
      const limit = e.compat.webgpu ? 7 : Infinity;
      let parts = [...ins];
      while (parts.length > limit) {
        const head = fresh('concat');
        e.node('Concat', parts.slice(0, limit), [head], { axis: { i: axis } });
        parts = [head, ...parts.slice(limit)];
      }
      e.node('Concat', parts, [out], { axis: { i: axis } });
    },
    constant: (dtype, shape, values) => {
      const small = values.length <= 16;
      const key = small ? `${dtype}:${shape.join('x')}:${Array.from(values).join(',')}` : '';
      const hit = small ? constCache.get(key) : undefined;
      if (hit) return hit;
      const name = fresh('const');
      addInit(name, dtype, shape, values);
      if (small) constCache.set(key, name);
      return name;
    },
  };

  for (const node of order) {
    if (node.op === InputOp) {
      const a = node.attrs as InputAttrs;
      const t = node.outputs[0]!;
      names.set(t, claim(a.name, 'input'));
      inputs.push({ name: a.name, shape: [...a.shape], dtype: a.dtype, ...(a.random ? { random: a.random } : {}) });
    } else if (node.op === ParamOp) {
      const p = (node.attrs as { param: Parameter }).param;
      names.set(node.outputs[0]!, claim(p.name, 'parameter'));
      // Parameters of at least `feedParamsFrom` values are fed at run time even when baking: no copy in the model bytes.
      if (paramsAs === 'inputs' || (compat.feedParamsFrom !== undefined && p.data.length >= compat.feedParamsFrom)) params.push(p);
      else addInit(p.name, 'float32', p.shape, p.data);
    } else if (node.op === ConstantOp) {
      const v = (node.attrs as { value: { shape: Shape; dtype: DType; data: Float64Array } }).value;
      names.set(node.outputs[0]!, e.constant(v.dtype, v.shape, v.data));
    } else {
      for (const t of node.outputs) names.set(t, outputNames.get(t) ?? fresh(node.op.type));
      node.op.emit(e, node);
    }
  }
  for (const [name, t] of outEntries) {
    if (outputNames.get(t) !== name) nodes.push({ opType: 'Identity', input: [names.get(t)!], output: [name], name: fresh('Identity') });
  }
  const outInfos = outEntries.map(([name, t]) => ({ name, shape: [...t.shape], dtype: t.dtype }));
  const graph: onnxProto.onnx.IGraphProto = {
    name: 'stylelab',
    node: nodes,
    initializer: initializers,
    input: [...inputs, ...params.map((p) => ({ name: p.name, shape: [...p.shape], dtype: 'float32' as DType }))].map(valueInfo),
    output: outInfos.map(valueInfo),
  };
  const model: onnxProto.onnx.IModelProto = {
    irVersion: 8,
    producerName: 'stylelab',
    opsetImport: [{ domain: '', version: OPSET }],
    graph,
  };
  return { bytes: onnx.ModelProto.encode(model).finish(), inputs, params, outputs: outInfos };
}

/** Decodes a model's bytes (for inspection and round-trip tests). */
export function decodeOnnx(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
