// Matrix products with batch broadcasting (numpy.matmul semantics for rank >= 2).
import { broadcastShapes, fmt } from '../shape.js';
import { apply1, expect, type OpDef, type Tensor } from '../tensor.js';
import { add } from './elementwise.js';
import { broadcastStrides, unravel, zerosND } from './refutil.js';
import { sumToShape } from './base.js';
import { transpose } from './shape-ops.js';

function matmulShape(a: Tensor | { shape: readonly number[] }, b: { shape: readonly number[] }): number[] {
  const [m, k1] = a.shape.slice(-2) as [number, number];
  const [k2, n] = b.shape.slice(-2) as [number, number];
  expect('MatMul', a.shape.length >= 2 && b.shape.length >= 2 && k1 === k2, `[..., m, k] x [..., k, n]`, `${fmt(a.shape)} x ${fmt(b.shape)}`);
  return [...broadcastShapes('MatMul', a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n];
}

/** Swaps the last two axes. */
export function transposeLast(x: Tensor): Tensor {
  const perm = x.shape.map((_, i) => i);
  perm[x.rank - 2] = x.rank - 1;
  perm[x.rank - 1] = x.rank - 2;
  return transpose(x, perm);
}

const MATMUL: OpDef<{}> = {
  type: 'MatMul',
  infer: ([a, b]) => {
    expect('MatMul', a!.dtype === 'float32' && b!.dtype === 'float32', 'float32 inputs', `${a!.dtype} and ${b!.dtype}`);
    return [{ shape: matmulShape(a!, b!), dtype: 'float32' }];
  },
  emit: (e, n) => e.node('MatMul', [e.name(n.inputs[0]!), e.name(n.inputs[1]!)], [e.out(n)]),
  ref: ([a, b]) => {
    const shape = matmulShape(a!, b!);
    const out = zerosND(shape);
    const batch = shape.slice(0, -2);
    const [m, n] = shape.slice(-2) as [number, number];
    const k = a!.shape[a!.shape.length - 1]!;
    const sa = broadcastStrides(a!.shape.slice(0, -2), batch).map((s) => s * m * k);
    const sb = broadcastStrides(b!.shape.slice(0, -2), batch).map((s) => s * k * n);
    const nb = out.data.length / (m * n);
    for (let bi = 0; bi < nb; bi++) {
      const idx = unravel(bi, batch);
      const oa = idx.reduce((o, v, d) => o + v * sa[d]!, 0);
      const ob = idx.reduce((o, v, d) => o + v * sb[d]!, 0);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = 0;
          for (let t = 0; t < k; t++) acc += a!.data[oa + i * k + t]! * b!.data[ob + t * n + j]!;
          out.data[bi * m * n + i * n + j] = acc;
        }
      }
    }
    return [out];
  },
  vjp: (n, [dy], needs) => {
    const [a, b] = n.inputs as [Tensor, Tensor];
    return [
      needs[0] ? sumToShape(matmul(dy!, transposeLast(b)), a.shape) : null,
      needs[1] ? sumToShape(matmul(transposeLast(a), dy!), b.shape) : null,
    ];
  },
};

/** Matrix product with broadcast batch axes, as torch.matmul for rank >= 2. @example matmul(x, transposeLast(w)) */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return apply1(MATMUL, [a, b], {});
}

/** x @ w^T + b, as torch.nn.functional.linear. @example linear(x, w, b) */
export function linear(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  const y = matmul(x, transposeLast(w));
  return b ? add(y, b) : y;
}
