// The drag graph (fast path: features resized only in windows around the points) against the plain
// TypeScript reference (full resize, pixel lists), and hand-made feature maps where the answer is known.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { createEngine } from '../../src/node.js';
import { featureBoxes, pixelRadii, pyRound, resizeMatrix, torchLinspace } from '../../src/drag/features.js';
import { motionLoss } from '../../src/drag/motion-supervision.js';
import { trackPoints } from '../../src/drag/point-tracking.js';
import { diskRef, type FeatureMap, featureAt, motionLossRef, resizeRef, trackRef } from '../../src/drag/reference.js';

const engine = createEngine({ threads: 1 });
after(() => engine.dispose());

/** A seeded uniform generator in [-1, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

function randomMap(C: number, H: number, W: number, seed: number): FeatureMap {
  const r = rng(seed);
  return { C, H, W, data: Float64Array.from({ length: C * H * W }, r) };
}

/** Runs the graph pieces on a feature map: tracked points, motion loss and its gradient w.r.t. the features. */
async function runGraph(f: FeatureMap, h: number, points: number[][], targets: number[][], refs: Float64Array[], R1: number, R2: number) {
  const P = points.length;
  const feat = E.input('feat', [1, f.C, f.H, f.W]);
  const p = E.input('p', [P, 2]);
  const t = E.input('t', [P, 2]);
  const r = E.input('r', [P, f.C]);
  const tracked = trackPoints(feat, p, r, R2, h, h);
  const loss = motionLoss(feat, p, t, R1, h, h);
  const [g] = E.grad(loss, [feat]);
  const box = featureBoxes(feat, E.sub(E.squeeze(E.slice(p, [{ axis: 1, start: 0, end: 1 }]), [1]), 1), E.sub(E.squeeze(E.slice(p, [{ axis: 1, start: 1, end: 2 }]), [1]), 1), 3, h, h);
  const prog = await engine.compile({ tracked, loss, g: g!, box });
  const out = await prog.run({ feat: Float32Array.from(f.data), p: points.flat(), t: targets.flat(), r: refs.flatMap((x) => Array.from(x)) });
  await prog.dispose();
  return out;
}

describe('drag graph vs reference', () => {
  test('python round, torch linspace, resize matrix rows sum to 1', () => {
    assert.deepEqual([0.5, 0.75, 1.5, 2.5, 3.5, 6, 12].map(pyRound), [0, 1, 2, 2, 4, 6, 12]);
    assert.deepEqual(pixelRadii(256, 3, 12), { R1: 2, R2: 6 });
    const X = torchLinspace(0, 128, 128);
    assert.equal(X[0], 0);
    assert.equal(X[127], 128);
    assert.ok(Math.abs(X[51]! - (51 * 128) / 127) < 1e-5);
    const m = resizeMatrix(4, 16);
    for (let y = 0; y < 16; y++) assert.ok(Math.abs(m.subarray(y * 4, y * 4 + 4).reduce((a, b) => a + b, 0) - 1) < 1e-6);
  });

  test('ArgMin: ONNX Runtime (fast path) equals the reference, first index on ties', async () => {
    const x = E.input('x', [3, 5]);
    const values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, -5, 8, 9, -7, -7];
    const prog = await engine.compile({ i: E.cast(E.argmin(x, 1), 'float32'), j: E.cast(E.argmin(x, 0), 'float32') });
    const out = await prog.run({ x: values });
    await prog.dispose();
    const [ri, rj] = E.evaluate([E.argmin(x, 1), E.argmin(x, 0)], { x: E.ndarray([3, 5], values) });
    assert.deepEqual(Array.from(out.i!.data), [1, 1, 3]);
    assert.deepEqual(Array.from(ri!.data), [1, 1, 3]);
    assert.deepEqual(Array.from(out.j!.data), Array.from(rj!.data));
  });

  for (const [hs, h] of [[32, 32], [16, 32], [8, 32]] as const) {
    test(`features ${hs} resized to ${h}: windows, tracking, motion loss and its gradient`, async () => {
      const f = randomMap(5, hs, hs, hs);
      const big = resizeRef(f, h, h);
      const R1 = 2;
      const R2 = 4;
      // Points near the border too: windows are clipped there. (Not on the last two rows or columns, which an
      // upsampling makes equal: an L1 term at an exact tie has a sign set by rounding.)
      const points = [[10, 12], [3, 27], [28, 4]];
      const targets = [[10, 20], [5, 24], [24, 4]];
      // References: features at other pixels, so tracking has to move.
      const refs = [featureAt(big, 12, 9), featureAt(big, 0, 29), featureAt(big, 31, 2)];
      const out = await runGraph(f, h, points, targets, refs, R1, R2);
      const want = points.map((p, j) => trackRef(big, p as [number, number], refs[j]!, R2));
      assert.deepEqual(Array.from(out.tracked!.data), want.flat());
      // Feature boxes are the resized map's pixels (zeros outside).
      const box = out.box!.data;
      for (let k = 0; k < 3; k++) {
        const [r0, c0] = [points[k]![0]! - 1, points[k]![1]! - 1];
        for (let c = 0; c < f.C; c++)
          for (let i = 0; i < 3; i++)
            for (let j = 0; j < 3; j++) {
              const [y, x] = [r0 + i, c0 + j];
              const v = y < 0 || y >= h || x < 0 || x >= h ? 0 : big.data[(c * h + y) * h + x]!;
              assert.ok(Math.abs(box[((k * f.C + c) * 3 + i) * 3 + j]! - v) < 1e-5);
            }
      }
      const ref = motionLossRef(big, points as [number, number][], targets as [number, number][], R1);
      assert.ok(Math.abs(out.loss!.data[0]! - ref.loss) < 1e-5, `loss ${out.loss!.data[0]} vs ${ref.loss}`);
      // Gradient w.r.t. the low-resolution features: the reference gradient pulled back through the resize.
      const Ry = resizeMatrix(hs, h);
      for (let c = 0; c < f.C; c++)
        for (let a = 0; a < hs; a++)
          for (let b = 0; b < hs; b++) {
            let g = 0;
            for (let y = 0; y < h; y++) for (let x = 0; x < h; x++) g += Ry[y * hs + a]! * Ry[x * hs + b]! * ref.grad[(c * h + y) * h + x]!;
            assert.ok(Math.abs(out.g!.data[(c * hs + a) * hs + b]! - g) < 1e-5, `grad at ${c},${a},${b}: ${out.g!.data[(c * hs + a) * hs + b]} vs ${g}`);
          }
    });
  }
});

describe('hand-made feature maps', () => {
  // Coordinate features: channel 0 = row, channel 1 = column. The nearest feature to (r, c) is pixel (r, c).
  const coords = (H: number, W: number, shift: [number, number] = [0, 0]): FeatureMap => {
    const data = new Float64Array(2 * H * W);
    for (let r = 0; r < H; r++)
      for (let c = 0; c < W; c++) {
        data[r * W + c] = r - shift[0];
        data[H * W + r * W + c] = c - shift[1];
      }
    return { C: 2, H, W, data };
  };

  test('tracking follows content that moved by (2, -3), and stops at the window edge', async () => {
    const f = coords(32, 32, [2, -3]); // the content of pixel (r, c) is now at (r + 2, c - 3)
    const refs = [Float64Array.of(10, 12), Float64Array.of(20, 5)];
    const wide = await runGraph(f, 32, [[10, 12], [20, 5]], [[10, 12], [20, 5]], refs, 1, 3);
    assert.deepEqual(Array.from(wide.tracked!.data), [12, 9, 22, 2]);
    const narrow = await runGraph(f, 32, [[10, 12], [20, 5]], [[10, 12], [20, 5]], refs, 1, 2);
    assert.deepEqual(Array.from(narrow.tracked!.data), [12, 10, 22, 3]); // columns 9 and 2 are outside radius 2: the nearest edge pixel wins
  });

  test('motion supervision on a ramp: loss |slope * d|, gradient on the features one step along d', async () => {
    // f = 0.5 * column: sampling at q + d with d = (0, 1) reads f + 0.5 everywhere, so the loss is 0.5 exactly,
    // and the gradient lands on the pixels q + d: lowering the loss pulls F(q + d) down towards F(q), +1 / n each.
    const f: FeatureMap = { C: 1, H: 16, W: 16, data: Float64Array.from({ length: 256 }, (_, i) => 0.5 * (i % 16)) };
    const out = await runGraph(f, 16, [[8, 8]], [[8, 12]], [Float64Array.of(4)], 2, 2);
    assert.ok(Math.abs(out.loss!.data[0]! - 0.5) < 1e-6);
    const disk = diskRef(16, 16, [8, 8], 2);
    const g = out.g!.data;
    for (const [i, j] of disk) assert.ok(Math.abs(g[i * 16 + j + 1]! - 1 / disk.length) < 1e-6, `gradient at ${i},${j + 1}`);
    assert.equal(Array.from(g).filter((v) => Math.abs(v) > 1e-9).length, disk.length);
  });

  test('no motion term once a point is within one pixel of its target', async () => {
    const f = randomMap(3, 16, 16, 7);
    const out = await runGraph(f, 16, [[5, 5]], [[6, 5]], [featureAt(f, 5, 5)], 2, 2);
    assert.equal(out.loss!.data[0], 0);
  });
});
