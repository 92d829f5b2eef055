// `stylelab drag`: the files it writes, and one-line errors for bad points, masks and latents.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { readNpy, writeNpy } from '../../src/io/npy.js';
import { fixture } from '../fixtures.js';
import { assertOk, listDir, readPng, stylelab, tempDir } from './helpers.js';

const NET = fixture('draggan-tiny', 'network.pkl');

test('drag from a seed with a mask: start/final PNG, trajectory GIF, w.npy, steps.json', async () => {
  const { dir, remove } = tempDir();
  try {
    // Flexible (white) left half, fixed right half.
    const mask = Buffer.alloc(128 * 128, 0);
    for (let r = 0; r < 128; r++) mask.fill(255, r * 128, r * 128 + 64);
    await sharp(mask, { raw: { width: 128, height: 128, channels: 1 } }).png().toFile(join(dir, 'flex.png'));
    const out = join(dir, 'out');
    const r = await stylelab('drag', '--network', NET, '--seed', '3', '--points', '51,57>51,76;89,38>79,38', '--mask', join(dir, 'flex.png'), '--max-steps', '3', '--outdir', out);
    assertOk(r);
    assert.match(r.stdout, /dragged 2 points in 3 steps/);
    assert.deepEqual(listDir(out), ['final.png', 'start.png', 'steps.json', 'trajectory.gif', 'w.npy']);
    const start = await readPng(join(out, 'start.png'));
    assert.equal(start.width, 128);
    const gif = await sharp(join(out, 'trajectory.gif')).metadata();
    assert.equal(gif.pages, 4); // three steps and the final frame
    const w = readNpy(readFileSync(join(out, 'w.npy')));
    assert.deepEqual([w.dtype, w.shape], ['float32', [1, 12, 64]]);
    const steps = JSON.parse(readFileSync(join(out, 'steps.json'), 'utf8')) as { steps: { step: number; points: number[][]; distances: number[] }[] };
    assert.deepEqual(steps.steps.map((s) => s.step), [1, 2, 3]);
    assert.deepEqual(steps.steps[0]!.points, [[51, 57], [89, 38]]);
    assert.deepEqual(steps.steps[0]!.distances, [19, 10]);
    // Starting again from the written latent with no step budget left to spend gives the final image.
    const again = await stylelab('drag', '--network', NET, '--latent', join(out, 'w.npy'), '--points', '51,57>51,58', '--max-steps', '1', '--outdir', join(dir, 'again'));
    assertOk(again);
    assert.deepEqual((await readPng(join(dir, 'again', 'start.png'))).data, (await readPng(join(out, 'final.png'))).data);
  } finally {
    remove();
  }
});

test('drag errors: one line, exit 1, nothing written', async () => {
  const { dir, remove } = tempDir();
  try {
    await sharp(Buffer.alloc(64 * 64), { raw: { width: 64, height: 64, channels: 1 } }).png().toFile(join(dir, 'small.png'));
    writeFileSync(join(dir, 'w.npy'), writeNpy({ dtype: 'float32', shape: [1, 5, 64], data: new Float32Array(320) }));
    const out = join(dir, 'out');
    const cases: [string[], RegExp][] = [
      [['--seed', '3', '--points', '51,57>51,200'], /target point 1 \[51, 200\] is outside the 128x128 image/],
      [['--seed', '3', '--points', '51,57>51,60', '--mask', join(dir, 'small.png')], /mask .* is 64x64 but the network's images are 128x128/],
      [['--latent', join(dir, 'w.npy'), '--points', '51,57>51,60'], /latent .* has shape \[1, 5, 64\]; this network needs \[1, 12, 64\]/],
      [['--points', '51,57>51,60'], /give either --seed or --latent/],
      [['--seed', '3', '--points', '51;57'], /handle>target pair/],
    ];
    // A 32x32 network has no feat[5]; drag reads its last feature map (b32) instead of refusing.
    const small = await stylelab('drag', '--network', fixture('stylegan2-tiny', 'network.pkl'), '--seed', '0', '--points', '5,5>5,9', '--max-steps', '2', '--outdir', join(dir, 'small'));
    assert.equal(small.code, 0, small.stderr);
    assert.ok(listDir(join(dir, 'small')).length > 0);
    for (const [args, re] of cases) {
      const r = await stylelab('drag', '--network', NET, ...args, '--outdir', out);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.deepEqual(listDir(out), []);
    }
  } finally {
    remove();
  }
});
