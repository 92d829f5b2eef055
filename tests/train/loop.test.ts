// The training loop: phase schedule (lazy regularization), generator EMA, resume from a snapshot continuing
// exactly as the uninterrupted run, snapshots usable by the generator API.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createEngine, loadCheckpoint, openGenerator } from '../../src/node.js';
import { GeneratorRenderer } from '../../src/train/report.js';
import { createTrainer } from '../../src/train/run.js';
import { readResumeSource, saveSnapshot, snapshotName } from '../../src/train/snapshot.js';
import { shapesDataset, tinyOptions } from './helpers.js';

const engine = createEngine({ threads: 2 });
const dir = mkdtempSync(join(tmpdir(), 'stylelab-train-'));
after(async () => {
  await engine.dispose();
  rmSync(dir, { recursive: true, force: true });
});
const data = shapesDataset(32, 16, 1);

describe('Trainer', () => {
  test('phases: G steps = steps + Greg every 4, D steps = steps + Dreg every 16; G_ema follows G with ramp-up', async () => {
    const o = tinyOptions({ batch: 4 });
    const t = createTrainer(engine, data, o);
    try {
      const name = t.nets.G.parameters()[0]!.name;
      await t.step();
      // At cur_nimg 0 the ramped-up EMA length is 0, so beta = 0: G_ema = G.
      const G = t.nets.G.parameters();
      t.nets.G_ema.parameters().forEach((p, i) => assert.deepEqual(p.data, G[i]!.data, `G_ema ${p.name} after step 1`));
      const before = t.nets.G_ema.parameters().map((p) => p.data.slice());
      for (let k = 1; k < 5; k++) await t.step();
      assert.equal(t.optG.steps(name), 5 + 2, 'Gmain 5 + Greg at steps 0 and 4');
      assert.equal(t.optD.steps(t.nets.D.parameters()[0]!.name), 5 + 1, 'Dmain 5 + Dreg at step 0');
      assert.equal(t.counters.curNimg, 20);
      assert.equal(t.counters.batchIdx, 5);
      assert.ok(t.counters.plMean > 0, 'path-length mean tracked');
      assert.ok(t.nets.G_ema.parameters().some((p, i) => p.data.some((v, j) => v !== before[i]![j])), 'G_ema moved');
      const wAvg = t.nets.G.weights.parameter('mapping.w_avg').data;
      assert.ok(wAvg.some((v) => v !== 0), 'w_avg tracked in the D phase');
    } finally {
      await t.dispose();
    }
  });

  test("no G lazy interval with path length on ('Gboth'): one G update per step from both losses", async () => {
    const t = createTrainer(engine, data, tinyOptions({ batch: 4, gRegInterval: null }));
    try {
      assert.equal(t.optG.lr, 0.002, 'no lr correction');
      await t.step();
      await t.step();
      assert.equal(t.optG.steps(t.nets.G.parameters()[0]!.name), 2);
      assert.ok(t.tickStats().losses['Loss/Greg']! > 0, 'path length ran');
    } finally {
      await t.dispose();
    }
  });

  test('G_ema = lerp(G, G_ema, 0.5 ** (batch / ema_nimg)) after each step, with its own arrays', async () => {
    const t = createTrainer(engine, data, tinyOptions({ batch: 4, emaKimg: 0.004, emaRampup: null }));
    try {
      await t.step();
      const before = t.nets.G_ema.parameters().map((p) => p.data.slice());
      await t.step();
      const G = t.nets.G.parameters();
      t.nets.G_ema.parameters().forEach((p, i) => {
        assert.notEqual(p.data, G[i]!.data);
        const expected = G[i]!.data.map((w, j) => w + 0.5 * (before[i]![j]! - w));
        for (let j = 0; j < expected.length; j++) assert.ok(Math.abs(p.data[j]! - expected[j]!) < 1e-6, `${p.name}[${j}]`);
      });
      assert.ok(G.some((p, i) => p.data.some((v, j) => v !== before[i]![j])), 'G moved away from G_ema');
    } finally {
      await t.dispose();
    }
  });

  test('resume from a snapshot continues exactly as the uninterrupted run (ADA on)', async () => {
    const o = tinyOptions({ batch: 4, aug: 'ada', augP: 0.5, adaKimg: 0.1, adaInterval: 1 });
    const a = createTrainer(engine, data, o);
    let snap = '';
    let expected: Float32Array[];
    try {
      for (let k = 0; k < 3; k++) await a.step();
      snap = join(dir, snapshotName(a.counters.curNimg));
      saveSnapshot(a, snap);
      for (let k = 0; k < 2; k++) await a.step();
      assert.notEqual(a.augmentP, 0.5, 'ADA moved p');
      expected = [...a.nets.G.parameters(), ...a.nets.D.parameters(), ...a.nets.G_ema.parameters()].map((p) => p.data.slice());
    } finally {
      await a.dispose();
    }
    const src = readResumeSource(snap);
    assert.equal(src.curNimg, 12);
    const b = createTrainer(engine, data, src.state!.options, src);
    try {
      assert.equal(b.counters.batchIdx, 3);
      for (let k = 0; k < 2; k++) await b.step();
      const got = [...b.nets.G.parameters(), ...b.nets.D.parameters(), ...b.nets.G_ema.parameters()];
      got.forEach((p, i) => assert.deepEqual(p.data, expected[i], `${p.name} after resuming`));
      assert.equal(b.counters.curNimg, 20);
    } finally {
      await b.dispose();
    }
  });

  test('no leaks: trainers and renderers release their ONNX Runtime sessions; RSS stays flat over cycles', async () => {
    const before = engine.liveSessions;
    const cycle = async () => {
      const t = createTrainer(engine, data, tinyOptions({ batch: 4 }));
      const r = new GeneratorRenderer(engine, t.nets.G_ema, 2);
      try {
        await t.step();
        await r.render(new Float32Array(2 * t.nets.G.zDim), new Float32Array(0));
        assert.ok(engine.liveSessions > before);
      } finally {
        await r.dispose();
        await t.dispose();
      }
      assert.equal(engine.liveSessions, before);
    };
    await cycle();
    const rss = process.memoryUsage().rss;
    for (let k = 0; k < 3; k++) await cycle();
    const grown = (process.memoryUsage().rss - rss) / 2 ** 20;
    assert.ok(grown < 150, `RSS grew by ${grown.toFixed(0)} MiB over 3 cycles`);
  });

  test('conditional: dataset labels feed G (gen_c) and D (real_c); the label embedding trains', async () => {
    const base = shapesDataset(16, 16, 3);
    const labelled = { ...base, labelDim: 2, label: (i: number) => Float32Array.from([i % 2, 1 - (i % 2)]) };
    const t = createTrainer(engine, labelled, tinyOptions({ batch: 4 }));
    try {
      assert.equal(t.nets.G.cDim, 2);
      const embed = t.nets.G.weights.parameter('mapping.embed.weight').data.slice();
      const dEmbed = t.nets.D.weights.parameter('mapping.embed.weight').data.slice();
      await t.step();
      assert.ok(t.nets.G.weights.parameter('mapping.embed.weight').data.some((v, i) => v !== embed[i]), 'G embed moved');
      assert.ok(t.nets.D.weights.parameter('mapping.embed.weight').data.some((v, i) => v !== dEmbed[i]), 'D embed moved');
      assert.ok(Number.isFinite(t.tickStats().losses['Loss/Dmain']));
    } finally {
      await t.dispose();
    }
  });

  test('a snapshot opens with openGenerator and makes the images G_ema makes', async () => {
    const t = createTrainer(engine, data, tinyOptions({ batch: 4 }));
    const r = new GeneratorRenderer(engine, t.nets.G_ema, 2);
    try {
      await t.step();
      await t.step();
      const snap = join(dir, 'snap');
      saveSnapshot(t, snap);
      const G = openGenerator(engine, loadCheckpoint(snap));
      try {
        const z = Float32Array.from({ length: 2 * G.zDim }, (_, i) => Math.sin(i));
        const img = await G.generate(z, null, { noiseMode: 'const' });
        const ref = await r.render(z, new Float32Array(0));
        let d = 0;
        for (let i = 0; i < img.length; i++) d = Math.max(d, Math.abs(img[i]! - ref[i]!));
        assert.ok(d < 1e-4, `max difference ${d}`);
      } finally {
        await G.dispose();
      }
    } finally {
      await r.dispose();
      await t.dispose();
    }
  });
});
