// The equivariance metric's image operators against NVlabs stylegan3 metrics/equivariance.py run on PyTorch 1.13
// (tests/metrics/data/equivariance, written by scripts/equivariance-reference.py), and fast paths against references.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  affineBandlimitFilter, fractionalPseudoRotation, fractionalRotation, fractionalRotationRef, fractionalTranslation, type Images,
  integerTranslation, rotationMatrix, type Transformed,
} from '../../src/metrics/equivariance-ops.js';
import { readNpy } from '../../src/io/npy.js';
import { toFloat32 } from '../../src/io/tensor.js';
import { assertClose } from '../engine/harness.js';
import { repoRoot } from '../fixtures.js';

const DATA = join(repoRoot, 'tests', 'metrics', 'data', 'equivariance');
const ref = JSON.parse(readFileSync(join(DATA, 'reference.json'), 'utf8')) as { cases: Record<string, { tx?: number; ty?: number; angle?: number }> };
const npy = (name: string) => toFloat32(readNpy(readFileSync(join(DATA, `${name}.npy`))));
const x: Images = { data: npy('x'), n: 2, c: 3, h: 16, w: 20 };

/** Compares an operator's output with the official one: values within atol where the official mask is 1, and the mask exactly. */
function check(name: string, got: Transformed, atol: number): void {
  const mask = npy(`${name}_m`);
  assert.deepEqual(Array.from(got.mask), Array.from(mask), `${name}: mask`);
  assertClose(got.z, npy(`${name}_z`), atol, 0, `${name}: values`);
}

test('integer translation equals the official (rounding halves to even, shifts beyond the image give an empty mask)', () => {
  for (const name of ['int_a', 'int_b', 'int_far']) {
    const { tx, ty } = ref.cases[name]!;
    check(name, integerTranslation(x, tx!, ty!), 0);
  }
});

test('fractional translation (Lanczos-3) equals the official within 1e-5', () => {
  for (const name of ['frac_a', 'frac_b']) {
    const { tx, ty } = ref.cases[name]!;
    check(name, fractionalTranslation(x, tx!, ty!), 1e-5);
  }
});

test('band-limiting filters equal the official (FFT in float32) within 1e-6: 47x47 for rotation (up 4), 11x11 for the pseudo-rotation', () => {
  const up4 = affineBandlimitFilter(rotationMatrix(0.3), { a: 3, amax: 6, up: 4 });
  assert.equal(up4.size, 47);
  assertClose(up4.data, npy('filter_up4'), 1e-6, 0, 'up 4');
  const up1 = affineBandlimitFilter(rotationMatrix(-0.7), { a: 3, amax: 6, up: 1 });
  assert.equal(up1.size, 11);
  assertClose(up1.data, npy('filter_up1'), 1e-6, 0, 'up 1');
});

test('band-limiting filter: the separable circular convolution equals the direct sum over every tap pair', () => {
  for (const angle of [0.4, -2]) {
    const o = { a: 2, amax: 3, aflt: 5, up: 2 };
    const fast = affineBandlimitFilter(rotationMatrix(angle), o);
    const direct = affineBandlimitFilter(rotationMatrix(angle), { ...o, fast: false });
    assertClose(fast.data, direct.data, 1e-12, 1e-9, `angle ${angle}`);
  }
});

test('rotation and pseudo-rotation equal the official within 2e-5; the sparse rotation equals the dense reference', () => {
  for (const name of ['rot_a', 'rot_b']) {
    const { angle } = ref.cases[name]!;
    const fast = fractionalRotation(x, angle!);
    check(name, fast, 2e-5);
    const dense = fractionalRotationRef(x, angle!);
    assertClose(fast.z, dense.z, 1e-12, 1e-9, `${name}: sparse vs dense`);
    assert.deepEqual(fast.mask, dense.mask);
    check(`pseudo_${name}`, fractionalPseudoRotation(x, angle!), 2e-5);
  }
});
