// Reductions and data-movement ops: forward vs reference, gradients (first and second order) vs finite differences.
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { checkForward, checkGrad, makeEngine, type OpCase } from './harness.js';

const engine = makeEngine();
after(() => engine.dispose());

async function check(name: string, c: OpCase, order: 1 | 2 = 2): Promise<void> {
  await test(name, async () => {
    await checkForward(engine, c);
    await checkGrad(engine, c, order);
  });
}

describe('reductions', () => {
  for (const [name, f] of [
    ['sum', E.sum],
    ['mean', E.mean],
    ['max', E.max],
    ['l2', E.l2],
  ] as const) {
    check(`${name} x=[2,3,4] axes=[1] keepdims`, { build: ([x]) => f(x!, [1], true), shapes: [[2, 3, 4]] });
    check(`${name} x=[2,3,4] axes=[0,2]`, { build: ([x]) => f(x!, [0, 2]), shapes: [[2, 3, 4]] });
    check(`${name} x=[3,4] all axes`, { build: ([x]) => f(x!), shapes: [[3, 4]] });
  }
  check('sumToShape [2,3,4] -> [3,1]', { build: ([x]) => E.sumToShape(x!, [3, 1]), shapes: [[2, 3, 4]] });
});

describe('shape ops', () => {
  check('reshape [2,3,4] -> [4,-1]', { build: ([x]) => E.reshape(x!, [4, -1]), shapes: [[2, 3, 4]] });
  check('transpose [2,3,4] perm=[2,0,1]', { build: ([x]) => E.transpose(x!, [2, 0, 1]), shapes: [[2, 3, 4]] });
  check('expand [3,1] -> [2,3,4]', { build: ([x]) => E.expand(x!, [2, 3, 4]), shapes: [[3, 1]] });
  check('slice [5,6] rows 1:4 cols ::2', { build: ([x]) => E.slice(x!, [{ axis: 0, start: 1, end: 4 }, { axis: 1, step: 2 }]), shapes: [[5, 6]] });
  check('slice [7] 5:0:-2 (negative step)', { build: ([x]) => E.slice(x!, [{ axis: 0, start: 5, end: 0, step: -2 }]), shapes: [[7]] });
  check('slice [6,5] -1::-3 and 1:-1', { build: ([x]) => E.slice(x!, [{ axis: 0, start: -1, step: -3 }, { axis: 1, start: 1, end: -1 }]), shapes: [[6, 5]] });
  check('flip [2,3,4] axes=[1,2]', { build: ([x]) => E.flip(x!, [1, 2]), shapes: [[2, 3, 4]] });
  check('concat [2,3]+[2,1]+[2,2] axis=1', { build: ([a, b, c]) => E.concat([a!, b!, c!], 1), shapes: [[2, 3], [2, 1], [2, 2]] });
  check('stack [2,3]x2 axis=0', { build: ([a, b]) => E.stack([a!, b!], 0), shapes: [[2, 3], [2, 3]] });
  check('tile [2,3] reps=[2,3]', { build: ([x]) => E.tile(x!, [2, 3]), shapes: [[2, 3]] });
  check('pad constant [1,2,3,3] pads (1,2),(0,1) value 0.5', { build: ([x]) => E.pad(x!, [[0, 0], [0, 0], [1, 2], [0, 1]], 'constant', 0.5), shapes: [[1, 2, 3, 3]] });
  check('pad reflect [1,2,4,5] pads (2,1),(1,3)', { build: ([x]) => E.pad(x!, [[0, 0], [0, 0], [2, 1], [1, 3]], 'reflect'), shapes: [[1, 2, 4, 5]] });
  check('pad negative (crop) [1,1,5,5] pads (-1,2),(1,-2)', { build: ([x]) => E.pad(x!, [[0, 0], [0, 0], [-1, 2], [1, -2]]), shapes: [[1, 1, 5, 5]] });
  check('squeeze/unsqueeze [2,1,3]', { build: ([x]) => E.unsqueeze(E.squeeze(x!), 2), shapes: [[2, 1, 3]] });
  check('depthToSpace DCR [1,8,2,3] b=2', { build: ([x]) => E.depthToSpace(x!, 2), shapes: [[1, 8, 2, 3]] });
  check('depthToSpace CRD [1,8,2,3] b=2', { build: ([x]) => E.depthToSpace(x!, 2, 'CRD'), shapes: [[1, 8, 2, 3]] });
  check('spaceToDepth [2,2,4,6] b=2', { build: ([x]) => E.spaceToDepth(x!, 2), shapes: [[2, 2, 4, 6]] });
});

describe('indexing', () => {
  check('gather [4,3] indices [2,0,2] axis 0 (repeated index)', { build: ([x]) => E.gather(x!, [2, 0, 2], 0), shapes: [[4, 3]] });
  check('gather [2,5,3] indices [[1,4],[0,-1]] axis 1', {
    build: ([x, i]) => E.gather(x!, i!, 1),
    shapes: [[2, 5, 3], [2, 2]],
    dtypes: ['float32', 'int64'],
    values: [undefined, E.ndarray([2, 2], [1, 4, 0, -1], 'int64')],
  });
  check('gatherElements [2,4] axis 1', {
    build: ([x, i]) => E.gatherElements(x!, i!, 1),
    shapes: [[2, 4], [2, 3]],
    dtypes: ['float32', 'int64'],
    values: [undefined, E.ndarray([2, 3], [3, 0, 3, 1, 1, 2], 'int64')],
  });
  check('scatterAddElements [2,3] into [2,4] axis 1', {
    build: ([u, i]) => E.scatterAddElements(u!, i!, 1, [2, 4]),
    shapes: [[2, 3], [2, 3]],
    dtypes: ['float32', 'int64'],
    values: [undefined, E.ndarray([2, 3], [3, 0, 3, 1, 1, 2], 'int64')],
  });
});

describe('linear algebra', () => {
  check('matmul [2,3]x[3,4]', { build: ([a, b]) => E.matmul(a!, b!), shapes: [[2, 3], [3, 4]] });
  check('matmul batched broadcast [2,1,2,3]x[3,3,2]', { build: ([a, b]) => E.matmul(a!, b!), shapes: [[2, 1, 2, 3], [3, 3, 2]] });
  check('linear x=[2,3] w=[4,3] b=[4]', { build: ([x, w, b]) => E.linear(x!, w!, b!), shapes: [[2, 3], [4, 3], [4]] });
});
