// 2-D pooling (torch.nn.functional.max_pool2d / avg_pool2d, floor mode): the ONNX MaxPool / AveragePool kernels
// as the fast path, plain loops as the reference. Max pooling routes gradients to the window's maximum through
// MaxPool's flat indices (scatter-add, as torch's max_pool2d backward); average pooling differentiates as the
// equivalent depthwise convolution (avgPool2dByConv, also the second path its tests compare against).
import { GraphError } from '../../errors.js';
import { backprop } from '../autodiff.js';
import { fmt } from '../shape.js';
import { constant } from '../sources.js';
import { apply1, expect, type NDArray, type OpDef, type Tensor } from '../tensor.js';
import { conv2d } from './conv.js';
import { mul } from './elementwise.js';
import { scatterAddElements } from './gather.js';
import { reshape } from './base.js';

type Pair = [number, number];
/** Window, stride and pads [top, left, bottom, right]; `countIncludePad` only matters for averages. */
export interface PoolAttrs {
  kernel: Pair;
  stride: Pair;
  pads: [number, number, number, number];
  countIncludePad: boolean;
}

/** Output length along one axis (floor mode). */
const poolOut = (n: number, k: number, s: number, p0: number, p1: number): number => Math.floor((n + p0 + p1 - k) / s) + 1;

function inferPool(type: string, x: Tensor, a: PoolAttrs, dtype: 'float32' | 'int64' = 'float32') {
  expect(type, x.rank === 4, 'x [N,C,H,W]', fmt(x.shape));
  const [n, c, h, w] = x.shape as number[];
  const ho = poolOut(h!, a.kernel[0], a.stride[0], a.pads[0], a.pads[2]);
  const wo = poolOut(w!, a.kernel[1], a.stride[1], a.pads[1], a.pads[3]);
  if (ho < 1 || wo < 1) throw new GraphError(`${type}: input ${fmt(x.shape)} is too small for a ${a.kernel[0]}x${a.kernel[1]} window`);
  if (a.pads[0] * 2 > a.kernel[0] || a.pads[1] * 2 > a.kernel[1]) throw new GraphError(`${type}: padding ${fmt(a.pads)} exceeds half the ${a.kernel[0]}x${a.kernel[1]} window`);
  return [{ shape: [n!, c!, ho, wo], dtype }];
}

const onnxPoolAttrs = (a: PoolAttrs) => ({ kernel_shape: { ints: a.kernel }, strides: { ints: a.stride }, pads: { ints: a.pads } });

/** Visits every output cell's window: f(output index, flat input indices inside the image, window size); returns the output shape. */
function windows(x: NDArray, a: PoolAttrs, f: (out: number, inputs: number[], windowSize: number) => void): number[] {
  const [N, C, H, W] = x.shape as number[];
  const HO = poolOut(H!, a.kernel[0], a.stride[0], a.pads[0], a.pads[2]);
  const WO = poolOut(W!, a.kernel[1], a.stride[1], a.pads[1], a.pads[3]);
  for (let p = 0; p < N! * C!; p++)
    for (let oh = 0; oh < HO; oh++)
      for (let ow = 0; ow < WO; ow++) {
        const inside: number[] = [];
        for (let i = 0; i < a.kernel[0]; i++)
          for (let j = 0; j < a.kernel[1]; j++) {
            const ih = oh * a.stride[0] - a.pads[0] + i;
            const iw = ow * a.stride[1] - a.pads[1] + j;
            if (ih >= 0 && ih < H! && iw >= 0 && iw < W!) inside.push((p * H! + ih) * W! + iw);
          }
        f((p * HO + oh) * WO + ow, inside, a.kernel[0] * a.kernel[1]);
      }
  return [N!, C!, HO, WO];
}

/** Flat input index of each window's first maximum (the reference of MaxPool's Indices output). */
function refArgmax(x: NDArray, a: PoolAttrs): NDArray {
  const idx: number[] = [];
  const shape = windows(x, a, (o, ins) => {
    let best = ins[0]!;
    for (const i of ins) if (x.data[i]! > x.data[best]!) best = i;
    idx[o] = best;
  });
  return { shape, dtype: 'int64', data: Float64Array.from(idx) };
}

const MAX_POOL: OpDef<PoolAttrs> = {
  type: 'MaxPool2d',
  infer: ([x], a) => inferPool('MaxPool2d', x!, a),
  emit: (e, n) => e.node('MaxPool', [e.name(n.inputs[0]!)], [e.out(n)], onnxPoolAttrs(n.attrs)),
  ref: ([x], a) => {
    const out: number[] = [];
    const shape = windows(x!, a, (o, ins) => (out[o] = Math.max(...ins.map((i) => x!.data[i]!))));
    return [{ shape, dtype: 'float32', data: Float64Array.from(out) }];
  },
  vjp: (n, [dy]) => {
    const x = n.inputs[0]!;
    const idx = apply1(MAX_POOL_INDICES, [x], n.attrs); // [N, C, Ho, Wo] flat positions in x
    const m = dy!.size;
    const dx = scatterAddElements(reshape(dy!, [1, m]), reshape(idx, [1, m]), 1, [1, x.size]);
    return [reshape(dx, x.shape)];
  },
};

/** MaxPool's second output: where each maximum came from, as flat indices into x (no gradient). */
const MAX_POOL_INDICES: OpDef<PoolAttrs> = {
  type: 'MaxPool2dIndices',
  nondiff: true,
  infer: ([x], a) => inferPool('MaxPool2dIndices', x!, a, 'int64'),
  emit: (e, n) => e.node('MaxPool', [e.name(n.inputs[0]!)], [e.tmp('maxpool'), e.out(n)], onnxPoolAttrs(n.attrs)),
  ref: ([x], a) => [refArgmax(x!, a)],
};

const AVG_POOL: OpDef<PoolAttrs> = {
  type: 'AvgPool2d',
  infer: ([x], a) => inferPool('AvgPool2d', x!, a),
  emit: (e, n) => e.node('AveragePool', [e.name(n.inputs[0]!)], [e.out(n)], { ...onnxPoolAttrs(n.attrs), count_include_pad: { i: n.attrs.countIncludePad ? 1 : 0 } }),
  ref: ([x], a) => {
    const out: number[] = [];
    const shape = windows(x!, a, (o, ins, k) => (out[o] = ins.reduce((s, i) => s + x!.data[i]!, 0) / (a.countIncludePad ? k : ins.length)));
    return [{ shape, dtype: 'float32', data: Float64Array.from(out) }];
  },
  vjp: (n, [dy]) => {
    const x = n.inputs[0]!;
    return backprop([avgPool2dByConv(x, n.attrs)], [dy!], [x]);
  },
};

/** Pooling options as torch's: a number means the same along both axes; stride defaults to the window. */
export interface PoolOptions {
  stride?: number | Pair;
  padding?: number | Pair;
  /** Average pooling only: divide by the whole window (true, torch's default) or by its cells inside the image. */
  countIncludePad?: boolean;
}

function poolAttrs(kernel: number | Pair, o: PoolOptions): PoolAttrs {
  const pair = (v: number | Pair): Pair => (typeof v === 'number' ? [v, v] : v);
  const k = pair(kernel);
  const p = pair(o.padding ?? 0);
  return { kernel: k, stride: pair(o.stride ?? k), pads: [p[0], p[1], p[0], p[1]], countIncludePad: o.countIncludePad ?? true };
}

/**
 * Max pooling of x [N,C,H,W] over kernel windows, as F.max_pool2d (padding never wins a maximum).
 * @example maxPool2d(x, 3, { stride: 2 }) // Inception's reductions
 */
export function maxPool2d(x: Tensor, kernel: number | Pair, o: PoolOptions = {}): Tensor {
  return apply1(MAX_POOL, [x], poolAttrs(kernel, o));
}

/**
 * Average pooling of x [N,C,H,W], as F.avg_pool2d.
 * @example avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false }) // TensorFlow's average pool
 */
export function avgPool2d(x: Tensor, kernel: number | Pair, o: PoolOptions = {}): Tensor {
  return apply1(AVG_POOL, [x], poolAttrs(kernel, o));
}

/**
 * Average pooling written as a depthwise convolution with a ones kernel times 1 / (cells counted per output):
 * the second path of avgPool2d (its gradient rule, and the oracle its tests compare against).
 * @example avgPool2dByConv(x, { kernel: [3, 3], stride: [1, 1], pads: [1, 1, 1, 1], countIncludePad: false })
 */
export function avgPool2dByConv(x: Tensor, a: PoolAttrs): Tensor {
  const [, C, H, W] = x.shape as number[];
  const [kh, kw] = a.kernel;
  const ones = constant(new Float32Array(C! * kh * kw).fill(1), [C!, 1, kh, kw]);
  const sums = conv2d(x, ones, { stride: a.stride, padding: a.pads, groups: C! }); // [N, C, Ho, Wo]
  const [, , HO, WO] = sums.shape as number[];
  const inv = new Float32Array(HO! * WO!);
  for (let oh = 0; oh < HO!; oh++)
    for (let ow = 0; ow < WO!; ow++) {
      const rows = Math.min(oh * a.stride[0] - a.pads[0] + kh, H!) - Math.max(oh * a.stride[0] - a.pads[0], 0);
      const cols = Math.min(ow * a.stride[1] - a.pads[1] + kw, W!) - Math.max(ow * a.stride[1] - a.pads[1], 0);
      inv[oh * WO! + ow] = 1 / (a.countIncludePad ? kh * kw : rows * cols);
    }
  return mul(sums, constant(inv, [1, 1, HO!, WO!]));
}

/** The pooling attributes of options (for avgPool2dByConv). @example poolAttributes(3, { padding: 1 }) */
export function poolAttributes(kernel: number | Pair, o: PoolOptions = {}): PoolAttrs {
  return poolAttrs(kernel, o);
}
