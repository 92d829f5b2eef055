// `stylelab train` end to end on a folder of 16x16 shapes: outputs, a snapshot that `generate` reads, resume
// keeping the image counter, and one-line errors for bad options and data.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { assertOk, stylelab, tempDir, TINY } from '../cli/helpers.js';
import { writeShapes } from '../data/helpers.js';
import { fixture } from '../fixtures.js';

const tmp = tempDir('stylelab-train-cli-');
after(() => tmp.remove());
const small = ['--cfg', 'stylegan2', '--batch', '4', '--gamma', '0.1', '--aug', 'noaug', '--cbase', '256', '--cmax', '16', '--map-depth', '1', '--tick', '0.004', '--snap', '1'];

describe('stylelab train', () => {
  const data = join(tmp.dir, 'shapes');
  const out = join(tmp.dir, 'run');
  test('trains, logs, writes grids and snapshots that generate reads; resume keeps the image counter', async () => {
    await writeShapes(data, 8, 16);
    assertOk(await stylelab('train', '--data', data, '--outdir', out, ...small, '--kimg', '0.008'));
    for (const f of ['reals.png', 'fakes_init.png', 'fakes000000.png', 'stats.jsonl']) assert.ok(existsSync(join(out, f)), f);
    const snap = join(out, 'network-snapshot-000000');
    for (const f of ['config.json', 'weights.safetensors', 'optimizer.safetensors', 'training-state.json']) assert.ok(existsSync(join(snap, f)), f);
    const log = readFileSync(join(out, 'stats.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    assert.deepEqual(log.map((r) => r.kimg), [0.004, 0.008]);
    for (const r of log) for (const k of ['Loss/Gmain', 'Loss/Dmain', 'img_per_sec', 'augment_p', 'sec_per_kimg']) assert.equal(typeof r[k], 'number', k);
    // How the network was made goes with it: config.json's training entry, shown by info and kept by convert.
    const cfg = JSON.parse(readFileSync(join(snap, 'config.json'), 'utf8')) as { training: unknown };
    assert.deepEqual(cfg.training, { tool: 'stylelab train', cfg: 'stylegan2', kimg: 0.008, dataset: { name: 'shapes', images: 8, resolution: 16, mirror: false } });
    const model = join(tmp.dir, 'model');
    assertOk(await stylelab('convert', snap, model, '--networks', 'G_ema'));
    const info = await stylelab('info', '--network', model);
    assertOk(info);
    assert.match(info.stdout, /^trained: +by stylelab train \(stylegan2\), 0\.008 kimg on shapes \(8 images, 16x16\)$/m);
    assertOk(await stylelab('generate', '--network', snap, '--seeds', '0', '--outdir', join(tmp.dir, 'gen')));
    assert.ok(existsSync(join(tmp.dir, 'gen', 'seed0000.png')));
    const out2 = join(tmp.dir, 'resumed');
    const last = join(out, 'network-snapshot-000000');
    assertOk(await stylelab('train', '--data', data, '--outdir', out2, '--resume', last, '--kimg', '0.012'));
    const log2 = readFileSync(join(out2, 'stats.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    assert.deepEqual(log2.map((r) => r.kimg), [0.012]);
  });

  test('resuming an official .pkl: G, D, G_ema and the image counter of its name; train.py resume settings', async () => {
    const data32 = join(tmp.dir, 'shapes32');
    await writeShapes(data32, 4, 32);
    const pkl = join(tmp.dir, 'network-snapshot-000012.pkl');
    copyFileSync(TINY, pkl);
    const out = join(tmp.dir, 'from-pkl');
    assertOk(await stylelab('train', '--data', data32, '--outdir', out, '--cfg', 'stylegan2', '--batch', '4', '--gamma', '1', '--kimg', '12.004', '--resume', pkl));
    const log = readFileSync(join(out, 'stats.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    assert.deepEqual(log.map((r) => r.kimg), [12.004]);
    const state = JSON.parse(readFileSync(join(out, 'network-snapshot-000012', 'training-state.json'), 'utf8'));
    assert.equal(state.counters.curNimg, 12004);
    assert.equal(state.options.adaKimg, 100);
    assert.equal(state.options.emaRampup, null);
    assert.ok(!existsSync(join(out, 'reals.png')), 'a resumed run does not start with reals/fakes_init');
  });

  test('--metrics fid50k_full,swd at snapshots: stats.jsonl Metrics/* and the official metric-<name>.jsonl', async () => {
    process.env.STYLELAB_CACHE = join(tmp.dir, 'cache');
    const out = join(tmp.dir, 'with-metrics');
    const inception = fixture('fid-inception', 'pt_inception-random.pth');
    const r = await stylelab('train', '--data', data, '--outdir', out, ...small, '--kimg', '0.004', '--metrics', 'fid50k_full,swd', '--metrics-num', '4', '--inception', inception);
    delete process.env.STYLELAB_CACHE;
    assertOk(r);
    const log = readFileSync(join(out, 'stats.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    const last = log.at(-1)!;
    for (const k of ['Metrics/fid50k_full', 'Metrics/swd']) assert.ok(Number.isFinite(last[k]) && last[k]! > 0, `${k}: ${last[k]}`);
    const lines = readFileSync(join(out, 'metric-fid50k_full.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 1);
    assert.deepEqual([lines[0].metric, lines[0].snapshot_pkl, lines[0].images], ['fid50k_full', 'network-snapshot-000000', { generated: 4, real: 8 }]);
    assert.equal(lines[0].results.fid50k_full, last['Metrics/fid50k_full']);
  });

  test('bad options and data: one line, exit 1, nothing written', async () => {
    const cases: [string[], RegExp][] = [
      [['--cfg', 'stylegan2', '--batch', '4'], /--gamma is required/],
      [['--cfg', 'biggan', '--batch', '4', '--gamma', '1'], /--cfg must be one of/],
      [['--cfg', 'stylegan2', '--batch', 'x', '--gamma', '1'], /--batch/],
      [['--cfg', 'stylegan2', '--batch', '4', '--gamma', '1', '--aug', 'sometimes'], /--aug must be/],
      [['--cfg', 'stylegan2', '--batch', '4', '--gamma', '1', '--augpipe', 'xyz'], /--augpipe must be one of/],
      [['--cfg', 'stylegan2', '--batch', '6', '--gamma', '1'], /multiple of --mbstd-group/],
      [['--cfg', 'stylegan2', '--batch', '4', '--gamma', '1', '--resume', join(tmp.dir, 'nothing.pkl')], /not found/],
      [['--cfg', 'stylegan2', '--batch', '4', '--gamma', '1', '--metrics', 'fid9'], /unknown metric 'fid9' \(known: fid50k_full,/],
      [['--cfg', 'stylegan2', '--batch', '4', '--gamma', '1', '--metrics', 'swd,fid50k_full'], /fid50k_full needs pytorch-fid's Inception weights pt_inception-2015-12-05-6726825d\.pth .*--inception FILE/],
      [['--cfg', 'stylegan2', '--batch', '4', '--gamma', '1', '--metrics', 'swd', '--metrics-num', '8'], /--metrics-num, --inception, --vgg16 and --lpips apply to metrics other than swd/],
    ];
    for (const [args, message] of cases) {
      const r = await stylelab('train', '--data', data, '--outdir', join(tmp.dir, 'bad'), ...args);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.ok(!existsSync(join(tmp.dir, 'bad')), 'no output folder');
    }
    const r = await stylelab('train', '--data', join(tmp.dir, 'missing'), '--outdir', join(tmp.dir, 'bad'), ...small);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
});
