// A short run on generated 16x16 coloured shapes: the SWD of G_ema against the data falls clearly, and the run
// leaves its grids, log and snapshots.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createEngine } from '../../src/node.js';
import { trainRun } from '../../src/train/run.js';
import { shapesDataset, tinyOptions } from './helpers.js';

const engine = createEngine({ threads: 2 });
const outdir = mkdtempSync(join(tmpdir(), 'stylelab-run-'));
after(async () => {
  await engine.dispose();
  rmSync(outdir, { recursive: true, force: true });
});

test('20 steps on 16x16 shapes: SWD of G_ema against the data falls clearly', async () => {
  const data = shapesDataset(64, 16, 0);
  const options = tinyOptions({ kimg: 0.16, kimgPerTick: 0.08, snap: 1, metrics: ['swd'], glr: 0.01, dlr: 0.01, gamma: 0.01 });
  const records: Record<string, number>[] = [];
  const r = await trainRun({ engine, data, options, outdir, metricImages: 64, grid: [4, 2], onTick: (rec) => records.push(rec as Record<string, number>) });
  assert.equal(r.curNimg, 160);
  assert.deepEqual(records.map((x) => x.kimg), [0.008, 0.088, 0.16]);
  const swd = records.map((x) => x['Metrics/swd']!);
  assert.ok(swd.every(Number.isFinite), `SWD ${swd}`);
  assert.ok(swd.at(-1)! < 0.6 * swd[0]!, `SWD should fall clearly: ${swd.map((v) => v.toFixed(1)).join(' -> ')}`);
  const log = readFileSync(join(outdir, 'stats.jsonl'), 'utf8').trim().split('\n');
  assert.equal(log.length, 3);
  for (const f of ['reals.png', 'fakes_init.png', 'fakes000000.png', 'network-snapshot-000000']) assert.ok(existsSync(join(outdir, f)), f);
});
