// A whole --cfg stylegan1 run on disk (trainRun): snapshots, fakes grids and the log across the 8x8 -> 16x16
// transition; resuming from the snapshot taken during the fade-in ends in exactly the same networks; the
// final snapshot is used at once by `stylelab generate`.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadCheckpoint } from '../../src/node.js';
import { createEngine } from '../../src/node.js';
import { defaultTrainingOptions, validateTrainingOptions } from '../../src/train/options.js';
import { trainRun } from '../../src/train/run.js';
import { readResumeSource } from '../../src/train/snapshot.js';
import { trainingOptionsFrom } from '../../src/cli/train.js';
import { assertOk, listDir, readPng, stylelab, tempDir } from '../cli/helpers.js';
import { shapesDataset } from './helpers.js';

const engine = createEngine({ threads: 1 });
after(() => engine.dispose());

test('stylegan1 run: grows, snapshots, resumes to the same state, and the snapshot generates', async () => {
  const t = tempDir('stylelab-sg1-');
  try {
    const options = validateTrainingOptions({
      ...defaultTrainingOptions('stylegan1', 4, 1),
      kimg: 0.024,
      aug: 'noaug',
      cbase: 256,
      cmax: 32,
      zDim: 16,
      wDim: 16,
      mapDepth: 2,
      mbstdGroup: 2,
      dRegInterval: 2,
      lodTrainingKimg: 0.008,
      lodTransitionKimg: 0.008,
      kimgPerTick: 0.008,
      snap: 1,
    });
    const data = shapesDataset(12, 16, 1);
    const outA = join(t.dir, 'a');
    const mid = join(t.dir, 'mid');
    // Run A, keeping a copy of the snapshot taken at 12 images (just before the 16x16 fade-in: its first step resets Adam).
    await trainRun({ engine, data, options, outdir: outA, grid: [4, 2], onTick: (r) => r.kimg === 0.012 && cpSync(join(outA, String(r.snapshot)), mid, { recursive: true }) });
    const snap = join(outA, 'network-snapshot-000000');
    assert.ok(existsSync(join(mid, 'training-state.json')), 'mid-run snapshot kept');
    assert.ok(listDir(outA).includes('fakes_init.png') && listDir(outA).includes('reals.png') && listDir(outA).includes('stats.jsonl'));
    const log = readFileSync(join(outA, 'stats.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    assert.deepEqual(log.map((r) => r.kimg), [0.004, 0.012, 0.02, 0.024]);
    const grid = await readPng(join(outA, 'fakes000000.png'));
    assert.deepEqual([grid.width, grid.height], [64, 32]);
    // The mid snapshot records the level of its last step (8x8); the final one is fully grown.
    assert.equal(loadCheckpoint(mid).networks.G_ema!.tensors.get('synthesis.lod')!.data[0], 1);
    assert.equal(loadCheckpoint(snap).networks.G_ema!.tensors.get('synthesis.lod')!.data[0], 0);
    // Run B: resume from the mid snapshot and finish.
    const resume = readResumeSource(mid);
    const outB = join(t.dir, 'b');
    await trainRun({ engine, data, options: trainingOptionsFrom({ data: '', outdir: outB, resume: mid }, resume), outdir: outB, resume, grid: [4, 2] });
    const [a, b] = [loadCheckpoint(snap), loadCheckpoint(join(outB, 'network-snapshot-000000'))];
    for (const role of ['G', 'G_ema', 'D'] as const) {
      for (const [name, ta] of a.networks[role]!.tensors) assert.deepEqual(b.networks[role]!.tensors.get(name)!.data, ta.data, `${role} ${name} after resuming`);
    }
    // generate reads the snapshot at once.
    const out = join(t.dir, 'gen');
    assertOk(await stylelab('generate', '--network', snap, '--seeds', '0', '--outdir', out));
    const png = await readPng(join(out, 'seed0000.png'));
    assert.deepEqual([png.width, png.height, png.channels], [16, 16, 3]);
  } finally {
    t.remove();
  }
});
