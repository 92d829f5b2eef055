// The stylelab side of `npm run bench:compare` (bench/compare.ts starts it; bench/compare_torch.py is the
// PyTorch side). `export <workload> <dir>` writes the workload's random weights to <dir>/weights.safetensors
// under their official names (so the PyTorch reference runs the same weights) and exits; `run <workload>`
// builds the workload, runs it once (the first call, compiling included), prints {"ready": ...} and then runs
// it once per 'run' line on stdin, printing {"ms", "cpuMs", ...} each time; 'quit' prints the peak RSS and exits.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createEngine, createTrainer, defaultTrainingOptions, generator3Specs, initialize3, StyleGAN2Generator, StyleGAN3Generator, Weights, zFromSeed, type Engine, type Trainer } from '../src/node.js';
import { DragSession } from '../src/drag/session.js';
import { writeSafetensors } from '../src/io/safetensors.js';
import type { TensorData } from '../src/io/tensor.js';
import { generatorSpecs, initialize } from '../src/nets/stylegan2/init.js';
import { validateUgatitConfig } from '../src/nets/ugatit/config.js';
import { UgatitModel } from '../src/models/ugatit.js';
import type { Phase } from '../src/train/loss.js';
import { initUgatit } from '../src/train/ugatit/init.js';
import { DEFAULT_TRAIN_OPTIONS, UgatitTrainer } from '../src/train/ugatit/trainer.js';
import { stylegan2Config, stylegan3Config } from './configs.js';
import { noiseData } from './train-common.js';

/** One workload in this process: `run` does one timed unit of work and may return extra figures. */
interface Runner {
  /** One unit of work; generators return their image (the first one is written for the output check). */
  run(): Promise<Record<string, unknown> | Float32Array | void>;
  dispose(): Promise<void>;
}

const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const engineFor = (): Engine => createEngine({ threads: THREADS, ...(process.env.BENCH_SPIN ? { intraOpSpinning: process.env.BENCH_SPIN !== '0' } : {}) });
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

const SG2_BASE: Record<number, number> = { 256: 16384, 512: 32768, 1024: 32768 };
const TRAIN = { res: 64, cbase: 8192, batch: 8 };

function sg2Tensors(res: number): Map<string, TensorData> {
  return initialize(generatorSpecs(stylegan2Config(res, SG2_BASE[res]!)), 0);
}

function sg3Tensors(name: string): Map<string, TensorData> {
  return initialize3(generator3Specs(stylegan3Config(name)), 0);
}

function trainerFor(engine: Engine): Trainer {
  const options = { ...defaultTrainingOptions('stylegan2', TRAIN.batch, 1), cbase: TRAIN.cbase, aug: 'noaug' as const, kimg: 1e6 };
  return createTrainer(engine, noiseData(64, TRAIN.res), options);
}

/** The weights the PyTorch side loads, by official name. */
function exportTensors(workload: string): Map<string, TensorData> | null {
  const [kind, a] = workload.split('-');
  if (kind === 'sg2' || kind === 'drag') return sg2Tensors(Number(a));
  if (kind === 'sg3') return sg3Tensors(workload.slice(4, 5).toUpperCase() + workload.split('-')[2]);
  if (kind === 'train') {
    const t = trainerFor(createEngine({ threads: 1 }));
    const out = new Map<string, TensorData>();
    for (const [role, net] of [['G', t.nets.G], ['D', t.nets.D]] as const) for (const [k, v] of net.tensors()) out.set(`${role}.${k}`, v);
    return out;
  }
  return null; // U-GAT-IT: same shapes, each side's own random weights
}

async function sg2(res: number): Promise<Runner> {
  const G = new StyleGAN2Generator(engineFor(), stylegan2Config(res, SG2_BASE[res]!), new Weights(sg2Tensors(res)));
  let i = 0;
  return { run: () => G.generate(zFromSeed(i++, 512), null, { psi: 1, noiseMode: 'const' }), dispose: () => G.dispose() };
}

async function sg3(name: string): Promise<Runner> {
  const G = new StyleGAN3Generator(engineFor(), stylegan3Config(name), new Weights(sg3Tensors(name)));
  let i = 0;
  return { run: () => G.generate(zFromSeed(i++, 512), null, { psi: 0.7 }), dispose: () => G.dispose() };
}

async function drag(res: number, masked: boolean): Promise<Runner> {
  const engine = engineFor();
  const G = new StyleGAN2Generator(engine, stylegan2Config(res, SG2_BASE[res]!), new Weights(sg2Tensors(res)));
  const s = await DragSession.create(G, { seed: 0 });
  const c = Math.round(res / 2);
  s.setPoints([[c, c]], [[c, c + Math.round(res / 4)]]);
  if (masked) s.setMask(Float32Array.from({ length: res * res }, (_, k) => (k < (res * res) / 2 ? 1 : 0))); // top half fixed
  return {
    run: async () => void (await s.step()),
    dispose: async () => {
      await s.dispose();
      await G.dispose();
      await engine.dispose();
    },
  };
}

/** One training step with all four phases (the step index is set to a multiple of 16), per-phase wall and CPU ms. */
async function train(): Promise<Runner> {
  const engine = engineFor();
  const trainer = trainerFor(engine);
  await trainer.prepare();
  // Phase boundaries: the trainer records each phase's time when it ends; the CPU since the previous mark is that phase's.
  let mark = process.cpuUsage();
  let phases: Record<string, { ms: number; cpuMs: number }> = {};
  const set = trainer.phaseMs.set.bind(trainer.phaseMs);
  trainer.phaseMs.set = (phase: Phase, v: { total: number; count: number }) => {
    const before = trainer.phaseMs.get(phase)?.total ?? 0;
    phases[phase] = { ms: v.total - before, cpuMs: cpuMs(mark) };
    mark = process.cpuUsage();
    return set(phase, v);
  };
  let k = 0;
  return {
    run: async () => {
      phases = {};
      trainer.counters.batchIdx = 16 * k++;
      mark = process.cpuUsage();
      await trainer.step();
      return { phases };
    },
    dispose: async () => {
      await trainer.dispose();
      await engine.dispose();
    },
  };
}

const image = (seed: number, size: number) => Float32Array.from({ length: 3 * size * size }, (_, i) => Math.sin(i * 0.001 + seed)); // [1, 3, size, size]

async function ugatitTranslate(light: boolean): Promise<Runner> {
  const model = new UgatitModel(engineFor(), initUgatit(validateUgatitConfig({ ch: 64, nRes: 4, imgSize: 256, light }), 0, ['genA2B']));
  let i = 0;
  return { run: async () => void (await model.translate('A2B', image(i++, 256), 1)), dispose: () => model.dispose() };
}

async function ugatitTrain(size: number): Promise<Runner> {
  const engine = createEngine({ threads: THREADS, graphOptimizationLevel: 'disabled' });
  const trainer = await UgatitTrainer.create(engine, initUgatit(validateUgatitConfig({ ch: 64, nRes: 4, imgSize: size, light: true }), 0), { ...DEFAULT_TRAIN_OPTIONS });
  let i = 0;
  return {
    run: async () => void (await trainer.step(image(2 * i, size), image(2 * i++ + 1, size))),
    dispose: async () => {
      await trainer.dispose();
      await engine.dispose();
    },
  };
}

function build(workload: string): Promise<Runner> {
  const p = workload.split('-');
  if (p[0] === 'sg2') return sg2(Number(p[1]));
  if (p[0] === 'sg3') return sg3(p[1]!.toUpperCase() + p[2]);
  if (p[0] === 'drag') return drag(Number(p[1]), p[2] === 'mask');
  if (workload === 'train-sg2-64') return train();
  if (p[0] === 'ugatit' && p[1] === 'translate') return ugatitTranslate(p[2] === 'light');
  if (p[0] === 'ugatit' && p[1] === 'train') return ugatitTrain(Number(p[2]));
  throw new Error(`unknown workload '${workload}'`);
}

async function main(): Promise<void> {
  const [mode, workload, dir] = process.argv.slice(2);
  if (mode === 'export') {
    const tensors = exportTensors(workload!);
    if (tensors) writeFileSync(join(dir!, 'weights.safetensors'), writeSafetensors(tensors));
    console.log(JSON.stringify({ exported: tensors !== null }));
    return;
  }
  const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
  let t = performance.now();
  const runner = await build(workload!);
  const setupMs = performance.now() - t;
  t = performance.now();
  const c0 = process.cpuUsage();
  const first = await runner.run(); // the first call: compiles the programs
  if (first instanceof Float32Array) writeFileSync(join(dir!, 'out-stylelab.f32'), new Uint8Array(first.buffer, first.byteOffset, first.byteLength));
  say({ ready: true, setupMs, firstMs: performance.now() - t, firstCpuMs: cpuMs(c0) });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'run') {
      const c = process.cpuUsage();
      t = performance.now();
      const extra = await runner.run();
      say({ ms: performance.now() - t, cpuMs: cpuMs(c), ...(extra instanceof Float32Array ? {} : (extra ?? {})) });
    } else if (line === 'quit') break;
  }
  await runner.dispose();
  say({ peakMiB: process.resourceUsage().maxRSS / 1024 });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
