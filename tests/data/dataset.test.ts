import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDataset } from '../../src/data/dataset.js';
import { InputError } from '../../src/errors.js';
import { tempDir } from '../cli/helpers.js';
import { repoRoot } from '../fixtures.js';
import { png, put, shapeImage, writeShapes, writeZip } from './helpers.js';

/** HWC -> CHW, written independently of the code under test. */
function chw(hwc: Uint8Array, R: number, C: number): Uint8Array {
  const out = new Uint8Array(hwc.length);
  for (let c = 0; c < C; c++) for (let y = 0; y < R; y++) for (let x = 0; x < R; x++) out[(c * R + y) * R + x] = hwc[(y * R + x) * C + c]!;
  return out;
}

const openFds = (): number => readdirSync('/proc/self/fd').length;

describe('openDataset', () => {
  const t = tempDir('stylelab-data-');
  after(t.remove);
  const folder = join(t.dir, 'folder');
  let names: string[] = [];
  before(async () => {
    // Nested folders: files are taken recursively and sorted by their relative name.
    names = await writeShapes(folder, 6, 16, (i) => (i < 3 ? `b/img${i}.png` : `a${i}.png`));
  });

  it('reads a folder recursively, sorted by relative name, as uint8 CHW', async () => {
    const ds = await openDataset(folder);
    try {
      assert.deepEqual([ds.size, ds.resolution, ds.channels, ds.labelDim], [6, 16, 3, 0]);
      // Sorted order: a3, a4, a5, b/img0, b/img1, b/img2.
      const order = [3, 4, 5, 0, 1, 2];
      for (let i = 0; i < 6; i++) assert.deepEqual(await ds.image(i), chw(shapeImage(order[i]!, 16), 16, 3), `image ${i}`);
      assert.equal(ds.label(0).length, 0);
      await assert.rejects(ds.image(6), /out of range/);
    } finally {
      await ds.close();
    }
    assert.deepEqual(names.length, 6);
  });

  it('reads stored and deflated zips, with one-hot labels from dataset.json', async () => {
    for (const level of [0, 6] as const) {
      const files: Record<string, Uint8Array | string> = {};
      for (let i = 0; i < 4; i++) files[`00000/img${String(i).padStart(8, '0')}.png`] = await png(shapeImage(i, 8), 8, 8, 3);
      files['dataset.json'] = JSON.stringify({ labels: Object.keys(files).map((n, i) => [n, [2, 0, 1, 2][i]]) });
      const zip = join(t.dir, `d${level}.zip`);
      writeZip(zip, files, level);
      const fds = openFds();
      const ds = await openDataset(zip, { useLabels: true });
      assert.deepEqual([ds.size, ds.resolution, ds.labelDim], [4, 8, 3]);
      assert.deepEqual(await ds.image(3), chw(shapeImage(3, 8), 8, 3));
      assert.deepEqual([...ds.label(0)], [0, 0, 1]);
      assert.deepEqual([...ds.label(1)], [1, 0, 0]);
      await ds.close();
      assert.equal(openFds(), fds, 'close() releases the zip file handle');
      await assert.rejects(ds.image(0), /closed/);
      // Labels are not used unless asked for (train.py --cond).
      const plain = await openDataset(zip);
      assert.equal(plain.labelDim, 0);
      await plain.close();
    }
  });

  it("reads a zip written by Python's zipfile as dataset_tool.py writes it (zip64 local header, deflate)", async () => {
    // scripts/python-zipfile-dataset.py: pixel (x, y) of image i is (x * 30 + i, y * 30, 100 + i * 50), label i % 2.
    const ds = await openDataset(join(repoRoot, 'tests', 'data', 'data', 'python-zipfile.zip'), { useLabels: true });
    try {
      assert.deepEqual([ds.size, ds.resolution, ds.channels, ds.labelDim], [3, 8, 3, 2]);
      for (let i = 0; i < 3; i++) {
        const x = await ds.image(i);
        for (const [px, py] of [[0, 0], [7, 2], [3, 7]] as const) {
          assert.deepEqual([x[py * 8 + px], x[64 + py * 8 + px], x[128 + py * 8 + px]], [px * 30 + i, py * 30, 100 + i * 50], `image ${i} (${px}, ${py})`);
        }
        assert.deepEqual([...ds.label(i)], i % 2 ? [0, 1] : [1, 0]);
      }
    } finally {
      await ds.close();
    }
  });

  it('keeps grayscale as one channel and drops a fully opaque alpha channel', async () => {
    const gray = join(t.dir, 'gray');
    const px = Uint8Array.from({ length: 16 }, (_, i) => i * 16);
    put(join(gray, 'a.png'), await png(px, 4, 4, 1));
    const ds = await openDataset(gray);
    assert.equal(ds.channels, 1);
    assert.deepEqual(await ds.image(0), px);
    await ds.close();
    const rgba = join(t.dir, 'rgba');
    const rgb = shapeImage(1, 4);
    const withAlpha = new Uint8Array(64);
    for (let p = 0; p < 16; p++) withAlpha.set([rgb[p * 3]!, rgb[p * 3 + 1]!, rgb[p * 3 + 2]!, 255], p * 4);
    put(join(rgba, 'a.png'), await png(withAlpha, 4, 4, 4));
    const ds2 = await openDataset(rgba);
    assert.deepEqual([ds2.channels, ...(await ds2.image(0)).slice(0, 4)], [3, ...chw(rgb, 4, 3).slice(0, 4)]);
    await ds2.close();
    withAlpha[7] = 0;
    put(join(rgba, 'a.png'), await png(withAlpha, 4, 4, 4));
    await assert.rejects(openDataset(rgba), /a\.png: the image has transparent pixels/);
  });

  it('rejects bad data sets with a message naming the problem', async () => {
    const bad = async (setup: (dir: string) => Promise<void>, pattern: RegExp, o = {}) => {
      const { dir, remove } = tempDir('stylelab-bad-');
      try {
        await setup(dir);
        await assert.rejects(openDataset(dir, o), (e: Error) => e instanceof InputError && pattern.test(e.message), String(pattern));
      } finally {
        remove();
      }
    };
    await bad(async () => {}, /no images found/);
    await bad(async (d) => put(join(d, 'a.png'), await png(new Uint8Array(8 * 4 * 3), 8, 4, 3)), /a\.png: 8x4 is not square/);
    await bad(async (d) => put(join(d, 'a.png'), await png(new Uint8Array(12 * 12 * 3), 12, 12, 3)), /resolution 12 is not a power of two/);
    await bad(async (d) => void (await writeShapes(d, 1, 8)), /images are 8x8, expected 16x16/, { resolution: 16 });
    await bad(async (d) => put(join(d, 'a.png'), 'not an image'), /a\.png: cannot decode the image/);
    await bad(async (d) => void (await writeShapes(d, 2, 8)), /labels were asked for but the data set has none/, { useLabels: true });
    await bad(
      async (d) => {
        await writeShapes(d, 2, 8);
        put(join(d, 'dataset.json'), JSON.stringify({ labels: [['img000.png', 0]] }));
      },
      /no label for 1 image\(s\): img001\.png/,
      { useLabels: true },
    );
    await bad(
      async (d) => {
        await writeShapes(d, 1, 8);
        put(join(d, 'dataset.json'), JSON.stringify({ labels: [['img000.png', 0], ['gone.png', 1]] }));
      },
      /1 label\(s\) for missing files: gone\.png/,
      { useLabels: true },
    );
    await bad(async (d) => put(join(d, 'x.zip'), 'junk'), /no images found/);
  });

  it('reports every bad image at open when the set is cached, else each when it is read', async () => {
    const mixed = join(t.dir, 'mixed');
    await writeShapes(mixed, 4, 8);
    put(join(mixed, 'img001.png'), await png(shapeImage(1, 16), 16, 16, 3));
    put(join(mixed, 'img003.png'), 'broken');
    await assert.rejects(openDataset(mixed), (e: Error) => {
      assert.match(e.message, /^2 bad image\(s\) in .*mixed: .*img001\.png: 16x16 RGB, expected 8x8 RGB.*; .*img003\.png: cannot decode/);
      return true;
    });
    const ds = await openDataset(mixed, { cacheBytes: 0 });
    try {
      await ds.image(0);
      await assert.rejects(ds.image(1), /img001\.png: 16x16 RGB, expected 8x8 RGB/);
    } finally {
      await ds.close();
    }
  });

  it('caches decoded images when the set is small, and returns copies', async () => {
    const ds = await openDataset(folder);
    const a = await ds.image(0);
    a.fill(0);
    emptyImages(folder); // the cached image no longer needs the file
    assert.deepEqual(await ds.image(0), chw(shapeImage(3, 16), 16, 3));
    await ds.close();
    const nocache = await openDataset(join(t.dir, 'd0.zip'), { cacheBytes: 0 });
    assert.equal((await nocache.image(0)).length, 3 * 64);
    await nocache.close();
  });
});

/** Truncates every PNG under dir to 0 bytes (unreadable). */
function emptyImages(dir: string): void {
  for (const f of readdirSync(dir, { recursive: true }) as string[]) if (f.endsWith('.png')) writeFileSync(join(dir, f), readFileSync(join(dir, f)).subarray(0, 0));
}
