// Adam: the TypeScript update against torch.optim.Adam's formula, the in-graph update against the TypeScript one,
// a small regression that converges, and gradient accumulation.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { assertClose, makeEngine, rng } from './harness.js';

const engine = makeEngine();
after(() => engine.dispose());

describe('Adam', () => {
  test('one parameter, three steps, matches the torch.optim.Adam recurrence computed by hand', () => {
    const p = new E.Parameter('p', [2], Float32Array.from([1, -2]));
    const opt = new E.Adam([p], { lr: 0.1, betas: [0.5, 0.9], eps: 1e-8, weightDecay: 0.01 });
    const grads = [[0.5, -1], [0.25, 2], [-1, 0.5]];
    // Hand-computed in float64, as torch does per element.
    let w = [1, -2];
    let m = [0, 0];
    let v = [0, 0];
    grads.forEach((g, t) => {
      const gg = g.map((gi, i) => gi + 0.01 * w[i]!);
      m = m.map((mi, i) => 0.5 * mi + 0.5 * gg[i]!);
      v = v.map((vi, i) => 0.9 * vi + 0.1 * gg[i]! ** 2);
      const bc1 = 1 - 0.5 ** (t + 1);
      const bc2 = 1 - 0.9 ** (t + 1);
      w = w.map((wi, i) => wi - (0.1 / bc1) * (m[i]! / (Math.sqrt(v[i]!) / Math.sqrt(bc2) + 1e-8)));
      opt.step([Float32Array.from(g)]);
    });
    assertClose(p.data, w, 1e-6, 1e-6, 'Adam parameters');
    assert.equal(opt.steps, 3);
  });

  test('the in-graph update equals the TypeScript update', async () => {
    const r = rng(11);
    const init = Float32Array.from({ length: 6 }, () => r() - 0.5);
    const grads = [0, 1, 2].map(() => Float32Array.from({ length: 6 }, () => r() - 0.5));
    const opts = E.validateAdamOptions({ lr: 0.01, betas: [0, 0.99], eps: 1e-8, weightDecay: 0.1 });
    const ts = new E.Parameter('p', [6], init.slice());
    const opt = new E.Adam([ts], opts);
    const s = { param: E.input('p', [6]), grad: E.input('g', [6]), m: E.input('m0', [6]), v: E.input('v0', [6]) };
    const next = E.adamGraphStep(s, opts, E.input('stepSize', []), E.input('bc2', []));
    const prog = await engine.compile(next);
    let state: Record<'p' | 'm' | 'v', Float32Array> = { p: init.slice(), m: new Float32Array(6), v: new Float32Array(6) };
    for (const [t, g] of grads.entries()) {
      opt.step([g]);
      const { stepSize, bc2Sqrt } = E.adamScalars(opts, t + 1);
      const out = await prog.run({ p: state.p, g, m0: state.m, v0: state.v, stepSize: [stepSize], bc2: [bc2Sqrt] });
      state = { p: out.param!.data, m: out.m!.data, v: out.v!.data };
    }
    assertClose(state.p, ts.data, 1e-6, 1e-5, 'in-graph vs TypeScript Adam');
    await prog.dispose();
  });

  test('fits a linear regression with gradients from the graph', async () => {
    const r = rng(2);
    const w = new E.Parameter('w', [1, 3], new Float32Array(3));
    const x = E.input('x', [8, 3]);
    const target = E.input('t', [8, 1]);
    const loss = E.mean(E.square(E.sub(E.linear(x, w.tensor), target)));
    const [gw] = E.grad(loss, [w.tensor]);
    const prog = await engine.compile({ loss, gw: gw! }, 'inputs');
    const trueW = [0.5, -1, 2];
    const xv = Float32Array.from({ length: 24 }, () => r() * 2 - 1);
    const tv = Float32Array.from({ length: 8 }, (_, i) => trueW.reduce((s, wj, j) => s + wj * xv[i * 3 + j]!, 0));
    const opt = new E.Adam([w], { lr: 0.05 });
    let last = Infinity;
    for (let i = 0; i < 300; i++) {
      const out = await prog.run({ x: xv, t: tv });
      last = out.loss!.data[0]!;
      opt.step([out.gw!.data]);
    }
    assert.ok(last < 1e-4, `loss ${last}`);
    assertClose(w.data, trueW, 2e-2, 0, 'fitted weights');
    await prog.dispose();
  });

  test('rejects bad options', () => {
    assert.throws(() => new E.Adam([], { lr: 0 }), /Adam: lr must be positive, got 0/);
    assert.throws(() => new E.Adam([], { lr: 1, betas: [1, 0.9] }), /betas must be in \[0, 1\)/);
  });
});

describe('gradient accumulation', () => {
  test('mean of micro-batch gradients equals the full-batch gradient', async () => {
    const w = new E.Parameter('w', [1, 2], Float32Array.from([0.3, -0.7]));
    const x = E.input('x', [2, 2]);
    const [gw] = E.grad(E.mean(E.square(E.linear(x, w.tensor))), [w.tensor]);
    const full = E.input('xf', [4, 2]);
    const [gf] = E.grad(E.mean(E.square(E.linear(full, w.tensor))), [w.tensor]);
    const micro = await engine.compile({ gw: gw! });
    const whole = await engine.compile({ gf: gf! });
    const data = Float32Array.from([1, 2, -1, 0.5, 0.3, -2, 1.5, 1]);
    const acc = new E.GradAccumulator([2]);
    acc.add([(await micro.run({ x: data.subarray(0, 4) })).gw!.data]);
    acc.add([(await micro.run({ x: data.subarray(4) })).gw!.data]);
    assert.equal(acc.microBatches, 2);
    assertClose(acc.mean()[0]!, (await whole.run({ xf: data })).gf!.data, 1e-6, 1e-5, 'accumulated gradient');
    acc.reset();
    assert.deepEqual(Array.from(acc.total()[0]!), [0, 0]);
    await micro.dispose();
    await whole.dispose();
  });
});
