// `stylelab train --cfg stylegan1` end to end on a folder of 16x16 shapes: grows from 8x8 (--lod-kimg), the
// snapshot says StyleGAN and generates; --lod-kimg is refused for other configurations.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { assertOk, readPng, stylelab, tempDir } from '../cli/helpers.js';
import { writeShapes } from '../data/helpers.js';

const tmp = tempDir('stylelab-train-sg1-');
after(() => tmp.remove());

test('stylelab train --cfg stylegan1: grows 8x8 -> 16x16, snapshot renders with generate; --lod-kimg only for stylegan1', async () => {
  const data = join(tmp.dir, 'shapes');
  const out = join(tmp.dir, 'run');
  await writeShapes(data, 8, 16);
  const args = ['--cfg', 'stylegan1', '--batch', '4', '--gamma', '1', '--aug', 'noaug', '--cbase', '256', '--cmax', '16', '--map-depth', '1', '--tick', '0.008', '--snap', '1', '--kimg', '0.024', '--lod-kimg', '0.008'];
  assertOk(await stylelab('train', '--data', data, '--outdir', out, ...args));
  const state = JSON.parse(readFileSync(join(out, 'network-snapshot-000000', 'training-state.json'), 'utf8')) as { options: Record<string, unknown>; counters: { curNimg: number } };
  assert.deepEqual([state.options.cfg, state.options.lodTrainingKimg, state.options.glr, state.counters.curNimg], ['stylegan1', 0.008, 0.001, 24]);
  const info = await stylelab('info', '--network', join(out, 'network-snapshot-000000'));
  assertOk(info);
  assert.match(info.stdout, /architecture:\s+StyleGAN\b/);
  assertOk(await stylelab('generate', '--network', join(out, 'network-snapshot-000000'), '--seeds', '0', '--trunc', '0.7', '--outdir', join(tmp.dir, 'gen')));
  const png = await readPng(join(tmp.dir, 'gen', 'seed0000.png'));
  assert.deepEqual([png.width, png.height], [16, 16]);
  const r = await stylelab('train', '--data', data, '--outdir', join(tmp.dir, 'bad'), '--cfg', 'stylegan2', '--batch', '4', '--gamma', '1', '--lod-kimg', '1');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--lod-kimg applies to --cfg stylegan1/);
  assert.ok(!existsSync(join(tmp.dir, 'bad')));
});
