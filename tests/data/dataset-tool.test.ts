import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { archiveName, convertDataset } from '../../src/data/dataset-tool.js';
import { openDataset } from '../../src/data/dataset.js';
import { ZipReader } from '../../src/data/zip-reader.js';
import { readNpy } from '../../src/io/npy.js';
import { repoRoot } from '../fixtures.js';
import { assertOk, assertOneLineError, stylelab, tempDir } from '../cli/helpers.js';
import sharp from 'sharp';
import { png, put, shapeImage, writeShapes, writeZip } from './helpers.js';

/** An RGB image W x H painted by a function of (x, y). */
function paint(w: number, h: number, f: (x: number, y: number) => [number, number, number]): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.set(f(x, y), (y * w + x) * 3);
  return out;
}

const GREEN: [number, number, number] = [0, 200, 0];
const RED: [number, number, number] = [200, 0, 0];

describe('convertDataset (dataset_tool.py)', () => {
  const t = tempDir('stylelab-dstool-');
  after(t.remove);

  it('writes 00000/img00000000.png names in sorted order with dataset.json labels, pixels unchanged', async () => {
    const src = join(t.dir, 'src');
    const names = await writeShapes(src, 5, 16, (i) => `c${i % 2}/s${i}.png`);
    put(join(src, 'dataset.json'), JSON.stringify({ labels: names.map((n, i) => [n, i % 2]) }));
    const dest = join(t.dir, 'out.zip');
    const r = await convertDataset({ source: src, dest });
    assert.deepEqual([r.written, r.resolution, r.channels, r.labelDim, r.bad.length], [5, 16, 3, 2, 0]);
    const zip = await ZipReader.open(dest);
    const json = JSON.parse(new TextDecoder().decode(await zip.read('dataset.json'))) as { labels: [string, number][] };
    await zip.close();
    // Sorted: c0/s0, c0/s2, c0/s4, c1/s1, c1/s3.
    const order = [0, 2, 4, 1, 3];
    assert.deepEqual(json.labels, order.map((s, i) => [archiveName(i), s % 2]));
    assert.equal(archiveName(123456), '00123/img00123456.png');
    const ds = await openDataset(dest, { useLabels: true });
    for (let i = 0; i < 5; i++) {
      const chw = await ds.image(i);
      const hwc = shapeImage(order[i]!, 16);
      assert.equal(chw[0], hwc[0]); // R of pixel 0
      assert.equal(chw[256 + 17], hwc[17 * 3 + 1]); // G of pixel 17
    }
    assert.deepEqual([...ds.label(3)], [0, 1]);
    await ds.close();
  });

  it('center-crop takes the centre square and resizes it', async () => {
    const src = join(t.dir, 'wide');
    // 24 x 16: red bands 4 pixels wide on both sides of a green 16 x 16 centre.
    put(join(src, 'a.png'), await png(paint(24, 16, (x) => (x >= 4 && x < 20 ? GREEN : RED)), 24, 16, 3));
    put(join(src, 'b.jpg'), await png(paint(16, 40, (_, y) => (y >= 12 && y < 28 ? GREEN : RED)), 16, 40, 3)); // a PNG named .jpg: decoded by content
    const dest = join(t.dir, 'new', 'folder', 'crop.zip'); // made as needed
    const r = await convertDataset({ source: src, dest, resolution: { width: 8, height: 8 }, transform: 'center-crop' });
    assert.equal(r.written, 2);
    const ds = await openDataset(dest);
    for (let i = 0; i < 2; i++) {
      const x = await ds.image(i);
      assert.equal(x.length, 3 * 64);
      for (let p = 0; p < 64; p++) assert.deepEqual([x[p], x[64 + p], x[128 + p]], GREEN, `image ${i} pixel ${p}`);
    }
    await ds.close();
  });

  it('center-crop-wide letterboxes W x H into W x W', async () => {
    const src = join(t.dir, 'cinema');
    // 32 x 16 to 16 x 8: rows 4..11 (the centre band of height round(16 * 16 / 32) = 8) are kept.
    put(join(src, 'a.png'), await png(paint(32, 16, (_, y) => (y >= 4 && y < 12 ? GREEN : RED)), 32, 16, 3));
    const dest = join(t.dir, 'wide.zip');
    await convertDataset({ source: src, dest, resolution: { width: 16, height: 8 }, transform: 'center-crop-wide' });
    const ds = await openDataset(dest);
    const x = await ds.image(0);
    for (let y = 0; y < 16; y++) assert.deepEqual([x[y * 16], x[256 + y * 16], x[512 + y * 16]], y >= 4 && y < 12 ? GREEN : [0, 0, 0], `row ${y}`);
    await ds.close();
    await assert.rejects(convertDataset({ source: src, dest, resolution: { width: 64, height: 32 }, transform: 'center-crop-wide' }), /a\.png: 32x16 is too small/);
  });

  it('lists every bad file and writes nothing; --skip-bad leaves them out', async () => {
    const src = join(t.dir, 'bad');
    await writeShapes(src, 4, 8);
    put(join(src, 'img001.png'), 'garbage');
    put(join(src, 'img002.png'), await png(shapeImage(2, 16), 16, 16, 3));
    put(join(src, 'x/tall.png'), await png(new Uint8Array(8 * 4 * 3), 4, 8, 3));
    const dest = join(t.dir, 'bad.zip');
    await assert.rejects(convertDataset({ source: src, dest }), (e: Error) => {
      assert.match(e.message, /^3 bad image\(s\) in .*nothing written/);
      assert.match(e.message, /img001\.png: cannot decode the image/);
      assert.match(e.message, /img002\.png: 16x16 RGB, expected 8x8 RGB like img000\.png/);
      assert.match(e.message, /x\/tall\.png: 4x8 is not square/);
      return true;
    });
    assert.deepEqual(readdirSync(t.dir).filter((f) => f.startsWith('.bad') || f === 'bad.zip'), [], 'no partial or temporary file');
    const r = await convertDataset({ source: src, dest, skipBad: true });
    assert.deepEqual([r.written, r.bad.map((b) => b.name)], [2, ['img001.png', 'img002.png', 'x/tall.png']]);
    const ds = await openDataset(dest);
    assert.equal(ds.size, 2);
    await ds.close();
  });

  it('checks labels against the files both ways, and reads zips', async () => {
    const files: Record<string, Uint8Array | string> = { 'a.png': await png(shapeImage(0, 8), 8, 8, 3), 'b.png': await png(shapeImage(1, 8), 8, 8, 3) };
    const zip = join(t.dir, 'src.zip');
    writeZip(zip, { ...files, 'dataset.json': JSON.stringify({ labels: [['a.png', 1]] }) }, 6);
    const dest = join(t.dir, 'labels.zip');
    await assert.rejects(convertDataset({ source: zip, dest }), /1 bad image.*b\.png: no label in dataset\.json/);
    writeZip(zip, { ...files, 'dataset.json': JSON.stringify({ labels: [['a.png', 1], ['b.png', 0], ['c.png', 2]] }) }, 6);
    await assert.rejects(convertDataset({ source: zip, dest }), /1 label\(s\) for missing files.*c\.png/);
    const r = await convertDataset({ source: zip, dest, skipBad: true });
    assert.deepEqual([r.written, r.extraLabels, r.labelDim], [2, ['c.png'], 2]);
    assert.equal(existsSync(dest), true);
  });

  it('refuses bad options before reading', async () => {
    const dest = join(t.dir, 'o.zip');
    const source = join(t.dir, 'src');
    await assert.rejects(convertDataset({ source, dest, resolution: { width: 48, height: 48 } }), /power of two, got 48/);
    await assert.rejects(convertDataset({ source, dest, transform: 'center-crop' }), /needs --resolution/);
    await assert.rejects(convertDataset({ source, dest: join(t.dir, 'o.tar') }), /must be a \.zip/);
    await assert.rejects(convertDataset({ source: join(t.dir, 'nope'), dest }), /data set not found/);
  });
});

describe('stylelab dataset', () => {
  const t = tempDir('stylelab-dscli-');
  after(t.remove);

  it('converts and summarises; bad input is one error line', async () => {
    const src = join(t.dir, 'src');
    await writeShapes(src, 3, 8);
    const dest = join(t.dir, 'd.zip');
    const r = await stylelab('dataset', '--source', src, '--dest', dest, '--resolution', '8');
    assertOk(r);
    assert.match(r.stdout, /d\.zip: 3 images, 8x8 RGB, unlabelled/);
    put(join(src, 'zz.png'), await png(shapeImage(9, 16), 16, 16, 3));
    assertOneLineError(await stylelab('dataset', '--source', src, '--dest', dest), /zz\.png: 16x16 RGB, expected 8x8 RGB/, 'mixed sizes');
    assertOneLineError(await stylelab('dataset', '--source', src, '--dest', dest, '--resolution', '12'), /power of two/, 'resolution');
    assertOneLineError(await stylelab('dataset', '--source', src, '--dest', dest, '--transform', 'zoom', '--resolution', '8'), /--transform must be one of/, 'transform');
    const skip = await stylelab('dataset', '--source', src, '--dest', dest, '--skip-bad');
    assertOk(skip);
    assert.match(skip.stderr, /warning: skipped zz\.png: 16x16 RGB/);
    assert.match(skip.stdout, /3 images, .*1 bad image\(s\) skipped/);
  });
});

describe('stylelab dataset --background (transparent images, e.g. emoji)', () => {
  const t = tempDir('stylelab-dsbg-');
  after(t.remove);

  it('composites alpha onto the colour as out = a*c + (1-a)*bg, RGB out even from grayscale + alpha; refused without it', async () => {
    const src = join(t.dir, 'src');
    // RGBA: opaque red left half, half-transparent blue (alpha 128) right half.
    const rgba = new Uint8Array(8 * 8 * 4);
    for (let p = 0; p < 64; p++) rgba.set(p % 8 < 4 ? [200, 0, 0, 255] : [0, 0, 255, 128], p * 4);
    put(join(src, 'a.png'), await png(rgba, 8, 8, 4));
    // Grayscale + alpha (sharp writes it from 2-channel raw pixels): black, fully transparent on the top half.
    const la = new Uint8Array(8 * 8 * 2);
    for (let p = 0; p < 64; p++) la.set([0, p < 32 ? 0 : 255], p * 2);
    put(join(src, 'b.png'), await sharp(Buffer.from(la), { raw: { width: 8, height: 8, channels: 2 } }).png().toBuffer());
    const dest = join(t.dir, 'd.zip');
    assertOneLineError(await stylelab('dataset', '--source', src, '--dest', dest), /transparent pixels .*--background white composites them/, 'no background');
    assertOneLineError(await stylelab('dataset', '--source', src, '--dest', dest, '--background', 'pink'), /--background must be white, black or #rrggbb, got 'pink'/, 'bad colour');
    const r = await stylelab('dataset', '--source', src, '--dest', dest, '--background', 'white');
    assertOk(r);
    assert.match(r.stdout, /2 images, 8x8 RGB/);
    const ds = await openDataset(dest);
    const a = await ds.image(0); // [3, 8, 8]
    assert.deepEqual([a[0], a[64], a[128]], [200, 0, 0], 'opaque pixel unchanged');
    const blend = (c: number) => (c * 128 + 255 * 127) / 255;
    for (const [k, c] of [0, 0, 255].entries()) assert.ok(Math.abs(a[k * 64 + 7]! - blend(c)) <= 1, `half-transparent channel ${k}: ${a[k * 64 + 7]} vs ${blend(c)}`);
    const b = await ds.image(1);
    assert.deepEqual([b[0], b[64], b[128]], [255, 255, 255], 'transparent -> white');
    assert.deepEqual([b[63], b[127], b[191]], [0, 0, 0], 'opaque black stays black');
    await ds.close();
    // '#rrggbb' and a resize (center-crop) keep working together.
    const r2 = await stylelab('dataset', '--source', src, '--dest', join(t.dir, 'e.zip'), '--background', '#102030', '--resolution', '4', '--transform', 'center-crop');
    assertOk(r2);
    const e = await openDataset(join(t.dir, 'e.zip'));
    const b4 = await e.image(1); // [3, 4, 4]
    // PIL's fixed-point LANCZOS may move a flat colour by one level
    for (const [k, c] of [0x10, 0x20, 0x30].entries()) assert.ok(Math.abs(b4[k * 16]! - c) <= 1, `transparent -> #102030, channel ${k}: ${b4[k * 16]}`);
    await e.close();
  });

  it("center-crop equals dataset_tool.py's crop and PIL LANCZOS resize, byte for byte (Pillow 9.4's output)", async () => {
    // tests/project/data: a 37x29 RGB image and Pillow's LANCZOS of its centre square (columns 4-32) to 16x16.
    const npy = (name: string) => readNpy(readFileSync(join(repoRoot, 'tests', 'project', 'data', name)));
    const source = npy('pil_src.npy');
    const [H, W] = source.shape as number[];
    const src = join(t.dir, 'pil');
    put(join(src, 'p.png'), await png(Uint8Array.from(source.data as ArrayLike<number>), W!, H!, 3));
    const dest = join(t.dir, 'pil.zip');
    await convertDataset({ source: src, dest, resolution: { width: 16, height: 16 }, transform: 'center-crop' });
    const ds = await openDataset(dest);
    const chw = await ds.image(0); // [3, 16, 16]
    await ds.close();
    const want = npy('pil_target_16.npy').data as ArrayLike<number>; // [16, 16, 3]
    const hwc = Array.from({ length: 16 * 16 * 3 }, (_, i) => chw[(i % 3) * 256 + Math.floor(i / 3)]!);
    assert.deepEqual(hwc, Array.from(want));
  });

  it('a grayscale image resized by center-crop stays one channel', async () => {
    const src = join(t.dir, 'gray');
    const g = new Uint8Array(16 * 16).map((_, p) => (p % 16) * 16);
    put(join(src, 'g.png'), await png(g, 16, 16, 1));
    const dest = join(t.dir, 'g.zip');
    const r = await convertDataset({ source: src, dest, resolution: { width: 8, height: 8 }, transform: 'center-crop' });
    assert.deepEqual([r.written, r.channels, r.bad.length], [1, 1, 0]);
  });
});
