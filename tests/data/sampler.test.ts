import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openDataset } from '../../src/data/dataset.js';
import { InfiniteSampler, realBatch } from '../../src/data/sampler.js';
import { tempDir } from '../cli/helpers.js';
import { shapeImage, writeShapes } from './helpers.js';

describe('InfiniteSampler and realBatch', () => {
  const t = tempDir('stylelab-sampler-');
  after(t.remove);

  it("yields the official InfiniteSampler's indices (NumPy RandomState shuffle and window swaps)", () => {
    // Official torch_utils/misc.py InfiniteSampler loop with numpy 2.x: len 10 seed 3, and len 14 (7 images mirrored) seed 0.
    assert.deepEqual(new InfiniteSampler(10, { seed: 3 }).take(25), [5, 4, 1, 2, 9, 6, 7, 0, 1, 2, 3, 4, 5, 6, 9, 0, 3, 2, 8, 5, 4, 6, 7, 1, 3]);
    assert.deepEqual(
      new InfiniteSampler(7, { seed: 0, mirror: true }).take(30),
      [8, 6, 4, 11, 2, 13, 9, 1, 7, 10, 3, 6, 2, 13, 4, 0, 11, 7, 5, 3, 1, 9, 10, 13, 12, 4, 5, 11, 2, 0],
    );
  });

  it('builds [-1, 1] batches, flipping indices past the data set size', async () => {
    const dir = join(t.dir, 'd');
    await writeShapes(dir, 3, 8);
    const ds = await openDataset(dir);
    try {
      const { images, labels } = await realBatch(ds, [1, 4]); // image 1, then image 1 flipped
      assert.equal(images.length, 2 * 3 * 64);
      assert.equal(labels.length, 0);
      const hwc = shapeImage(1, 8);
      for (let c = 0; c < 3; c++) {
        for (let y = 0; y < 8; y++) {
          for (let x = 0; x < 8; x++) {
            const v = Math.fround(Math.fround(hwc[(y * 8 + x) * 3 + c]! / 127.5) - 1); // torch: float32 / 127.5, then - 1
            assert.equal(images[(c * 8 + y) * 8 + x], v);
            assert.equal(images[192 + (c * 8 + y) * 8 + (7 - x)], v);
          }
        }
      }
      await assert.rejects(realBatch(ds, [6]), /out of range \[0, 6\)/);
    } finally {
      await ds.close();
    }
  });
});
