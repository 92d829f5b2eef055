// PIL's resize (LANCZOS and BILINEAR) and the projector's centre crop against Pillow 9.4's own output
// (tests/project/data, written by scripts/pil-resize-reference.py), and the fixed-point path against its float reference.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { centerCropSquare, type ImageU8, resizePil, resizePilRef } from '../../src/data/pil-resize.js';
import { readNpy } from '../../src/io/npy.js';
import { repoRoot } from '../fixtures.js';

const DATA = join(repoRoot, 'tests', 'project', 'data');
const npyU8 = (name: string) => {
  const t = readNpy(readFileSync(join(DATA, name)));
  assert.equal(t.dtype, 'uint8');
  return { data: Uint8Array.from(t.data as ArrayLike<number>), shape: t.shape };
};
const src = (): ImageU8 => {
  const { data, shape } = npyU8('pil_src.npy'); // [H, W, 3]
  return { data, width: shape[1]!, height: shape[0]!, channels: 3 };
};

for (const filter of ['lanczos', 'bilinear'] as const) {
  test(`PIL ${filter} resize equals Pillow's bytes (shrink, enlarge, mixed)`, () => {
    for (const [w, h] of [[16, 16], [64, 50], [40, 9]] as const) {
      const out = resizePil(src(), w, h, filter);
      const ref = npyU8(`pil_${filter}_${w}x${h}.npy`);
      assert.deepEqual(ref.shape, [h, w, 3]);
      assert.deepEqual(Array.from(out.data), Array.from(ref.data), `${filter} ${w}x${h}`);
    }
  });
}

test('projector target: centre crop to a square then LANCZOS equals Pillow', () => {
  const crop = centerCropSquare(src());
  assert.deepEqual([crop.width, crop.height], [29, 29]);
  // The crop box starts at (37 - 29) // 2 = 4: its first pixel is the source pixel (0, 4).
  assert.deepEqual(Array.from(crop.data.subarray(0, 3)), Array.from(src().data.subarray(12, 15)));
  const out = resizePil(crop, 16, 16, 'lanczos');
  assert.deepEqual(Array.from(out.data), Array.from(npyU8('pil_target_16.npy').data));
});

test('PIL lanczos: the fixed-point path is within one level of its float64 reference; same size is a copy', () => {
  const img = src();
  const fast = resizePil(img, 23, 17, 'lanczos');
  const ref = resizePilRef(img, 23, 17, 'lanczos');
  let worst = 0;
  for (let i = 0; i < fast.data.length; i++) worst = Math.max(worst, Math.abs(fast.data[i]! - ref.data[i]!));
  assert.ok(worst <= 1, `off by ${worst}`);
  assert.deepEqual(resizePil(img, img.width, img.height, 'lanczos').data, img.data);
});
