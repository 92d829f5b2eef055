// The loss terms against values computed by hand, lazy-regularization intervals and lr/beta correction, and the
// optimizer against torch.optim.Adam's update written out.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { blurFilter, discriminatorLoss, generatorLoss, mixStyles, pathLengthPenalty, pathLengths, r1Penalty } from '../../src/train/loss.js';
import { lazyRegularizationCorrection, NetworkOptimizer, phaseRuns } from '../../src/train/optimizer.js';
import { assertClose } from '../engine/harness.js';

const softplus = (v: number) => Math.log1p(Math.exp(v));
const run = (ys: E.Tensor[], feeds: Record<string, { shape: number[]; data: number[] }>) =>
  E.evaluate(ys, Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, E.ndarray(v.shape, v.data)])));

describe('loss terms', () => {
  test('generator and discriminator logistic losses', () => {
    const logits = [-2, 0, 0.5, 3];
    const fake = E.input('fake', [4, 1]);
    const real = E.input('real', [4, 1]);
    const d = discriminatorLoss(fake, real);
    const [g, df, dr] = run([generatorLoss(fake), d.fake, d.real], { fake: { shape: [4, 1], data: logits }, real: { shape: [4, 1], data: logits } });
    assertClose(g!.data, logits.map((v) => softplus(-v)), 1e-12, 0, 'softplus(-D(G(z)))');
    assertClose(df!.data, logits.map((v) => softplus(v)), 1e-12, 0, 'softplus(D(G(z)))');
    assertClose(dr!.data, logits.map((v) => softplus(-v)), 1e-12, 0, 'softplus(-D(x))');
    assert.ok(Math.abs(softplus(-3) - 0.04858735157374196) < 1e-15);
  });

  test('R1 of a linear D is |w|^2 per sample; of a quadratic D, 4|x|^2', () => {
    const x = E.input('x', [2, 1, 1, 3]); // [N, C, H, W]
    const w = E.constant([1, -2, 0.5], [1, 1, 1, 3]);
    const linear = E.sum(E.mul(x, w), [1, 2, 3]);
    const quadratic = E.sum(E.square(x), [1, 2, 3]);
    const feeds = { x: { shape: [2, 1, 1, 3], data: [1, 2, 3, -1, 0, 2] } };
    const [pl, pq] = run([r1Penalty(linear, x), r1Penalty(quadratic, x)], feeds);
    assertClose(pl!.data, [5.25, 5.25], 1e-12, 0, 'linear');
    assertClose(pq!.data, [4 * 14, 4 * 5], 1e-12, 0, 'quadratic');
  });

  test('path lengths: img = A ws gives |A^T y| averaged over ws; penalty uses the updated running mean', () => {
    const ws = E.input('ws', [1, 2, 2]); // [N, numWs, wDim]
    const img = E.reshape(E.mul(ws, E.constant([1, 2, 3, 4], [1, 2, 2])), [1, 1, 2, 2]); // elementwise A
    const y = E.input('y', [1, 1, 2, 2]);
    const lengths = pathLengths(img, ws, y);
    const { penalty, plMean } = pathLengthPenalty(lengths, E.input('pl_mean', []), 0.01);
    const [l, p, m] = run([lengths, penalty, plMean], { ws: { shape: [1, 2, 2], data: [9, 9, 9, 9] }, y: { shape: [1, 1, 2, 2], data: [1, 1, 1, 1] }, pl_mean: { shape: [], data: [2] } });
    // grad wrt ws = A * y = [1, 2, 3, 4]: sum over wDim of squares: [5, 25], mean over ws 15, sqrt.
    assertClose(l!.data, [Math.sqrt(15)], 1e-12, 0, 'length');
    const a = 2 + (Math.sqrt(15) - 2) * 0.01;
    assertClose(m!.data, [a], 1e-12, 0, 'running mean');
    assertClose(p!.data, [(Math.sqrt(15) - a) ** 2], 1e-12, 0, 'penalty');
  });

  test('style mixing mask replaces ws from the cutoff on', () => {
    const a = E.input('a', [1, 3, 1]);
    const b = E.input('b', [1, 3, 1]);
    const mask = E.input('m', [1, 3, 1]);
    const [y] = run([mixStyles(a, b, mask)], { a: { shape: [1, 3, 1], data: [1, 2, 3] }, b: { shape: [1, 3, 1], data: [7, 8, 9] }, m: { shape: [1, 3, 1], data: [0, 1, 1] } });
    assert.deepEqual(Array.from(y!.data), [1, 8, 9]);
  });

  test('blur filter: normalised exp2(-(x/sigma)^2) over floor(3 sigma) taps, identity below 1/3', () => {
    const f = blurFilter(1, 7);
    const raw = [-3, -2, -1, 0, 1, 2, 3].map((i) => 2 ** -(i * i));
    const s = raw.reduce((a, b) => a + b, 0);
    assertClose(f, raw.map((v) => v / s), 1e-7, 0, 'sigma 1');
    assert.deepEqual(Array.from(blurFilter(0.2, 5)), [0, 0, 1, 0, 0]);
    assertClose([blurFilter(10, 61).reduce((a, b) => a + b, 0)], [1], 1e-6, 0, 'sums to 1');
  });
});

describe('lazy regularization', () => {
  test('phases run every interval steps from step 0', () => {
    const steps = Array.from({ length: 33 }, (_, k) => k);
    assert.deepEqual(steps.filter((k) => phaseRuns(4, k)), [0, 4, 8, 12, 16, 20, 24, 28, 32]);
    assert.deepEqual(steps.filter((k) => phaseRuns(16, k)), [0, 16, 32]);
    assert.equal(steps.filter((k) => phaseRuns(null, k)).length, 0);
  });

  test('lr * c and beta ** c with c = interval / (interval + 1)', () => {
    const g = lazyRegularizationCorrection(0.002, [0, 0.99], 4);
    assert.ok(Math.abs(g.lr - 0.0016) < 1e-15);
    assert.deepEqual(g.betas, [0, 0.99 ** 0.8]);
    const d = lazyRegularizationCorrection(0.0025, [0.5, 0.99], 16);
    assert.ok(Math.abs(d.lr - (0.0025 * 16) / 17) < 1e-15);
    assert.deepEqual(d.betas, [0.5 ** (16 / 17), 0.99 ** (16 / 17)]);
    assert.deepEqual(lazyRegularizationCorrection(0.002, [0, 0.99], null), { lr: 0.002, betas: [0, 0.99] });
  });

  test('Adam: torch update with per-parameter steps; parameters without a gradient stay put', () => {
    const a = new E.Parameter('a', [2], Float32Array.of(1, -1));
    const b = new E.Parameter('b', [1], Float32Array.of(5));
    const opt = new NetworkOptimizer([a, b], { lr: 0.1, betas: [0.5, 0.9], eps: 1e-8, regInterval: null });
    opt.step(new Map([['a', Float32Array.of(2, NaN)]]));
    // t=1: m = 0.5 g, v = 0.1 g^2; step = lr / (1 - 0.5) * m / (sqrt(v) / sqrt(1 - 0.9) + eps) = 0.1 * sign(g).
    assertClose(a.data, [1 - 0.1 * (2 / (2 + 1e-8)), -1], 1e-7, 0, 'a after one step (NaN gradient read as 0)');
    assert.deepEqual(Array.from(b.data), [5]);
    assert.equal(opt.steps('a'), 1);
    assert.equal(opt.steps('b'), 0);
    opt.step(new Map([['a', Float32Array.of(1, 0)], ['b', Float32Array.of(-3)]]));
    const m = 0.5 * 0.5 * 2 + 0.5 * 1;
    const v = 0.9 * 0.1 * 4 + 0.1 * 1;
    const expected = 1 - 0.1 * (2 / (2 + 1e-8)) - ((0.1 / (1 - 0.25)) * m) / (Math.sqrt(v) / Math.sqrt(1 - 0.81) + 1e-8);
    assertClose([a.data[0]!], [expected], 1e-6, 0, 'a after two steps');
    assertClose(b.data, [5 + 0.1], 1e-6, 0, 'b after its first step');
  });
});
