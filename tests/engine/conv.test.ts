// Convolutions: forward vs reference, gradients (first and second order) vs finite differences.
import { throws } from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { checkForward, checkGrad, makeEngine, type OpCase } from './harness.js';

const engine = makeEngine();
after(() => engine.dispose());

function check(name: string, c: OpCase, order: 1 | 2 = 2): void {
  test(name, async () => {
    await checkForward(engine, c);
    await checkGrad(engine, c, order);
  });
}

describe('conv2d', () => {
  check('x=[1,2,5,5] w=[3,2,3,3] p=1', { build: ([x, w]) => E.conv2d(x!, w!, { padding: 1 }), shapes: [[1, 2, 5, 5], [3, 2, 3, 3]] });
  check('x=[2,2,6,5] w=[2,2,3,3] s=2 p=1', { build: ([x, w]) => E.conv2d(x!, w!, { stride: 2, padding: 1 }), shapes: [[2, 2, 6, 5], [2, 2, 3, 3]] });
  check('x=[1,4,5,6] w=[6,2,3,2] groups=2 p=[top1,left0,bottom2,right1]', {
    build: ([x, w]) => E.conv2d(x!, w!, { groups: 2, padding: [1, 0, 2, 1] }),
    shapes: [[1, 4, 5, 6], [6, 2, 3, 2]],
  });
  check('x=[3,4,7,6] w=[6,2,3,3] groups=2 s=2 p=1 (batch and groups in the filter gradient)', {
    build: ([x, w]) => E.conv2d(x!, w!, { groups: 2, stride: 2, padding: 1 }),
    shapes: [[3, 4, 7, 6], [6, 2, 3, 3]],
  });
  check('x=[1,1,7,7] w=[2,1,3,3] d=2 p=2', { build: ([x, w]) => E.conv2d(x!, w!, { dilation: 2, padding: 2 }), shapes: [[1, 1, 7, 7], [2, 1, 3, 3]] });
  check('x=[1,2,6,6] w=[2,2,3,3] p=-1 (negative padding crops)', { build: ([x, w]) => E.conv2d(x!, w!, { padding: -1 }), shapes: [[1, 2, 6, 6], [2, 2, 3, 3]] });
  check('x=[1,3,4,4] w=[2,3,1,1] 1x1 (emitted as a MatMul)', { build: ([x, w]) => E.conv2d(x!, w!), shapes: [[1, 3, 4, 4], [2, 3, 1, 1]] });
  check('x=[3,5,4,2] w=[4,5,1,1] 1x1, batch 3 (a broadcast MatMul)', { build: ([x, w]) => E.conv2d(x!, w!), shapes: [[3, 5, 4, 2], [4, 5, 1, 1]] });
  check('x=[2,3,3,4] w=[2,3,1,1] 1x1 p=1 (padded: stays a Conv)', { build: ([x, w]) => E.conv2d(x!, w!, { padding: 1 }), shapes: [[2, 3, 3, 4], [2, 3, 1, 1]] });
  check('x=[1,2,7,6] w=[2,2,4,4] s=2 p=[2,1,1,2] (odd remainder)', {
    build: ([x, w]) => E.conv2d(x!, w!, { stride: 2, padding: [2, 1, 1, 2] }),
    shapes: [[1, 2, 7, 6], [2, 2, 4, 4]],
  });
});

describe('conv2d on a padded weight (onnxruntime PadFusion regression)', () => {
  check('w = pad(w0) feeding Conv', { build: ([x, w]) => E.conv2d(x!, E.pad(w!, [[0, 0], [0, 0], [1, 0], [0, 1]]), { padding: 1 }), shapes: [[1, 2, 5, 5], [2, 2, 2, 2]] });
});

describe('convTranspose2d', () => {
  check('x=[1,2,3,3] w=[2,3,3,3] s=2', { build: ([x, w]) => E.convTranspose2d(x!, w!, { stride: 2 }), shapes: [[1, 2, 3, 3], [2, 3, 3, 3]] });
  check('x=[2,4,3,2] w=[4,1,3,3] s=2 p=1 op=1 groups=2', {
    build: ([x, w]) => E.convTranspose2d(x!, w!, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }),
    shapes: [[2, 4, 3, 2], [4, 1, 3, 3]],
  });
  check('x=[1,1,4,4] w=[1,2,2,2] s=1 d=2', { build: ([x, w]) => E.convTranspose2d(x!, w!, { dilation: 2 }), shapes: [[1, 1, 4, 4], [1, 2, 2, 2]] });
});

describe('errors name the op and the shapes', () => {
  test('conv2d channel mismatch', async () => {
    throws(() => E.conv2d(E.input('x', [1, 3, 8, 8]), E.input('w', [4, 2, 3, 3])), /Conv2d: expected w of shape \[O,3,kh,kw\].*got \[4,2,3,3\]/);
    throws(() => E.conv2d(E.input('x', [1, 3, 2, 2]), E.input('w', [4, 3, 5, 5])), /Conv2d: input \[1,3,2,2\] is too small for kernel 5x5/);
    throws(() => E.add(E.input('a', [2, 3]), E.input('b', [4])), /Add: shapes \[2,3\] and \[4\] cannot be broadcast/);
    throws(() => E.matmul(E.input('a', [2, 3]), E.input('b', [4, 5])), /MatMul: expected \[\.\.\., m, k\] x \[\.\.\., k, n\], got \[2,3\] x \[4,5\]/);
    throws(() => E.reshape(E.input('a', [2, 3]), [4, 2]), /Reshape: cannot reshape \[2,3\] \(6 elements\) to \[4,2\]/);
  });
});
