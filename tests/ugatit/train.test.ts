// U-GAT-IT training on a tiny generated two-domain data set: the losses fall, snapshots, samples and the log
// are written, and a run interrupted after a snapshot resumes to the same weights as an uninterrupted one.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { loadUgatitCheckpoint } from '../../src/models/ugatit-files.js';
import { validateUgatitConfig } from '../../src/nets/ugatit/config.js';
import { createEngine } from '../../src/node.js';
import { DEFAULT_LOSS_WEIGHTS } from '../../src/train/ugatit/graphs.js';
import { trainUgatit, type UgatitRunOptions } from '../../src/train/ugatit/run.js';
import { learningRate } from '../../src/train/ugatit/trainer.js';
import { assertOneLineError, listDir, stylelab, tempDir } from '../cli/helpers.js';

const tmp = tempDir('stylelab-ugatit-train-');
after(tmp.remove);

/** Domain A: dark images with a bright square; domain B: bright images with dark stripes. 40x40 PNGs. */
async function makeData(dir: string): Promise<void> {
  for (const [domain, k] of [['A', 0], ['A', 1], ['A', 2], ['B', 0], ['B', 1], ['B', 2]] as const) {
    const px = new Uint8Array(40 * 40 * 3);
    for (let y = 0; y < 40; y++) {
      for (let x = 0; x < 40; x++) {
        const inSquare = y > 8 + 3 * k && y < 24 + 3 * k && x > 10 && x < 26;
        const v = domain === 'A' ? (inSquare ? 230 : 30) : (x + 2 * k) % 8 < 3 ? 60 : 220;
        px.set([v, domain === 'A' ? v : 200, 128], (y * 40 + x) * 3);
      }
    }
    mkdirSync(join(dir, `train${domain}`), { recursive: true });
    await sharp(Buffer.from(px), { raw: { width: 40, height: 40, channels: 3 } }).png().toFile(join(dir, `train${domain}`, `${k}.png`));
  }
}

const config = validateUgatitConfig({ ch: 4, nRes: 1, light: true, imgSize: 32, globalLayers: 5, localLayers: 3 });
const runOptions = (outdir: string, data: string): UgatitRunOptions => ({
  iterations: 24, batch: 1, lr: 1e-3, weightDecay: 1e-4, decay: true, lossWeights: DEFAULT_LOSS_WEIGHTS, seed: 3,
  data, outdir, config, snapshotEvery: 8, sampleEvery: 12, resume: false,
});
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('training falls in loss, writes snapshots, samples and a log; an interrupted run resumes to the same weights', async () => {
  const data = join(tmp.dir, 'data');
  await makeData(data);
  const engine = createEngine({ threads: 1, graphOptimizationLevel: 'disabled' });

  const full = await trainUgatit(engine, runOptions(join(tmp.dir, 'full'), data));
  assert.equal(full.iteration, 24);
  const first = full.losses.slice(0, 4);
  const last = full.losses.slice(-4);
  for (const k of ['D_loss', 'G_cycle', 'G_identity']) {
    assert.ok(mean(last.map((l) => l[k]!)) < 0.8 * mean(first.map((l) => l[k]!)), `${k}: ${mean(first.map((l) => l[k]!))} -> ${mean(last.map((l) => l[k]!))}`);
  }
  assert.deepEqual(listDir(join(tmp.dir, 'full')), ['log.jsonl', 'samples', 'snapshot-0000008', 'snapshot-0000016', 'snapshot-0000024']);
  assert.deepEqual(listDir(join(tmp.dir, 'full', 'samples')), ['0000012.png', '0000024.png']);
  const grid = await sharp(join(tmp.dir, 'full', 'samples', '0000024.png')).metadata();
  assert.deepEqual([grid.width, grid.height], [3 * 32, 2 * 32]);
  const log = readFileSync(join(tmp.dir, 'full', 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
  assert.deepEqual(log.map((l) => l.iteration), Array.from({ length: 24 }, (_, i) => i + 1));
  assert.equal(log[20]!.lr, learningRate(21, { iterations: 24, lr: 1e-3, decay: true }));
  assert.ok(Math.abs(log[23]!.G_loss! - full.losses[23]!.G_loss!) < 1e-9);

  // Interrupted at iteration 11 (after the snapshot at 8), then resumed.
  const outdir = join(tmp.dir, 'interrupted');
  await assert.rejects(trainUgatit(engine, runOptions(outdir, data), (it) => {
    if (it === 11) throw new Error('interrupted');
  }), /interrupted/);
  assert.equal(readFileSync(join(outdir, 'log.jsonl'), 'utf8').trim().split('\n').length, 11);
  const resumed = await trainUgatit(engine, { ...runOptions(outdir, data), resume: true });
  assert.equal(resumed.startIteration, 8);
  assert.equal(resumed.iteration, 24);
  resumed.losses.forEach((l, i) => assert.ok(Math.abs(l.G_loss! - full.losses[8 + i]!.G_loss!) < 1e-3 * Math.abs(full.losses[8 + i]!.G_loss!), `G_loss at ${9 + i}`));
  assert.equal(readFileSync(join(outdir, 'log.jsonl'), 'utf8').trim().split('\n').length, 24, 'log rewritten past the snapshot');
  const a = loadUgatitCheckpoint(join(tmp.dir, 'full', 'snapshot-0000024'));
  const b = loadUgatitCheckpoint(join(outdir, 'snapshot-0000024'));
  for (const net of ['genA2B', 'disGB'] as const) {
    for (const [name, t] of a.networks[net]!) {
      const u = t.data as Float32Array;
      const v = b.networks[net]!.get(name)!.data as Float32Array;
      const worst = u.reduce((w, x, i) => Math.max(w, Math.abs(x - v[i]!)), 0);
      assert.ok(worst < 1e-4, `${net}.${name}: resumed weights differ by ${worst}`);
    }
  }
  assert.equal(engine.liveSessions, 0);
  await engine.dispose();
});

test('train-ugatit: clear errors before any work', async () => {
  const out = join(tmp.dir, 'cli-out');
  const data = join(tmp.dir, 'cli-data');
  await makeData(data);
  const previous = join(tmp.dir, 'previous-run', 'snapshot-0000005');
  mkdirSync(previous, { recursive: true });
  writeFileSync(join(previous, 'config.json'), '{}');
  const empty = join(tmp.dir, 'empty-data');
  mkdirSync(join(empty, 'trainA'), { recursive: true });
  assertOneLineError(await stylelab('train-ugatit', '--data', empty, '--outdir', out), /trainA holds no images/, 'empty trainA');
  assertOneLineError(await stylelab('train-ugatit', '--data', data, '--outdir', out, '--resume'), /holds no snapshot to resume from/, 'resume without snapshot');
  assertOneLineError(await stylelab('train-ugatit', '--data', data, '--outdir', out, '--img-size', '30'), /imgSize must be a multiple of 4/, 'size');
  assertOneLineError(await stylelab('train-ugatit', '--data', data, '--outdir', join(tmp.dir, 'previous-run')), /already holds snapshots: pass --resume/, 'existing run');
  assert.ok(!existsSync(out));
});
