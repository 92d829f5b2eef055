// Bilinear grid sampling for the ADA pipeline: onnxruntime's GridSample forward (as E.gridSample), with the
// gradient to the image written as ONE gather of pixel rows (channels-last) over the four corners, whose adjoint
// is one ScatterND of [C]-sized rows: onnxruntime's element-wise ScatterElements (E.gridSample's gradient) was
// 80% of G's backward pass through the augmentation.
import * as E from '../engine/index.js';
import { apply1, expect, ndarray, type NDArray, type OpDef } from '../engine/tensor.js';

const GATHER_ROWS: OpDef<{}> = {
  type: 'GatherRows',
  infer: ([x, idx]) => {
    expect('GatherRows', x!.rank === 2 && idx!.rank === 2 && idx!.shape[1] === 1 && idx!.dtype === 'int64', 'x [R, C] and int64 indices [K, 1]', `[${x!.shape}] and ${idx!.dtype}[${idx!.shape}]`);
    return [{ shape: [idx!.shape[0]!, x!.shape[1]!], dtype: x!.dtype }];
  },
  emit: (e, n) => e.node('GatherND', [e.name(n.inputs[0]!), e.name(n.inputs[1]!)], [e.out(n)]),
  ref: ([x, idx]) => {
    const C = x!.shape[1]!;
    const out = new Float64Array(idx!.shape[0]! * C);
    idx!.data.forEach((r, k) => out.set(x!.data.subarray(r * C, (r + 1) * C), k * C));
    return [ndarray([idx!.shape[0]!, C], out, x!.dtype)];
  },
  vjp: (n, [dy]) => [scatterAddRows(dy!, n.inputs[1]!, n.inputs[0]!.shape[0]!), null],
};

const SCATTER_ADD_ROWS: OpDef<{ rows: number }> = {
  type: 'ScatterAddRows',
  infer: ([u, idx], a) => {
    expect('ScatterAddRows', u!.rank === 2 && idx!.rank === 2 && idx!.shape[0] === u!.shape[0] && idx!.shape[1] === 1 && idx!.dtype === 'int64', 'updates [K, C] and int64 indices [K, 1]', `[${u!.shape}] and ${idx!.dtype}[${idx!.shape}]`);
    return [{ shape: [a.rows, u!.shape[1]!], dtype: u!.dtype }];
  },
  emit: (e, n) => {
    const zeros = e.tmp('zeros');
    e.node('Expand', [e.constant('float32', [], [0]), e.ints([n.attrs.rows, n.inputs[0]!.shape[1]!])], [zeros]);
    e.node('ScatterND', [zeros, e.name(n.inputs[1]!), e.name(n.inputs[0]!)], [e.out(n)], { reduction: { s: 'add' } });
  },
  ref: ([u, idx], a) => {
    const C = u!.shape[1]!;
    const out = new Float64Array(a.rows * C);
    idx!.data.forEach((r, k) => {
      for (let c = 0; c < C; c++) out[r * C + c]! += u!.data[k * C + c]!;
    });
    return [ndarray([a.rows, C], out, u!.dtype)];
  },
  vjp: (n, [g]) => [gatherRows(g!, n.inputs[1]!), null],
};

/** Rows of x [R, C] at int64 indices [K, 1] (ONNX GatherND): [K, C]. @example gatherRows(pixels, idx) */
export function gatherRows(x: E.Tensor, indices: E.Tensor): E.Tensor {
  return apply1(GATHER_ROWS, [x, indices], {});
}

/** Adds rows of updates [K, C] into zeros [rows, C] at int64 indices [K, 1] (ONNX ScatterND, reduction add). */
export function scatterAddRows(updates: E.Tensor, indices: E.Tensor, rows: number): E.Tensor {
  return apply1(SCATTER_ADD_ROWS, [updates, indices], { rows });
}

/**
 * Bilinear sampling of x [N, C, H, W] at grid [N, Ho, Wo, 2] with zeros outside and align_corners=False,
 * written as one gather of channels-last pixel rows at the four corners; the reference path of `warpBilinear`
 * and the source of its gradients.
 * @example warpBilinearByGather(images, grid) // [N, C, Ho, Wo]
 */
export function warpBilinearByGather(x: E.Tensor, grid: E.Tensor): E.Tensor {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [, HO, WO] = grid.shape as [number, number, number];
  const L = HO * WO;
  const coord = (axis: number, n: number) => {
    const g = E.squeeze(E.slice(grid, [{ axis: 3, start: axis, end: axis + 1 }]), [3]); // [N, Ho, Wo]
    return E.reshape(E.mul(E.sub(E.mul(E.add(g, 1), n), 1), 0.5), [N, L]); // pixel coordinate, align_corners=False
  };
  const ix = coord(0, W);
  const iy = coord(1, H);
  const x0 = E.floor(ix);
  const y0 = E.floor(iy);
  const fx = E.sub(ix, x0);
  const fy = E.sub(iy, y0);
  const base = E.constant(Array.from({ length: N }, (_, n) => n * H * W), [N, 1]); // first row of each image
  const index: E.Tensor[] = [];
  const weight: E.Tensor[] = [];
  for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
    const xc = E.add(x0, dx);
    const yc = E.add(y0, dy);
    const inside = E.and(E.and(E.greaterEqual(xc, 0), E.lessEqual(xc, W - 1)), E.and(E.greaterEqual(yc, 0), E.lessEqual(yc, H - 1)));
    index.push(E.add(E.add(E.mul(E.clip(yc, 0, H - 1), W), E.clip(xc, 0, W - 1)), base)); // [N, L]
    weight.push(E.mul(E.mul(dx ? fx : E.sub(1, fx), dy ? fy : E.sub(1, fy)), E.cast(inside, 'float32')));
  }
  const idx = E.reshape(E.cast(E.concat(index, 1), 'int64'), [N * 4 * L, 1]); // [N*4L, 1]: image n, corner, point
  const rows = E.reshape(E.transpose(x, [0, 2, 3, 1]), [N * H * W, C]); // channels-last pixels
  const vals = E.mul(gatherRows(rows, idx), E.reshape(E.concat(weight, 1), [N * 4 * L, 1])); // [N*4L, C]
  const y = E.sum(E.reshape(vals, [N, 4, L, C]), 1); // [N, L, C]
  return E.transpose(E.reshape(y, [N, HO, WO, C]), [0, 3, 1, 2]);
}

const WARP: OpDef<{}> = {
  type: 'WarpBilinear',
  infer: ([x, grid]) => {
    expect('WarpBilinear', x!.rank === 4 && grid!.rank === 4 && grid!.shape[3] === 2 && grid!.shape[0] === x!.shape[0], 'x [N,C,H,W] and grid [N,Ho,Wo,2]', `[${x!.shape}] and [${grid!.shape}]`);
    return [{ shape: [x!.shape[0]!, x!.shape[1]!, grid!.shape[1]!, grid!.shape[2]!], dtype: 'float32' }];
  },
  emit: (e, n) =>
    e.node('GridSample', [e.name(n.inputs[0]!), e.name(n.inputs[1]!)], [e.out(n)], { mode: { s: 'bilinear' }, padding_mode: { s: 'zeros' }, align_corners: { i: 0 } }),
  ref: ([x, grid]) => {
    const xi = E.input('x', x!.shape);
    const gi = E.input('grid', grid!.shape);
    return E.evaluate([warpBilinearByGather(xi, gi)], { x: x!, grid: grid! }) as NDArray[];
  },
  vjp: (n, [dy], needs) => {
    const [x, grid] = n.inputs as [E.Tensor, E.Tensor];
    const wrt = [x, grid].filter((_, i) => needs[i]);
    const gs = E.backprop([warpBilinearByGather(x, grid)], [dy!], wrt);
    return [needs[0] ? gs.shift()! : null, needs[1] ? gs.shift()! : null];
  },
};

/**
 * torch grid_sample(x, grid, 'bilinear', 'zeros', align_corners=False) on onnxruntime's GridSample, with a
 * cheaper gradient to x than E.gridSample's.
 * @example const y = warpBilinear(images, affineGrid(theta, ho, wo));
 */
export function warpBilinear(x: E.Tensor, grid: E.Tensor): E.Tensor {
  return apply1(WARP, [x, grid], {});
}
