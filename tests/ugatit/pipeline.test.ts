// The test-phase image pipeline: PNG in, PNG pixels out as UGATIT.py writes them (fixtures *_png_u8.npy),
// and PIL's bilinear resize: the fixed-point path against its float64 reference.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readRgbImage } from '../../src/models/ugatit-files.js';
import { readUgatitParams } from '../../src/models/ugatit-checkpoint.js';
import { camImage, resizeBilinearPil, resizeBilinearPilRef, toModelInput, toOutputImage } from '../../src/models/ugatit-pipeline.js';
import { UgatitModel } from '../../src/models/ugatit.js';
import { createEngine } from '../../src/node.js';
import { rng } from '../engine/harness.js';
import { assertU8Close, fixtureU8 } from '../cli/helpers.js';
import { fixture } from '../fixtures.js';
import { CKPT, FIXTURES } from './helpers.js';

for (const dir of FIXTURES) {
  test(`${dir}: input.png through both generators gives the official uint8 images`, async () => {
    const engine = createEngine({ threads: 1 });
    const model = new UgatitModel(engine, readUgatitParams(readFileSync(fixture(dir, CKPT))));
    const size = model.config.imgSize;
    const x = toModelInput(resizeBilinearPil(await readRgbImage(fixture(dir, 'input.png')), size, size));
    for (const direction of ['A2B', 'B2A'] as const) {
      const { out } = await model.translate(direction, x, 1);
      const img = toOutputImage(out.data, size, size);
      assertU8Close(img.data, fixtureU8(dir, `gen${direction}_png_u8.npy`), `${dir} ${direction}`);
    }
    await model.dispose();
  });
}

const randomImage = (w: number, h: number, seed: number) => {
  const r = rng(seed);
  return { data: Uint8Array.from({ length: w * h * 3 }, () => Math.floor(r() * 256)), width: w, height: h, channels: 3 };
};

test('PIL bilinear resize: fixed-point path within one level of the float64 reference (shrink, enlarge, mixed)', () => {
  for (const [w, h, ow, oh] of [[37, 29, 16, 16], [10, 12, 25, 31], [40, 9, 13, 20]] as const) {
    const img = randomImage(w, h, w * 100 + h);
    const fast = resizeBilinearPil(img, ow, oh);
    const ref = resizeBilinearPilRef(img, ow, oh);
    assert.deepEqual([fast.width, fast.height, fast.data.length], [ow, oh, ow * oh * 3]);
    let worst = 0;
    for (let i = 0; i < fast.data.length; i++) worst = Math.max(worst, Math.abs(fast.data[i]! - ref.data[i]!));
    assert.ok(worst <= 1, `${w}x${h} -> ${ow}x${oh}: off by ${worst}`);
  }
});

test('PIL bilinear resize: same size is a copy; a constant image stays constant; a 2x shrink uses the widened triangle taps', () => {
  const img = randomImage(8, 6, 1);
  assert.deepEqual(resizeBilinearPil(img, 8, 6).data, img.data);
  const flat = { data: new Uint8Array(20 * 10 * 3).fill(77), width: 20, height: 10, channels: 3 };
  assert.ok(resizeBilinearPil(flat, 7, 3).data.every((v) => v === 77));
  const ramp = { data: Uint8Array.from([0, 0, 0, 40, 40, 40, 80, 80, 80, 120, 120, 120]), width: 4, height: 1, channels: 3 };
  const half = resizeBilinearPil(ramp, 2, 1).data;
  // center 1.0, support 2: inputs 0,1,2 with weights 0.75, 0.75, 0.25 -> (0*.75 + 40*.75 + 80*.25) / 1.75 = 28.57
  assert.deepEqual([...half], [29, 29, 29, 91, 91, 91]);
});

test('cam heatmap: jet coloured, blue at the minimum and red at the maximum', () => {
  const heat = Float32Array.from({ length: 16 }, (_, i) => i);
  const img = camImage(heat, 4, 4, 8);
  assert.deepEqual([img.width, img.height, img.channels], [8, 8, 3]);
  const px = (x: number, y: number) => [...img.data.subarray((y * 8 + x) * 3, (y * 8 + x) * 3 + 3)];
  assert.deepEqual(px(0, 0), [0, 0, 128]); // dark blue
  assert.deepEqual(px(7, 7), [128, 0, 0]); // dark red
});
