// npm run bench:train: training images per second at 64x64 (StyleGAN2, channel_base 8192, channel_max 512,
// batch 8, official train.py defaults otherwise, no augmentation) with every phase: G main each step,
// path-length regularization every 4, D main each step, R1 every 16. Times each phase (run + Adam) over the
// first `--steps` steps (step 0 runs all four) and prints the schedule-weighted rate, and the wall-clock rate.
// Official reference (../shared/ENGINE.md class of machine, PyTorch CPU): about 1 img/s, without path length.
import { createEngine } from '../src/node.js';
import { arg, noiseData } from './train-common.js';
import type { Phase } from '../src/train/loss.js';
import { defaultTrainingOptions } from '../src/train/options.js';
import { createTrainer } from '../src/train/run.js';

const steps = arg('steps', 5);
const threads = arg('threads', 2);
const R = arg('res', 64);
const batch = arg('batch', 8);

const engine = createEngine({ threads });
const options = { ...defaultTrainingOptions('stylegan2', batch, 1), cbase: arg('cbase', 8192), aug: 'noaug' as const, kimg: 1e6 };
const trainer = createTrainer(engine, noiseData(64, R), options);
try {
  let t = performance.now();
  await trainer.prepare();
  const compileS = (performance.now() - t) / 1000;
  t = performance.now();
  for (let k = 0; k < steps; k++) await trainer.step();
  const wallS = (performance.now() - t) / 1000;
  const mean = (p: Phase) => {
    const m = trainer.phaseMs.get(p);
    return m ? m.total / m.count / 1000 : 0;
  };
  // Seconds per step on the official schedule: main phases every step, Greg 1 in 4, Dreg 1 in 16.
  const perStep = mean('Gmain') + mean('Dmain') + mean('Greg') / (options.gRegInterval ?? 1) + mean('Dreg') / options.dRegInterval;
  const withoutPl = perStep - mean('Greg') / (options.gRegInterval ?? 1);
  console.log(`StyleGAN2 ${R}x${R}, channel_base ${options.cbase}, batch ${batch}, ${threads} threads, ${steps} steps after compiling (${compileS.toFixed(1)} s)`);
  for (const p of ['Gmain', 'Greg', 'Dmain', 'Dreg'] as Phase[]) console.log(`  ${p.padEnd(6)} ${(mean(p) * 1000).toFixed(0).padStart(7)} ms per run (x${trainer.phaseMs.get(p)?.count ?? 0})`);
  console.log(`  schedule-weighted: ${(batch / perStep).toFixed(2)} img/s with path length, ${(batch / withoutPl).toFixed(2)} img/s without (official ~1 img/s without)`);
  console.log(`  wall clock over the ${steps} steps: ${((steps * batch) / wallS).toFixed(2)} img/s (step 0 runs all four phases)`);
} finally {
  await trainer.dispose();
  await engine.dispose();
}
