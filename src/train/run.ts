// A whole training run on disk: networks (new, or resumed from an official .pkl or one of our snapshots), the
// loop, ticks with the JSONL log, fakes grids and atomic snapshots in the output folder.
import { join } from 'node:path';
import type * as E from '../engine/index.js';
import type { TrainingProvenance } from '../models/checkpoint.js';
import { trainingArch } from './stylegan/registry.js';
import { Trainer, type TickStats, type TrainingData } from './loop.js';
import { swdMetric } from './metrics.js';
import type { TrainingOptions } from './options.js';
import { appendJsonl, GeneratorRenderer, gridLatents, tickRecord, writeGrid } from './report.js';
import { type ResumeSource, restoreOptimizers, resumedAda, saveSnapshot, snapshotName } from './snapshot.js';

export interface TrainRunOptions {
  engine: E.Engine;
  data: TrainingData;
  options: TrainingOptions;
  outdir: string;
  resume?: ResumeSource;
  /** Fakes grid size [columns, rows] (default 8 x 4). */
  grid?: [number, number];
  /** Called after every step (progress display). */
  onStep?: (t: Trainer) => void;
  /** Called at every tick with its log record. */
  onTick?: (record: Record<string, unknown>, t: Trainer) => void;
  /** The data set's file name, recorded in each snapshot's config.json (`training.dataset`). */
  datasetName?: string;
  /** The tool recorded in each snapshot's config.json (`training.tool`; default 'stylelab train'). */
  tool?: string;
  /** Real images for the SWD at snapshots (when options.metrics has 'swd'; default 256, at most the data set). */
  metricImages?: number;
  /**
   * The other metrics of options.metrics at each snapshot, given its folder (as train.py's calc_metric on the
   * snapshot's G_ema); returns the values to log as `Metrics/<name>` in stats.jsonl.
   */
  snapshotMetrics?: (snapshotDir: string) => Promise<Record<string, number>>;
}

export interface TrainRunResult {
  snapshots: string[];
  ticks: TickStats[];
  curNimg: number;
}

/**
 * A trainer with new networks, or continuing a resume source (networks, counters, optimizer and ADA state).
 * @example const t = createTrainer(engine, data, options, readResumeSource('runs/a/network-snapshot-000004'));
 */
export function createTrainer(engine: E.Engine, data: TrainingData, o: TrainingOptions, resume?: ResumeSource): Trainer {
  const arch = trainingArch(o.cfg);
  const networks = resume ? arch.fromCheckpoint(resume.checkpoint) : arch.create(o, data);
  const counters = resume?.state?.counters ?? (resume?.curNimg ? { curNimg: resume.curNimg, tick: 0, batchIdx: 0, tickStartNimg: resume.curNimg, plMean: 0 } : undefined);
  const trainer = new Trainer({ engine, arch, data, options: o, networks, counters, ada: resume ? resumedAda(o, resume) : undefined });
  if (resume) restoreOptimizers(trainer, resume);
  return trainer;
}

/** config.json's `training` for a snapshot of this run. */
function provenance(r: TrainRunOptions, t: Trainer): TrainingProvenance {
  const dataset = r.datasetName === undefined ? undefined : { name: r.datasetName, images: r.data.size, resolution: r.data.resolution, mirror: r.options.mirror };
  return { tool: r.tool ?? 'stylelab train', cfg: r.options.cfg, kimg: t.counters.curNimg / 1000, ...(dataset ? { dataset } : {}) };
}

/**
 * Trains until `options.kimg` thousand images (or the resumed run's end), writing into `outdir`: reals.png,
 * fakes_init.png, fakes<kimg>.png, network-snapshot-<kimg>/ and stats.jsonl.
 * @example await trainRun({ engine, data, options, outdir: 'runs/shapes' });
 */
export async function trainRun(r: TrainRunOptions): Promise<TrainRunResult> {
  const o = r.options;
  const trainer = createTrainer(r.engine, r.data, o, r.resume);
  const [cols, rows] = r.grid ?? [8, 4];
  const n = cols * rows;
  const G = trainer.nets.G_ema;
  const renderer = new GeneratorRenderer(r.engine, G, Math.min(n, 8));
  const result: TrainRunResult = { snapshots: [], ticks: [], curNimg: 0 };
  try {
    const gridZ = gridLatents(o.seed, n, G.zDim);
    const gridC = new Float32Array(n * G.cDim);
    for (let i = 0; i < n && G.cDim; i++) gridC.set(r.data.label(i % r.data.size), i * G.cDim);
    const render = (z: Float32Array, c: Float32Array) => renderer.render(z, c);
    const C = G.imgChannels;
    const R = G.imgResolution;
    if (trainer.counters.curNimg === 0 && trainer.counters.tick === 0) {
      const reals = new Float32Array(n * C * R * R);
      for (let i = 0; i < n; i++) (await r.data.image(i % r.data.size)).forEach((v, k) => (reals[i * C * R * R + k] = v / 127.5 - 1));
      await writeGrid(join(r.outdir, 'reals.png'), reals, n, C, R, cols);
      await writeGrid(join(r.outdir, 'fakes_init.png'), await render(gridZ, gridC), n, C, R, cols);
    }
    const swd = o.metrics.includes('swd') ? await swdMetric(r.engine, r.data, r.metricImages ?? 256) : null;
    await trainer.prepare();
    while (!trainer.done) {
      await trainer.step();
      r.onStep?.(trainer);
      if (!trainer.tickDue) continue;
      const stats = trainer.tickStats();
      const extra: Record<string, unknown> = {};
      if (trainer.snapshotDue) {
        const kimgTag = String(Math.floor(trainer.counters.curNimg / 1000)).padStart(6, '0');
        await writeGrid(join(r.outdir, `fakes${kimgTag}.png`), await render(gridZ, gridC), n, C, R, cols);
        const dir = join(r.outdir, snapshotName(trainer.counters.curNimg));
        // The snapshot is of the state after this tick, so a resumed run starts the next one.
        trainer.endTick();
        saveSnapshot(trainer, dir, provenance(r, trainer));
        if (result.snapshots.at(-1) !== dir) result.snapshots.push(dir); // short ticks can share a kimg name
        extra.snapshot = snapshotName(trainer.counters.curNimg);
        if (swd) Object.assign(extra, await swd(G, render));
        if (r.snapshotMetrics) for (const [k, v] of Object.entries(await r.snapshotMetrics(dir))) extra[`Metrics/${k}`] = v;
      } else trainer.endTick();
      const record = tickRecord(stats, extra);
      appendJsonl(join(r.outdir, 'stats.jsonl'), record);
      result.ticks.push(stats);
      r.onTick?.(record, trainer);
    }
    result.curNimg = trainer.counters.curNimg;
    return result;
  } finally {
    await renderer.dispose();
    await trainer.dispose();
  }
}
