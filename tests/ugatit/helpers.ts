// Shared helpers of the U-GAT-IT tests: fixture arrays and comparisons.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readNpy } from '../../src/io/npy.js';
import { toFloat32 } from '../../src/io/tensor.js';
import { fixture } from '../fixtures.js';

export const FIXTURES = ['ugatit-light-tiny', 'ugatit-full-tiny-legacy'] as const;
export const CKPT = 'fixture_params_0000100.pt';

/** A fixture .npy as float32 with its shape. */
export function npy(dir: string, file: string): { data: Float32Array; shape: number[] } {
  const t = readNpy(readFileSync(fixture(dir, file)));
  return { data: t.dtype === 'uint8' ? Float32Array.from(t.data as Uint8Array) : toFloat32(t), shape: t.shape };
}

/**
 * Asserts equal shapes and |actual - expected| <= atol + rtolOfMax * max|expected| everywhere, naming the worst
 * element (rtolOfMax serves arrays whose magnitude makes an absolute float32 tolerance meaningless).
 */
export function assertNear(actual: { data: ArrayLike<number>; shape: readonly number[] }, expected: { data: ArrayLike<number>; shape: readonly number[] }, atol: number, what: string, rtolOfMax = 0): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  let peak = 0;
  for (let i = 0; i < expected.data.length; i++) peak = Math.max(peak, Math.abs(expected.data[i]!));
  atol += rtolOfMax * peak;
  let worst = 0;
  let at = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const d = Math.abs(actual.data[i]! - expected.data[i]!);
    if (!(d <= worst)) [worst, at] = [d, i];
  }
  assert.ok(worst <= atol, `${what}: |diff| ${worst} at ${at} (got ${actual.data[at]}, expected ${expected.data[at]}) exceeds ${atol}`);
}
