// Bilinear sampling (torch.nn.functional.grid_sample, zeros padding) and stop-gradient.
import { fmt } from '../shape.js';
import { apply1, expect, type OpDef, type Tensor } from '../tensor.js';
import { backprop } from '../autodiff.js';
import { add, floor, mul, sub } from './elementwise.js';
import { and, cast, greaterEqual, lessEqual } from './logic.js';
import { clip } from './activation.js';
import { gatherElements } from './gather.js';
import { expand, reshape } from './base.js';
import { slice } from './pad.js';
import { squeeze } from './shape-ops.js';
import { zerosND } from './refutil.js';

interface GridAttrs {
  alignCorners: boolean;
}

/** Pixel coordinate of a normalised grid coordinate in [-1, 1] along an axis of length n. */
function unnormalize(g: number, n: number, alignCorners: boolean): number {
  return alignCorners ? ((g + 1) / 2) * (n - 1) : ((g + 1) * n - 1) / 2;
}

const GRID_SAMPLE: OpDef<GridAttrs> = {
  type: 'GridSample',
  infer: ([x, grid]) => {
    expect('GridSample', x!.rank === 4 && grid!.rank === 4 && grid!.shape[3] === 2 && grid!.shape[0] === x!.shape[0], 'x [N,C,H,W] and grid [N,Ho,Wo,2]', `${fmt(x!.shape)} and ${fmt(grid!.shape)}`);
    return [{ shape: [x!.shape[0]!, x!.shape[1]!, grid!.shape[1]!, grid!.shape[2]!], dtype: 'float32' }];
  },
  emit: (e, n) =>
    e.node('GridSample', [e.name(n.inputs[0]!), e.name(n.inputs[1]!)], [e.out(n)], {
      mode: { s: 'bilinear' },
      padding_mode: { s: 'zeros' },
      align_corners: { i: n.attrs.alignCorners ? 1 : 0 },
    }),
  ref: ([x, grid], a) => {
    const [N, C, H, W] = x!.shape as number[];
    const [, HO, WO] = grid!.shape as number[];
    const out = zerosND([N!, C!, HO!, WO!]);
    for (let n = 0; n < N!; n++)
      for (let p = 0; p < HO! * WO!; p++) {
        const ix = unnormalize(grid!.data[(n * HO! * WO! + p) * 2]!, W!, a.alignCorners);
        const iy = unnormalize(grid!.data[(n * HO! * WO! + p) * 2 + 1]!, H!, a.alignCorners);
        const x0 = Math.floor(ix);
        const y0 = Math.floor(iy);
        for (let c = 0; c < C!; c++) {
          let acc = 0;
          for (const [xc, yc, wt] of [
            [x0, y0, (x0 + 1 - ix) * (y0 + 1 - iy)],
            [x0 + 1, y0, (ix - x0) * (y0 + 1 - iy)],
            [x0, y0 + 1, (x0 + 1 - ix) * (iy - y0)],
            [x0 + 1, y0 + 1, (ix - x0) * (iy - y0)],
          ] as const) {
            if (xc >= 0 && xc < W! && yc >= 0 && yc < H!) acc += wt * x!.data[((n * C! + c) * H! + yc) * W! + xc]!;
          }
          out.data[(n * C! + c) * HO! * WO! + p] = acc;
        }
      }
    return [out];
  },
  // The gradient is that of the same sampling written with gathers (gridSampleByGather), so it can be differentiated again.
  vjp: (n, [dy], needs) => {
    const [x, grid] = n.inputs as [Tensor, Tensor];
    const wrt = [x, grid].filter((_, i) => needs[i]);
    const gs = backprop([gridSampleByGather(x, grid, n.attrs.alignCorners)], [dy!], wrt);
    return [needs[0] ? gs.shift()! : null, needs[1] ? gs.shift()! : null];
  },
};

/**
 * Bilinear sampling of x [N,C,H,W] at grid [N,Ho,Wo,2] (x, y in [-1, 1]), zeros outside, as torch grid_sample.
 * @example gridSample(features, grid, true)
 */
export function gridSample(x: Tensor, grid: Tensor, alignCorners = false): Tensor {
  return apply1(GRID_SAMPLE, [x, grid], { alignCorners });
}

/** The same sampling written with gathers and arithmetic: the reference path and the source of gradients. */
export function gridSampleByGather(x: Tensor, grid: Tensor, alignCorners = false): Tensor {
  const [N, C, H, W] = x.shape as number[];
  const [, HO, WO] = grid.shape as number[];
  const L = HO! * WO!;
  const coord = (axis: number, n: number): Tensor => {
    const g = squeeze(slice(grid, [{ axis: 3, start: axis, end: axis + 1 }]), [3]); // [N, Ho, Wo]
    return alignCorners ? mul(add(g, 1), (n - 1) / 2) : mul(sub(mul(add(g, 1), n), 1), 0.5);
  };
  const ix = coord(0, W!);
  const iy = coord(1, H!);
  const x0 = floor(ix);
  const y0 = floor(iy);
  const fx = sub(ix, x0);
  const fy = sub(iy, y0);
  const flat = reshape(x, [N!, C!, H! * W!]);
  const corner = (xc: Tensor, yc: Tensor, weight: Tensor): Tensor => {
    const inside = and(and(greaterEqual(xc, 0), lessEqual(xc, W! - 1)), and(greaterEqual(yc, 0), lessEqual(yc, H! - 1)));
    const idx = cast(add(mul(clip(yc, 0, H! - 1), W!), clip(xc, 0, W! - 1)), 'int64'); // [N, Ho, Wo]
    const vals = gatherElements(flat, expand(reshape(idx, [N!, 1, L]), [N!, C!, L]), 2); // [N, C, L]
    return mul(vals, reshape(mul(weight, cast(inside, 'float32')), [N!, 1, L]));
  };
  const x1 = add(x0, 1);
  const y1 = add(y0, 1);
  const gx = sub(1, fx);
  const gy = sub(1, fy);
  const y = add(add(corner(x0, y0, mul(gx, gy)), corner(x1, y0, mul(fx, gy))), add(corner(x0, y1, mul(gx, fy)), corner(x1, y1, mul(fx, fy))));
  return reshape(y, [N!, C!, HO!, WO!]);
}

const STOP_GRADIENT: OpDef<{}> = {
  type: 'StopGradient',
  nondiff: true,
  infer: ([x]) => [{ shape: x!.shape, dtype: x!.dtype }],
  emit: (e, n) => e.node('Identity', [e.name(n.inputs[0]!)], [e.out(n)]),
  ref: ([x]) => [x!],
  vjp: () => [null],
};

/** The same values with no gradient, as torch.Tensor.detach. @example detach(features) */
export function detach(x: Tensor): Tensor {
  return apply1(STOP_GRADIENT, [x], {});
}
