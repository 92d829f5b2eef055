import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { assertOk, assertOneLineError, COND, stylelab, tempDir, TINY } from '../cli/helpers.js';
import { writeShapes } from '../data/helpers.js';

/** The SWDx1e3_avg value printed by `stylelab metrics`. */
function average(stdout: string): number {
  const m = /^SWDx1e3_avg\s+([\d.]+)$/m.exec(stdout);
  assert.ok(m, `no average in:\n${stdout}`);
  return Number(m[1]);
}

describe('stylelab metrics --metric swd', () => {
  const t = tempDir('stylelab-metrics-');
  after(t.remove);

  it("prints SWD per level; the network's own images are closer than another data set", async () => {
    const own = join(t.dir, 'own');
    assertOk(await stylelab('generate', '--network', TINY, '--seeds', '100-107', '--outdir', own));
    const shapes = join(t.dir, 'shapes');
    await writeShapes(shapes, 8, 32);
    const r = await stylelab('metrics', '--metric', 'swd', '--network', TINY, '--data', own);
    assertOk(r);
    assert.match(r.stdout, /^SWDx1e3_32\s+[\d.]+\nSWDx1e3_16\s+[\d.]+\nSWDx1e3_avg\s+[\d.]+\n\(8 real and 8 generated images\)/);
    const other = await stylelab('metrics', '--metric', 'swd', '--network', TINY, '--data', shapes, '--num', '8', '--json');
    assertOk(other);
    const json = JSON.parse(other.stdout) as { images: number; levels: { resolution: number; swd: number }[]; mean: number };
    assert.deepEqual([json.images, json.levels.map((l) => l.resolution)], [8, [32, 16]]);
    assert.ok(average(r.stdout) < 0.8 * json.mean, `own images ${average(r.stdout)} vs shapes ${json.mean}`);
  });

  it('refuses bad requests with one line', async () => {
    const small = join(t.dir, 'small');
    await writeShapes(small, 2, 16);
    assertOneLineError(await stylelab('metrics', '--metric', 'fid', '--network', TINY, '--data', small), /--metric must be swd/, 'metric');
    assertOneLineError(await stylelab('metrics', '--metric', 'swd', '--network', TINY, '--data', small), /images are 16x16, expected 32x32/, 'resolution');
    const shapes = join(t.dir, 'shapes');
    assertOneLineError(await stylelab('metrics', '--metric', 'swd', '--network', TINY, '--data', shapes, '--num', '9'), /9 images asked for, but .* has 8/, 'num');
    assertOneLineError(await stylelab('metrics', '--metric', 'swd', '--network', COND, '--data', shapes), /labels were asked for but the data set has none/, 'conditional');
  });
});
