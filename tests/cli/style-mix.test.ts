// `stylelab style-mix` against style_mixing.py (fixtures mix_row{r}_col{c}.npy), and its grid.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { toFloat32 } from '../../src/io/tensor.js';
import { loadCheckpoint } from '../../src/node.js';
import { mixGrid } from '../../src/cli/style-mix.js';
import { truncateWs } from '../../src/nets/truncation.js';
import { assertOk, assertU8Close, fixtureU8, listDir, readFixtureNpy, readPng, stylelab, tempDir, TINY } from './helpers.js';

const tmp = tempDir();
after(tmp.remove);

describe('stylelab style-mix', { concurrency: 2 }, () => {
  test('rows 0,1 cols 2,3 styles 0-3 psi 1 noise const', async () => {
    const out = join(tmp.dir, 'mix');
    const r = await stylelab('style-mix', '--network', TINY, '--rows', '0,1', '--cols', '2,3', '--styles', '0-3', '--trunc', '1', '--noise-mode', 'const', '--outdir', out);
    assertOk(r);
    assert.equal(r.stdout, `wrote 9 images (8 cells and grid.png) to ${out}/\n`);
    assert.deepEqual(listDir(out), ['0-0.png', '0-2.png', '0-3.png', '1-1.png', '1-2.png', '1-3.png', '2-2.png', '3-3.png', 'grid.png']);

    const cells = new Map<string, Uint8Array>();
    for (const name of listDir(out).filter((n) => n !== 'grid.png')) cells.set(name.replace('.png', ''), (await readPng(join(out, name))).data);
    for (const row of [0, 1]) {
      for (const col of [2, 3]) assertU8Close(cells.get(`${row}-${col}`)!, fixtureU8('stylegan2-tiny', `mix_row${row}_col${col}.npy`), `mix ${row}-${col}`);
    }
    // Each seed's own image is gen_images.py's image at psi 1 (w_avg + (w - w_avg) * 1 rounds like the official code).
    for (const seed of [0, 1, 2]) assertU8Close(cells.get(`${seed}-${seed}`)!, fixtureU8('stylegan2-tiny', `u8_seed${seed}_psi1.0_const.npy`), `seed ${seed}`);

    const grid = await readPng(join(out, 'grid.png'));
    assert.deepEqual([grid.width, grid.height, grid.channels], [96, 96, 3]);
    const cell = (i: number, j: number) => {
      const px = new Uint8Array(32 * 32 * 3);
      for (let y = 0; y < 32; y++) px.set(grid.data.subarray(((i * 32 + y) * 96 + j * 32) * 3, ((i * 32 + y) * 96 + j * 32 + 32) * 3), y * 96);
      return px;
    };
    assert.ok(cell(0, 0).every((v) => v === 0), 'cell (0, 0) is black');
    assert.deepEqual(cell(0, 1), cells.get('2-2'));
    assert.deepEqual(cell(0, 2), cells.get('3-3'));
    assert.deepEqual(cell(1, 0), cells.get('0-0'));
    assert.deepEqual(cell(2, 0), cells.get('1-1'));
    for (const [i, row] of [[1, 0], [2, 1]]) {
      for (const [j, col] of [[1, 2], [2, 3]]) assert.deepEqual(cell(i!, j!), cells.get(`${row}-${col}`), `grid cell ${row}-${col}`);
    }
  });

  test('--trunc 0.7: the seeds\' own images match gen_images.py at psi 0.7', async () => {
    const out = join(tmp.dir, 'mix-0.7');
    assertOk(await stylelab('style-mix', '--network', TINY, '--rows', '0', '--cols', '1,2', '--trunc', '0.7', '--outdir', out));
    for (const seed of [0, 1, 2]) assertU8Close((await readPng(join(out, `${seed}-${seed}.png`))).data, fixtureU8('stylegan2-tiny', `u8_seed${seed}_psi0.7_const.npy`), `seed ${seed} psi 0.7`);
  });

  test('truncateWs matches the official truncation of ws to 1e-6', () => {
    const avg = toFloat32(loadCheckpoint(TINY).networks.G_ema!.tensors.get('mapping.w_avg')!); // [wDim]
    const ws1 = readFixtureNpy('stylegan2-tiny', 'ws_seed0_psi1.0.npy').data;
    const ws07 = readFixtureNpy('stylegan2-tiny', 'ws_seed0_psi0.7.npy').data;
    const got = truncateWs(ws1, avg, 0.7);
    for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - ws07[i]!) <= 1e-6, `ws[${i}]: ${got[i]} vs ${ws07[i]}`);
    assert.deepEqual(truncateWs(Float32Array.of(1.1, 2), Float32Array.of(0.1, 0), 1), Float32Array.of(Math.fround(0.1 + Math.fround(Math.fround(1.1) - Math.fround(0.1))), 2));
  });

  test('mixGrid places column seeds on top, row seeds on the left, black corner', () => {
    const img = (v: number) => new Uint8Array(2 * 2 * 1).fill(v);
    const images = new Map([['5-5', img(5)], ['7-7', img(7)], ['5-7', img(57)]]);
    const grid = mixGrid(images, [5], [7], 2, 1);
    assert.deepEqual([...grid], [0, 0, 7, 7, 0, 0, 7, 7, 5, 5, 57, 57, 5, 5, 57, 57]);
  });
});
