// Index of the smallest element along an axis (ONNX ArgMin, first index on ties, as torch.min on CPU).
import { fmt, normAxis } from '../shape.js';
import { apply1, expect, type OpDef, type Tensor } from '../tensor.js';
import { zerosND } from './refutil.js';

interface ArgMinAttrs {
  axis: number;
}

const ARGMIN: OpDef<ArgMinAttrs> = {
  type: 'ArgMin',
  nondiff: true,
  infer: ([x], a) => {
    expect('ArgMin', x!.dtype === 'float32', 'a float32 input', `${x!.dtype}${fmt(x!.shape)}`);
    return [{ shape: x!.shape.filter((_, i) => i !== a.axis), dtype: 'int64' }];
  },
  emit: (e, n) => e.node('ArgMin', [e.name(n.inputs[0]!)], [e.out(n)], { axis: { i: n.attrs.axis }, keepdims: { i: 0 }, select_last_index: { i: 0 } }),
  ref: ([x], a) => {
    const shape = x!.shape.filter((_, i) => i !== a.axis);
    const out = zerosND(shape, 'int64');
    const D = x!.shape[a.axis]!;
    const post = x!.shape.slice(a.axis + 1).reduce((p, d) => p * d, 1);
    const pre = x!.data.length / (D * post);
    for (let p = 0; p < pre; p++)
      for (let q = 0; q < post; q++) {
        let best = 0;
        for (let d = 1; d < D; d++) if (x!.data[(p * D + d) * post + q]! < x!.data[(p * D + best) * post + q]!) best = d;
        out.data[p * post + q] = best;
      }
    return [out];
  },
  vjp: () => [null],
};

/**
 * Index (int64) of the smallest value along `axis`, the axis removed; the first one on ties.
 * @example argmin(reshape(dist, [P, K]), 1) // [P]
 */
export function argmin(x: Tensor, axis: number): Tensor {
  return apply1(ARGMIN, [x], { axis: normAxis('ArgMin', axis, x.rank) });
}
