// `stylelab convert` (pickle -> stylelab folder, same images after) and `stylelab info` (text and JSON).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { assertOk, COND, listDir, readPng, stylelab, tempDir, TINY } from './helpers.js';

const tmp = tempDir();
after(tmp.remove);

describe('stylelab convert', () => {
  test('pkl -> folder; generate from the folder gives the same pixels as from the pkl', async () => {
    const model = join(tmp.dir, 'tiny-model');
    const r = await stylelab('convert', TINY, model);
    assertOk(r);
    assert.equal(r.stdout, `wrote G_ema, G, D to ${model}/ (config.json + weights.safetensors)\n`);
    assert.deepEqual(listDir(model), ['config.json', 'weights.safetensors']);
    assert.deepEqual(listDir(tmp.dir), ['tiny-model'], 'no temporary folder left beside it');

    const args = ['--seeds', '0-1', '--trunc', '0.7'];
    const [fromPkl, fromDir] = [join(tmp.dir, 'from-pkl'), join(tmp.dir, 'from-dir')];
    const runs = await Promise.all([stylelab('generate', '--network', TINY, ...args, '--outdir', fromPkl), stylelab('generate', '--network', model, ...args, '--outdir', fromDir)]);
    runs.forEach(assertOk);
    for (const name of ['seed0000.png', 'seed0001.png']) {
      assert.deepEqual((await readPng(join(fromDir, name))).data, (await readPng(join(fromPkl, name))).data, name);
    }
    // config.json path works too.
    const info = await stylelab('info', '--network', join(model, 'config.json'), '--json');
    assertOk(info);
    assert.equal(JSON.parse(info.stdout).format, 'stylelab');
  });

  test('--networks keeps only the named networks; an existing model folder is replaced', async () => {
    const model = join(tmp.dir, 'cond-model');
    assertOk(await stylelab('convert', COND, model, '--networks', 'G_ema,D'));
    assertOk(await stylelab('convert', COND, model, '--networks', 'G_ema'));
    const config = JSON.parse(readFileSync(join(model, 'config.json'), 'utf8')) as { config: Record<string, unknown> };
    assert.deepEqual(Object.keys(config.config), ['G_ema']);
  });

  test('a folder that is not a stylelab model is never replaced', async () => {
    const dir = join(tmp.dir, 'precious');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    const r = await stylelab('convert', TINY, dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^stylelab: error: .*not a stylelab model folder/);
    assert.deepEqual(listDir(dir), ['notes.txt']);
    assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'keep me');
  });
});

describe('stylelab info', () => {
  test('text: format, roles, resolution, dimensions, parameters', async () => {
    const r = await stylelab('info', '--network', TINY);
    assertOk(r);
    const text = r.stdout;
    assert.match(text, /^format:\s+NVIDIA network pickle/m);
    assert.match(text, /^architecture:\s+StyleGAN2$/m);
    assert.match(text, /^networks:\s+G_ema, G, D$/m);
    for (const [key, value] of [['resolution', '32'], ['z_dim', '64'], ['w_dim', '64'], ['num_ws', '8'], ['c_dim', '0'], ['mapping layers', '8'], ['conv_clamp', '256'], ['synthesis', 'skip']]) {
      assert.match(text, new RegExp(`^  ${key}:\\s+${value}\\b`, 'm'), `${key}: ${value}`);
    }
    assert.match(text, /^G_ema \(generator\)$/m);
    assert.match(text, /^D \(discriminator\)$/m);
    assert.match(text, /^  parameters:\s+[\d,]+ \(\+ [\d,]+ buffer values\)$/m);
  });

  test('--json parses and has the official names', async () => {
    const r = await stylelab('info', '--network', COND, '--json');
    assertOk(r);
    const info = JSON.parse(r.stdout) as { format: string; arch: string; networks: Record<string, Record<string, unknown>> };
    assert.equal(info.format, 'nvidia-pkl');
    assert.equal(info.arch, 'StyleGAN2');
    assert.deepEqual(Object.keys(info.networks), ['G_ema', 'G', 'D']);
    const g = info.networks.G_ema!;
    assert.deepEqual([g.resolution, g.z_dim, g.w_dim, g.num_ws, g.c_dim, g.channels, g.mapping_layers, g.conv_clamp], [16, 32, 32, 6, 4, 3, 2, 256]);
    assert.ok(typeof g.parameters === 'number' && g.parameters > 0);
    assert.equal(info.networks.D!.kind, 'discriminator');
  });
});
