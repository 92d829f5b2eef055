// npm run bench:ugatit: U-GAT-IT at the official size (ch 64, 4 residual blocks, 256x256, random weights):
// milliseconds per translated image in light and full mode, and training iterations per second in light mode
// (batch 1: one discriminator and one generator update; `train-light 2 3 disabled 256` for the official size). Each part runs in its own process (own peak RSS).
// Compare with bench/ugatit_torch.py (the same shapes in PyTorch; not run by tests).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../src/node.js';
import { validateUgatitConfig } from '../src/nets/ugatit/config.js';
import { UgatitModel } from '../src/models/ugatit.js';
import { initUgatit } from '../src/train/ugatit/init.js';
import { DEFAULT_TRAIN_OPTIONS, UgatitTrainer } from '../src/train/ugatit/trainer.js';

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, n: xs.length };
};
/** CPU milliseconds (all threads) per call since `since`: steadier than wall time on a shared machine. */
const cpuMsPer = (since: NodeJS.CpuUsage, n: number): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000 / n;
};
const image = (seed: number, size = 256) => Float32Array.from({ length: 3 * size * size }, (_, i) => Math.sin(i * 0.001 + seed)); // [1, 3, size, size]

async function translate(light: boolean, threads: number, iters: number): Promise<void> {
  const cfg = validateUgatitConfig({ ch: 64, nRes: 4, imgSize: 256, light });
  const engine = createEngine({ threads });
  const model = new UgatitModel(engine, initUgatit(cfg, 0, ['genA2B']));
  let t = performance.now();
  await model.translate('A2B', image(0), 1);
  const firstMs = performance.now() - t;
  const times: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < iters; i++) {
    t = performance.now();
    await model.translate('A2B', image(i + 1), 1);
    times.push(performance.now() - t);
  }
  const cpuMs = cpuMsPer(cpu, iters);
  await model.dispose();
  console.log(JSON.stringify({ part: `translate-${light ? 'light' : 'full'}`, threads, firstMs, ms: stats(times), cpuMsPerImage: cpuMs, peakMiB: process.resourceUsage().maxRSS / 1024 }));
}

async function train(threads: number, iters: number, level: 'disabled' | 'all', size: number): Promise<void> {
  const cfg = validateUgatitConfig({ ch: 64, nRes: 4, imgSize: size, light: true });
  const engine = createEngine({ threads, graphOptimizationLevel: level });
  let t = performance.now();
  const trainer = await UgatitTrainer.create(engine, initUgatit(cfg, 0), { ...DEFAULT_TRAIN_OPTIONS });
  const compileMs = performance.now() - t;
  await trainer.step(image(0, size), image(1, size));
  const times: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < iters; i++) {
    t = performance.now();
    await trainer.step(image(2 * i, size), image(2 * i + 1, size));
    times.push(performance.now() - t);
  }
  const cpuMs = cpuMsPer(cpu, iters);
  await trainer.dispose();
  const ms = stats(times);
  console.log(JSON.stringify({ part: 'train-light', size, threads, optimization: level, compileMs, ms, itPerSec: 1000 / ms.median, cpuMsPerIteration: cpuMs, peakMiB: process.resourceUsage().maxRSS / 1024 }));
}

async function main(): Promise<void> {
  const [part, threadsArg, itersArg, level, sizeArg] = process.argv.slice(2);
  const threads = Number(threadsArg ?? 2);
  if (part === 'translate-light' || part === 'translate-full') return translate(part === 'translate-light', threads, Number(itersArg ?? 5));
  if (part === 'train-light') return train(threads, Number(itersArg ?? 3), (level ?? 'disabled') as 'disabled' | 'all', Number(sizeArg ?? 256));
  // No part: run each in a child process and print them all.
  // Training runs at 128x128 here to stay short; 256x256 (`train-light 2 3 disabled 256`) peaks at about 6.2 GiB.
  for (const args of [['translate-light', '2', '5'], ['translate-full', '2', '5'], ['train-light', '2', '3', 'disabled', '128']]) {
    const r = spawnSync(process.execPath, ['--max-old-space-size=8192', fileURLToPath(import.meta.url), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    process.stdout.write(r.stdout);
  }
}

await main();
