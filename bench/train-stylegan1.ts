// npm run bench:train-sg1: StyleGAN (v1) training images per second at 64x64 (channel_base 8192 as
// bench/train.ts, i.e. fmap_base 4096; batch 8, no augmentation) at three points of progressive growing: 8x8
// (the start), the 32x32 fade-in and 64x64 fully grown. Times Gmain, Dmain and Dreg (R1 every 16) per run and
// prints the schedule-weighted rate: the grown networks only run the levels shown so far.
import { createEngine } from '../src/node.js';
import { arg, noiseData } from './train-common.js';
import { trainingArch } from '../src/train/stylegan/registry.js';
import type { Phase } from '../src/train/loss.js';
import { Trainer } from '../src/train/loop.js';
import { defaultTrainingOptions } from '../src/train/options.js';

const steps = arg('steps', 3);
const threads = arg('threads', 2);
const R = arg('res', 64);
const batch = arg('batch', 8);

const engine = createEngine({ threads });
// 1-kimg phases: 8x8 from 0, 16x16 fades in at 1-2 kimg, 32x32 at 3-4, 64x64 at 5-6 and is alone from 6.
const options = { ...defaultTrainingOptions('stylegan1', batch, 10), cbase: arg('cbase', 8192), aug: 'noaug' as const, kimg: 1e6, lodTrainingKimg: 1, lodTransitionKimg: 1 };
const arch = trainingArch('stylegan1');
console.log(`StyleGAN (v1) ${R}x${R}, channel_base ${options.cbase} (fmap_base ${options.cbase / 2}), batch ${batch}, ${threads} threads, ${steps} steps per level after compiling`);
for (const [what, curNimg] of [['8x8 (lod 3)', 0], ['32x32 fading in (lod 1.5)', 3500], ['64x64 (lod 0)', 6000]] as const) {
  const data = noiseData(64, R);
  const trainer = new Trainer({ engine, arch, data, options, networks: arch.create(options, data), counters: { curNimg, tick: 1, batchIdx: 16, tickStartNimg: curNimg, plMean: 0 } });
  try {
    const t = performance.now();
    await trainer.prepare();
    const compileS = (performance.now() - t) / 1000;
    for (let k = 0; k < steps; k++) await trainer.step(); // batchIdx 16: the first step runs Dreg too
    const mean = (p: Phase) => {
      const m = trainer.phaseMs.get(p);
      return m ? m.total / m.count / 1000 : 0;
    };
    const perStep = mean('Gmain') + mean('Dmain') + mean('Dreg') / options.dRegInterval;
    const ms = (['Gmain', 'Dmain', 'Dreg'] as Phase[]).map((p) => `${p} ${(mean(p) * 1000).toFixed(0)} ms`).join(', ');
    console.log(`  ${what.padEnd(26)} ${(batch / perStep).toFixed(2).padStart(6)} img/s   (${ms}; compile ${compileS.toFixed(1)} s)`);
  } finally {
    await trainer.dispose();
  }
}
await engine.dispose();
