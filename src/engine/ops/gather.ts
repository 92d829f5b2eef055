// Indexing: gather along an axis, gather/scatter-add of elements (the gradient pair), depth<->space.
import { fmt, normAxis, sizeOf, stridesOf } from '../shape.js';
import { constant } from '../sources.js';
import { apply1, expect, type NDArray, type OpDef, type Tensor } from '../tensor.js';
import { unravel, zerosND } from './refutil.js';
import { expand, reshape } from './base.js';
import { transpose } from './shape-ops.js';

interface AxisAttrs {
  axis: number;
}

/** Reads index `i` along an axis of length n, allowing negative indices as ONNX does. */
const wrap = (i: number, n: number): number => (i < 0 ? i + n : i);

const GATHER_ELEMENTS: OpDef<AxisAttrs> = {
  type: 'GatherElements',
  infer: ([x, idx], a) => {
    expect('GatherElements', idx!.dtype === 'int64' && idx!.rank === x!.rank, `int64 indices of rank ${x!.rank}`, `${idx!.dtype}${fmt(idx!.shape)}`);
    return [{ shape: idx!.shape, dtype: x!.dtype }];
  },
  emit: (e, n) => e.node('GatherElements', [e.name(n.inputs[0]!), e.name(n.inputs[1]!)], [e.out(n)], { axis: { i: n.attrs.axis } }),
  ref: ([x, idx], a) => {
    const out = zerosND(idx!.shape, x!.dtype);
    const st = stridesOf(x!.shape);
    for (let n = 0; n < out.data.length; n++) {
      const id = unravel(n, idx!.shape);
      id[a.axis] = wrap(idx!.data[n]!, x!.shape[a.axis]!);
      out.data[n] = x!.data[id.reduce((o, v, d) => o + v * st[d]!, 0)]!;
    }
    return [out];
  },
  vjp: (n, [dy]) => [scatterAddElements(dy!, n.inputs[1]!, n.attrs.axis, n.inputs[0]!.shape), null],
};

interface ScatterAttrs extends AxisAttrs {
  shape: number[];
}
const SCATTER_ADD: OpDef<ScatterAttrs> = {
  type: 'ScatterAddElements',
  infer: ([u, idx], a) => {
    expect('ScatterAddElements', idx!.dtype === 'int64' && idx!.rank === u!.rank && idx!.shape.every((d, i) => d === u!.shape[i]), `int64 indices shaped like the updates ${fmt(u!.shape)}`, `${idx!.dtype}${fmt(idx!.shape)}`);
    return [{ shape: a.shape, dtype: u!.dtype }];
  },
  emit: (e, n) => {
    const zeros = e.tmp('zeros');
    e.node('Expand', [e.constant('float32', [], [0]), e.ints(n.attrs.shape)], [zeros]);
    e.node('ScatterElements', [zeros, e.name(n.inputs[1]!), e.name(n.inputs[0]!)], [e.out(n)], { axis: { i: n.attrs.axis }, reduction: { s: 'add' } });
  },
  ref: ([u, idx], a) => {
    const out = zerosND(a.shape, u!.dtype);
    const st = stridesOf(a.shape);
    for (let n = 0; n < u!.data.length; n++) {
      const id = unravel(n, u!.shape);
      id[a.axis] = wrap(idx!.data[n]!, a.shape[a.axis]!);
      out.data[id.reduce((o, v, d) => o + v * st[d]!, 0)] += u!.data[n]!;
    }
    return [out];
  },
  vjp: (n, [g]) => [gatherElements(g!, n.inputs[1]!, n.attrs.axis), null],
};

/** out[i][j] = x[i][idx[i][j]] along `axis`, as torch.gather. @example gatherElements(flat, idx, 2) */
export function gatherElements(x: Tensor, indices: Tensor, axis: number): Tensor {
  return apply1(GATHER_ELEMENTS, [x, indices], { axis: normAxis('GatherElements', axis, x.rank) });
}

/** Adds updates into zeros of `shape` at indices along `axis` (the adjoint of gatherElements). */
export function scatterAddElements(updates: Tensor, indices: Tensor, axis: number, shape: readonly number[]): Tensor {
  return apply1(SCATTER_ADD, [updates, indices], { axis: normAxis('ScatterAddElements', axis, updates.rank), shape: [...shape] });
}

const GATHER: OpDef<AxisAttrs> = {
  type: 'Gather',
  infer: ([x, idx], a) => {
    expect('Gather', idx!.dtype === 'int64', 'int64 indices', idx!.dtype);
    return [{ shape: [...x!.shape.slice(0, a.axis), ...idx!.shape, ...x!.shape.slice(a.axis + 1)], dtype: x!.dtype }];
  },
  emit: (e, n) => e.node('Gather', [e.name(n.inputs[0]!), e.name(n.inputs[1]!)], [e.out(n)], { axis: { i: n.attrs.axis } }),
  ref: ([x, idx], a) => {
    const pre = sizeOf(x!.shape.slice(0, a.axis));
    const post = sizeOf(x!.shape.slice(a.axis + 1));
    const D = x!.shape[a.axis]!;
    const K = idx!.data.length;
    const out = zerosND([...x!.shape.slice(0, a.axis), ...idx!.shape, ...x!.shape.slice(a.axis + 1)], x!.dtype);
    for (let p = 0; p < pre; p++)
      for (let k = 0; k < K; k++) {
        const src = (p * D + wrap(idx!.data[k]!, D)) * post;
        out.data.set(x!.data.subarray(src, src + post), (p * K + k) * post);
      }
    return [out];
  },
  // Adjoint: flatten the index axes to K, broadcast indices over [pre, K, post], scatter-add into [pre, D, post].
  vjp: (n, [dy]) => {
    const [x, idx] = n.inputs as [Tensor, Tensor];
    const ax = n.attrs.axis;
    const pre = sizeOf(x.shape.slice(0, ax));
    const post = sizeOf(x.shape.slice(ax + 1));
    const K = idx.size;
    const u = reshape(dy!, [pre, K, post]);
    const ii = expand(reshape(idx, [1, K, 1]), [pre, K, post]);
    return [reshape(scatterAddElements(u, ii, 1, [pre, x.shape[ax]!, post]), x.shape), null];
  },
};

/** Picks entries along an axis, as numpy.take. @example gather(table, [0, 2], 0) */
export function gather(x: Tensor, indices: Tensor | readonly number[], axis: number): Tensor {
  const idx = Array.isArray(indices) ? constant(indices as number[], [indices.length], 'int64') : (indices as Tensor);
  return apply1(GATHER, [x, idx], { axis: normAxis('Gather', axis, x.rank) });
}

interface BlockAttrs {
  block: number;
}

/** Reference DCR depth-to-space / its inverse via explicit index maps. */
function refDepthSpace(x: NDArray, b: number, toSpace: boolean): NDArray {
  const [N, C, H, W] = x.shape as number[];
  const outShape = toSpace ? [N!, C! / (b * b), H! * b, W! * b] : [N!, C! * b * b, H! / b, W! / b];
  const out = zerosND(outShape, x.dtype);
  const [, Co, Ho, Wo] = outShape as number[];
  const small = toSpace ? { C: Co!, H: H!, W: W! } : { C: C!, H: Ho!, W: Wo! };
  // Deep index (n, (i*b + j)*C + c, h, w) <-> space index (n, c, h*b + i, w*b + j).
  for (let n = 0; n < N!; n++)
    for (let c = 0; c < small.C; c++)
      for (let i = 0; i < b; i++)
        for (let j = 0; j < b; j++)
          for (let h = 0; h < small.H; h++)
            for (let w = 0; w < small.W; w++) {
              const deep = ((n * small.C * b * b + (i * b + j) * small.C + c) * small.H + h) * small.W + w;
              const space = ((n * small.C + c) * small.H * b + h * b + i) * small.W * b + w * b + j;
              if (toSpace) out.data[space] = x.data[deep]!;
              else out.data[deep] = x.data[space]!;
            }
  return out;
}

const DEPTH_TO_SPACE: OpDef<BlockAttrs> = {
  type: 'DepthToSpace',
  infer: ([x], a) => {
    expect('DepthToSpace', x!.rank === 4 && x!.shape[1]! % (a.block * a.block) === 0, `[N,C,H,W] with C divisible by ${a.block * a.block}`, fmt(x!.shape));
    const [n, c, h, w] = x!.shape as number[];
    return [{ shape: [n!, c! / (a.block * a.block), h! * a.block, w! * a.block], dtype: x!.dtype }];
  },
  emit: (e, n) => e.node('DepthToSpace', [e.name(n.inputs[0]!)], [e.out(n)], { blocksize: { i: n.attrs.block }, mode: { s: 'DCR' } }),
  ref: ([x], a) => [refDepthSpace(x!, a.block, true)],
  vjp: (n, [dy]) => [spaceToDepth(dy!, n.attrs.block)],
};

const SPACE_TO_DEPTH: OpDef<BlockAttrs> = {
  type: 'SpaceToDepth',
  infer: ([x], a) => {
    expect('SpaceToDepth', x!.rank === 4 && x!.shape[2]! % a.block === 0 && x!.shape[3]! % a.block === 0, `[N,C,H,W] with H and W divisible by ${a.block}`, fmt(x!.shape));
    const [n, c, h, w] = x!.shape as number[];
    return [{ shape: [n!, c! * a.block * a.block, h! / a.block, w! / a.block], dtype: x!.dtype }];
  },
  emit: (e, n) => e.node('SpaceToDepth', [e.name(n.inputs[0]!)], [e.out(n)], { blocksize: { i: n.attrs.block } }),
  ref: ([x], a) => [refDepthSpace(x!, a.block, false)],
  vjp: (n, [dy]) => [depthToSpace(dy!, n.attrs.block)],
};

/**
 * Moves channel blocks into space: [N, C*b*b, H, W] -> [N, C, H*b, W*b] (ONNX DCR order; 'CRD' is torch.pixel_shuffle).
 * @example depthToSpace(x, 2)
 */
export function depthToSpace(x: Tensor, block: number, mode: 'DCR' | 'CRD' = 'DCR'): Tensor {
  if (mode === 'DCR') return apply1(DEPTH_TO_SPACE, [x], { block });
  const [n, c, h, w] = x.shape as number[];
  const y = transpose(reshape(x, [n!, c! / (block * block), block, block, h!, w!]), [0, 1, 4, 2, 5, 3]);
  return reshape(y, [n!, c! / (block * block), h! * block, w! * block]);
}

/** Inverse of depthToSpace (DCR): [N, C, H, W] -> [N, C*b*b, H/b, W/b]. @example spaceToDepth(x, 2) */
export function spaceToDepth(x: Tensor, block: number): Tensor {
  return apply1(SPACE_TO_DEPTH, [x], { block });
}
