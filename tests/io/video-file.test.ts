// The video file writers: format from the extension, GIF delays and frame checks, memory limit, atomic output.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { findOnPath, GIF_MAX_BYTES, gifDelayMs, openGifWriter, openMp4Writer, videoFormatOf } from '../../src/io/video-file.js';
import { tempDir } from '../cli/helpers.js';

const tmp = tempDir('stylelab-video-file-');
after(tmp.remove);

test('videoFormatOf: .mp4 and .gif, any case; anything else is refused', () => {
  assert.equal(videoFormatOf('a/b.MP4'), 'mp4');
  assert.equal(videoFormatOf('lerp.gif'), 'gif');
  assert.throws(() => videoFormatOf('lerp.webm'), /unknown video format '\.webm': expected \.mp4 or \.gif/);
  assert.throws(() => videoFormatOf('lerp'), /unknown video format '\(no extension\)'/);
});

test('gifDelayMs: hundredths of a second, at least 2', () => {
  assert.deepEqual([60, 50, 30, 25, 10, 1000].map(gifDelayMs), [20, 20, 30, 40, 100, 20]);
});

test('findOnPath: an executable in a PATH folder, or null', () => {
  assert.equal(findOnPath('sh', '/nonexistent:/bin'), '/bin/sh');
  assert.equal(findOnPath('no-such-tool-here', '/bin:/usr/bin'), null);
});

test('GIF writer: 3 grayscale frames, one delay each, written only when finished', async () => {
  const path = join(tmp.dir, 'gray.gif');
  const out = openGifWriter(path, { width: 4, height: 2, channels: 1, fps: 25 }, 3);
  for (const v of [0, 128, 255]) await out.write(new Uint8Array(8).fill(v));
  assert.equal(existsSync(path), false, 'nothing before finish()');
  await assert.rejects(out.write(new Uint8Array(8)), /opened for 3 frames/);
  await out.finish();
  const m = await sharp(path, { animated: true }).metadata();
  assert.deepEqual([m.pages, m.width, m.pageHeight, m.loop, m.delay], [3, 4, 2, 0, [40, 40, 40]]);
  assert.deepEqual(readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp')), []);
});

test('writers refuse bad frames, channels and sizes', async () => {
  const out = openGifWriter(join(tmp.dir, 'x.gif'), { width: 4, height: 4, channels: 3, fps: 60 }, 2);
  await assert.rejects(out.write(new Uint8Array(47)), /expected a frame of 48 values \(4x4x3\), got 47/);
  await assert.rejects(out.finish(), /opened for 2 frames, got 0/);
  assert.throws(() => openGifWriter(join(tmp.dir, 'y.gif'), { width: 4, height: 4, channels: 4, fps: 60 }, 1), /4-channel images \(expected 1 or 3\)/);
  assert.throws(() => openGifWriter(join(tmp.dir, 'z.gif'), { width: 1024, height: 1024, channels: 3, fps: 60 }, Math.ceil(GIF_MAX_BYTES / 2 ** 20)), /needs \d+ MiB in memory.*write an \.mp4/);
  assert.throws(() => openMp4Writer(join(tmp.dir, 'a.mp4'), { width: 4, height: 4, channels: 3, fps: 0 }), /frame rate must be a positive number/);
  assert.equal(existsSync(join(tmp.dir, 'x.gif')), false);
});
