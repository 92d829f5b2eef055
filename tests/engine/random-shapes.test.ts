// Gradient rules on randomly drawn shapes and attributes (seeded): broadcasting, reductions, slicing,
// padding, convolutions with random stride/padding/dilation/groups. First order everywhere, second order on a subset.
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { awayFromZero, checkForward, checkGrad, makeEngine, rng, uniform } from './harness.js';

const engine = makeEngine();
after(() => engine.dispose());
const r = rng(2024);
const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const shape = (rank: number, lo = 1, hi = 4) => Array.from({ length: rank }, () => int(lo, hi));

describe('random broadcasting', () => {
  for (let k = 0; k < 6; k++) {
    const out = shape(int(1, 4));
    // Each operand drops leading axes and sets some axes to 1.
    const operand = () => out.slice(int(0, out.length - 1)).map((d) => (r() < 0.4 ? 1 : d));
    const [a, b] = [operand(), operand()];
    const op = [E.add, E.sub, E.mul, E.div][k % 4]!;
    test(`${['add', 'sub', 'mul', 'div'][k % 4]} [${a}] x [${b}]`, async () => {
      const c = { build: ([x, y]: E.Tensor[]) => op(x!, y!), shapes: [a, b], gens: [undefined, awayFromZero(0.5, 2)], seed: k };
      await checkForward(engine, c);
      await checkGrad(engine, c, k < 3 ? 2 : 1);
    });
  }
});

describe('random reductions and slices', () => {
  for (let k = 0; k < 6; k++) {
    const s = shape(int(2, 4), 2, 5);
    const axes = s.map((_, i) => i).filter(() => r() < 0.5);
    const keep = r() < 0.5;
    const reduce = [E.sum, E.mean, E.max, E.l2][k % 4]!;
    test(`${['sum', 'mean', 'max', 'l2'][k % 4]} x=[${s}] axes=[${axes}] keepdims=${keep}`, async () => {
      const c = { build: ([x]: E.Tensor[]) => reduce(x!, axes.length ? axes : undefined, keep), shapes: [s], gens: [uniform(0.1, 1)], seed: 10 + k };
      await checkForward(engine, c);
      await checkGrad(engine, c, k < 2 ? 2 : 1);
    });
    const specs = s.map((d, axis) => {
      const step = r() < 0.3 ? -int(1, 2) : int(1, 2);
      return { axis, start: int(-d, d - 1), end: r() < 0.3 ? undefined : int(-d, d), step };
    }).filter(() => r() < 0.7);
    test(`slice x=[${s}] ${JSON.stringify(specs)}`, async () => {
      const c = { build: ([x]: E.Tensor[]) => E.add(E.slice(x!, specs), 0), shapes: [s], seed: 20 + k };
      let empty = false;
      try {
        empty = E.slice(E.input('t', s), specs).size === 0;
      } catch {
        empty = true;
      }
      if (empty) return;
      await checkForward(engine, c);
      await checkGrad(engine, c, 1);
    });
  }
  for (let k = 0; k < 3; k++) {
    const s = [1, int(1, 2), int(3, 5), int(3, 5)];
    const pads = s.map((d, i) => (i < 2 ? [0, 0] : [int(0, d - 1), int(0, d - 1)]) as [number, number]);
    test(`pad reflect x=[${s}] pads=${JSON.stringify(pads)}`, async () => {
      const c = { build: ([x]: E.Tensor[]) => E.pad(x!, pads, 'reflect'), shapes: [s], seed: 30 + k };
      await checkForward(engine, c);
      await checkGrad(engine, c, 2);
    });
  }
});

describe('random convolutions', () => {
  for (let k = 0; k < 8; k++) {
    const groups = int(1, 2);
    const cin = groups * int(1, 2);
    const cout = groups * int(1, 2);
    const kh = int(1, 3);
    const kw = int(1, 3);
    const stride = int(1, 2);
    const dilation = int(1, 2);
    const pad = [int(-1, 2), int(-1, 2), int(-1, 2), int(-1, 2)] as [number, number, number, number];
    const h = int(kh * dilation + 2, 7);
    const w = int(kw * dilation + 2, 7);
    const transposed = k % 4 === 3;
    const name = transposed
      ? `convTranspose2d x=[1,${cin},${h},${w}] w=[${cin},${cout / groups},${kh},${kw}] s=${stride} d=${dilation} g=${groups}`
      : `conv2d x=[2,${cin},${h},${w}] w=[${cout},${cin / groups},${kh},${kw}] s=${stride} d=${dilation} p=[${pad}] g=${groups}`;
    test(name, async () => {
      const c = transposed
        ? {
            build: ([x, f]: E.Tensor[]) => E.convTranspose2d(x!, f!, { stride, dilation, groups, padding: pad.map((p) => Math.max(p, 0)) as typeof pad, outputPadding: stride > 1 ? int(0, stride - 1) : 0 }),
            shapes: [[1, cin, h, w], [cin, cout / groups, kh, kw]],
            seed: 40 + k,
          }
        : { build: ([x, f]: E.Tensor[]) => E.conv2d(x!, f!, { stride, dilation, groups, padding: pad }), shapes: [[2, cin, h, w], [cout, cin / groups, kh, kw]], seed: 40 + k };
      await checkForward(engine, c);
      await checkGrad(engine, c, k < 3 ? 2 : 1);
    });
  }
});
