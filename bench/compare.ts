// npm run bench:compare [-- --quick] [-- --only sg2-256,drag-256] [-- --iters N] [-- --json out.json] [-- --spin] [-- --no-torch]
// Each workload runs in stylelab (bench/compare-worker.ts) and in a PyTorch reference of the same network shapes
// and weights (bench/compare_torch.py; Debian's python3-torch, `bash scripts/install-torch.sh`), both workers
// alive at once and driven alternately (stylelab, PyTorch, stylelab, PyTorch, ...) so that the machine's load
// falls on both alike. Prints per workload: median and min wall ms, the ratio stylelab / PyTorch, process CPU ms
// per run (all threads of each worker, from its own getrusage), first-call time (stylelab compiles then), peak
// RSS of each worker and the 1-minute load average sampled during the timed runs.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

interface Workload {
  name: string;
  what: string;
  /** Timed runs (full, quick); the first call is not timed. */
  iters: [number, number];
  /** Left out of --quick. */
  long?: boolean;
  /** Where the PyTorch reference differs from the official code. */
  note: string;
  /** The issue's goal for the ratio stylelab / PyTorch (time per unit of work), if any. */
  target?: number;
}

const REF_SG2 = 'networks_stylegan2 + reference ops (upfirdn2d/bias_act/conv2d_resample), same weights';
const WORKLOADS: Workload[] = [
  { name: 'sg2-256', what: 'StyleGAN2 256x256 (cbase 16384), z -> image', iters: [10, 4], target: 0.45, note: `${REF_SG2}; fused modconv (inference)` },
  { name: 'sg2-1024', what: 'StyleGAN2 1024x1024 (cbase 32768), z -> image', iters: [5, 2], target: 0.5, note: `${REF_SG2}; fused modconv (inference)` },
  { name: 'sg3-t-256', what: 'StyleGAN3-T 256x256, z -> image (psi 0.7)', iters: [3, 2], target: 0.1, note: 'networks_stylegan3 + filtered_lrelu reference path; filters from our weights file (no scipy)' },
  { name: 'sg3-r-256', what: 'StyleGAN3-R 256x256, z -> image (psi 0.7)', iters: [3, 1], target: 0.1, note: 'as T; radial down filters' },
  { name: 'sg3-t-1024', what: 'StyleGAN3-T 1024x1024, z -> image, once', iters: [1, 1], long: true, note: 'as T 256' },
  { name: 'drag-256', what: 'DragGAN step, SG2 256x256, one point', iters: [6, 3], target: 0.5, note: 'viz/renderer.py _render_drag_impl (w+, Adam); G as sg2, fused modconv' },
  { name: 'drag-256-mask', what: 'DragGAN step, 256x256, one point + mask', iters: [6, 3], target: 0.5, note: 'as drag-256, with the fixed-region L1 term' },
  { name: 'drag-512', what: 'DragGAN step, SG2 512x512 (cbase 32768), one point', iters: [5, 2], target: 0.5, note: 'as drag-256' },
  { name: 'drag-512-mask', what: 'DragGAN step, 512x512, one point + mask', iters: [5, 2], long: true, target: 0.5, note: 'as drag-256-mask' },
  { name: 'train-sg2-64', what: 'SG2 training 64x64 (cbase 8192, batch 8, pl on), one step of all 4 phases', iters: [3, 2], target: 1 / 1.5, note: 'loss.py/training_loop.py phases, Adam, EMA; no augmentation; same initial weights' },
  { name: 'ugatit-translate-light', what: 'U-GAT-IT translate 256x256, light, ch 64', iters: [5, 3], note: 'bench/ugatit_torch.py (from the paper), own random weights' },
  { name: 'ugatit-translate-full', what: 'U-GAT-IT translate 256x256, full, ch 64', iters: [3, 2], long: true, note: 'as light' },
  { name: 'ugatit-train-128', what: 'U-GAT-IT training iteration, light, 128x128', iters: [2, 1], long: true, note: 'as light' },
];

/** Official training schedule: Gmain and Dmain every step, Greg 1 in 4, Dreg 1 in 16. */
const SCHEDULE: Record<string, number> = { Gmain: 1, Greg: 1 / 4, Dmain: 1, Dreg: 1 / 16 };
const TRAIN_BATCH = 8;

type Msg = Record<string, unknown> & { ms?: number; cpuMs?: number; phases?: Record<string, { ms: number; cpuMs: number }> };

/** A worker process speaking one JSON object per line. */
class Worker {
  private readonly lines: AsyncIterator<string>;
  constructor(readonly proc: ChildProcessWithoutNullStreams, readonly label: string) {
    this.lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
    proc.stderr.on('data', (d: Buffer) => process.stderr.write(`[${label}] ${d}`));
  }
  async next(): Promise<Msg> {
    for (;;) {
      const r = await this.lines.next();
      if (r.done) throw new Error(`${this.label} exited (code ${this.proc.exitCode})`);
      if (r.value.startsWith('{')) return JSON.parse(r.value) as Msg;
    }
  }
  async run(): Promise<Msg> {
    this.proc.stdin.write('run\n');
    return this.next();
  }
  async quit(): Promise<number> {
    this.proc.stdin.write('quit\n');
    const m = await this.next();
    this.proc.stdin.end();
    return m.peakMiB as number;
  }
}

const here = dirname(fileURLToPath(import.meta.url));
const benchSrc = join(here, '..', '..', 'bench'); // dist/bench -> bench (the .py files are not compiled)
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';

function torchVersion(): string | null {
  try {
    return execFileSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => (xs.length ? sorted(xs)[Math.floor(xs.length / 2)]! : NaN);
const min = (xs: number[]) => (xs.length ? sorted(xs)[0]! : NaN);

interface Side {
  ms: number[];
  cpuMs: number[];
  firstMs: number;
  peakMiB: number;
  phases: Record<string, { ms: number[]; cpuMs: number[] }>;
}

function side(): Side {
  return { ms: [], cpuMs: [], firstMs: NaN, peakMiB: NaN, phases: {} };
}

function record(s: Side, m: Msg): void {
  s.ms.push(m.ms!);
  s.cpuMs.push(m.cpuMs!);
  for (const [p, v] of Object.entries(m.phases ?? {})) {
    const e = (s.phases[p] ??= { ms: [], cpuMs: [] });
    e.ms.push(v.ms);
    e.cpuMs.push(v.cpuMs);
  }
}

/** Schedule-weighted images per second from per-phase medians (of wall or CPU ms). */
function trainRate(s: Side, key: 'ms' | 'cpuMs', withPl = true): number {
  let perStep = 0;
  for (const [p, w] of Object.entries(SCHEDULE)) if (withPl || p !== 'Greg') perStep += (median(s.phases[p]?.[key] ?? []) * w) / 1000;
  return TRAIN_BATCH / perStep;
}

/**
 * Environments of the two workers. By default neither runtime's idle threads spin (ORT's allow_spinning 0,
 * OpenMP's passive wait policy): on a machine shared with other jobs spinning threads inflate process CPU time
 * several times over (PyTorch 256x256: 1730 vs 463 CPU ms per image at a load average of 14). `--spin` keeps
 * each runtime's default.
 */
function envs(spin: boolean): { stylelab: NodeJS.ProcessEnv; torch: NodeJS.ProcessEnv } {
  if (spin) return { stylelab: process.env, torch: process.env };
  return { stylelab: { ...process.env, BENCH_SPIN: '0' }, torch: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } };
}

async function bench(w: Workload, iters: number, torch: boolean, spin: boolean): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), `stylelab-compare-${w.name}-`));
  const workerJs = join(here, 'compare-worker.js');
  const threads = process.env.BENCH_THREADS ?? '2';
  try {
    execFileSync(process.execPath, [workerJs, 'export', w.name, dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    const env = envs(spin);
    const a = new Worker(spawn(process.execPath, ['--max-old-space-size=8192', workerJs, 'run', w.name, dir], { stdio: 'pipe', env: env.stylelab }), 'stylelab');
    const A = side();
    A.firstMs = (await a.next()).firstMs as number;
    const B = side();
    let b: Worker | null = null;
    if (torch) {
      b = new Worker(spawn(PYTHON, [join(benchSrc, 'compare_torch.py'), w.name, dir, threads], { stdio: 'pipe', env: env.torch }), 'torch');
      B.firstMs = (await b.next()).firstMs as number;
    }
    const loads: number[] = [loadavg()[0]!];
    const timer = setInterval(() => loads.push(loadavg()[0]!), 2000);
    for (let i = 0; i < iters; i++) {
      record(A, await a.run());
      if (b) record(B, await b.run());
      process.stderr.write(`  ${w.name} ${i + 1}/${iters}: stylelab ${A.ms.at(-1)!.toFixed(0)} ms${b ? `, PyTorch ${B.ms.at(-1)!.toFixed(0)} ms` : ''} (load ${loadavg()[0]!.toFixed(1)})\n`);
    }
    clearInterval(timer);
    loads.push(loadavg()[0]!);
    A.peakMiB = await a.quit();
    if (b) B.peakMiB = await b.quit();
    const check = outputCheck(dir);
    const load = { mean: loads.reduce((x, y) => x + y, 0) / loads.length, min: Math.min(...loads), max: Math.max(...loads) };
    const out: Record<string, unknown> = { workload: w.name, what: w.what, iters, stylelab: summary(A), torch: b ? summary(B) : null, load, check, note: w.note, target: w.target ?? null };
    if (w.name.startsWith('train')) {
      out.trainImgPerSec = {
        stylelab: { wall: trainRate(A, 'ms'), cpu: trainRate(A, 'cpuMs'), wallNoPl: trainRate(A, 'ms', false) },
        torch: b ? { wall: trainRate(B, 'ms'), cpu: trainRate(B, 'cpuMs'), wallNoPl: trainRate(B, 'ms', false) } : null,
      };
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The largest difference between the two first images, relative to their peak (generators only; null when either is missing). */
function outputCheck(dir: string): number | null {
  const read = (f: string) => (existsSync(join(dir, f)) ? new Float32Array(Uint8Array.from(readFileSync(join(dir, f))).buffer) : null);
  const a = read('out-stylelab.f32');
  const b = read('out-torch.f32');
  if (!a || !b || a.length !== b.length) return null;
  let diff = 0;
  let peak = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    peak = Math.max(peak, Math.abs(b[i]!));
  }
  return diff / peak;
}

function summary(s: Side): Record<string, unknown> {
  const phases: Record<string, unknown> = {};
  for (const [p, v] of Object.entries(s.phases)) phases[p] = { ms: median(v.ms), cpuMs: median(v.cpuMs) };
  return { ms: median(s.ms), minMs: min(s.ms), cpuMs: median(s.cpuMs), firstMs: s.firstMs, peakMiB: s.peakMiB, runs: s.ms, ...(s.ms.length && Object.keys(phases).length ? { phases } : {}) };
}

const f0 = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(0) : '-');

function table(rows: Record<string, unknown>[]): string {
  const head = '| workload | stylelab ms (median, min) | PyTorch ms (median, min) | ratio | CPU ms stylelab / PyTorch (ratio) | goal | first call stylelab / PyTorch ms | peak RSS MiB stylelab / PyTorch | load avg (mean, min-max) |';
  const out = [head, '| --- | --- | --- | --- | --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    const a = r.stylelab as Record<string, number>;
    const b = r.torch as Record<string, number> | null;
    const l = r.load as Record<string, number>;
    const ratio = b ? `${(a.ms! / b.ms!).toFixed(2)}x` : '-';
    const cpu = `${f0(a.cpuMs)} / ${b ? f0(b.cpuMs) : '-'}${b ? ` (${(a.cpuMs! / b.cpuMs!).toFixed(2)}x)` : ''}`;
    const t = r.target as number | null;
    // Training: judged on the schedule-weighted rate (time per image), not on one step of all four phases.
    const rate = r.trainImgPerSec as Record<string, Record<string, number> | null> | undefined;
    const [wallRatio, cpuRatio] = rate?.torch ? [rate.torch.wall! / rate.stylelab!.wall!, rate.torch.cpu! / rate.stylelab!.cpu!] : b ? [a.ms! / b.ms!, a.cpuMs! / b.cpuMs!] : [NaN, NaN];
    const goal = t === null ? '-' : `<= ${t.toFixed(2)}x${b ? ` (wall ${wallRatio <= t ? 'met' : 'not met'}, CPU ${cpuRatio <= t ? 'met' : 'not met'})` : ''}`;
    out.push(`| ${r.workload} | ${f0(a.ms)} (${f0(a.minMs)}) | ${b ? `${f0(b.ms)} (${f0(b.minMs)})` : '-'} | ${ratio} | ${cpu} | ${goal} | ${f0(a.firstMs)} / ${b ? f0(b.firstMs) : '-'} | ${f0(a.peakMiB)} / ${b ? f0(b.peakMiB) : '-'} | ${l.mean!.toFixed(1)} (${l.min!.toFixed(1)}-${l.max!.toFixed(1)}) |`);
  }
  return out.join('\n');
}

function trainTable(r: Record<string, unknown>): string {
  const rate = r.trainImgPerSec as Record<string, Record<string, number> | null>;
  const a = r.stylelab as { phases: Record<string, { ms: number; cpuMs: number }> };
  const b = r.torch as { phases: Record<string, { ms: number; cpuMs: number }> } | null;
  const lines = ['| phase (per run) | stylelab wall / CPU ms | PyTorch wall / CPU ms | ratio (wall, CPU) |', '| --- | --- | --- | --- |'];
  for (const p of Object.keys(SCHEDULE)) {
    const x = a.phases[p]!;
    const y = b?.phases[p];
    lines.push(`| ${p} | ${f0(x.ms)} / ${f0(x.cpuMs)} | ${y ? `${f0(y.ms)} / ${f0(y.cpuMs)}` : '-'} | ${y ? `${(x.ms / y.ms).toFixed(2)}x, ${(x.cpuMs / y.cpuMs).toFixed(2)}x` : '-'} |`);
  }
  const s = rate.stylelab!;
  const t = rate.torch;
  lines.push(`| img/s, schedule-weighted, pl on (from wall / from CPU) | ${s.wall!.toFixed(2)} / ${s.cpu!.toFixed(2)} | ${t ? `${t.wall!.toFixed(2)} / ${t.cpu!.toFixed(2)}` : '-'} | ${t ? `${(s.wall! / t.wall!).toFixed(2)}x, ${(s.cpu! / t.cpu!).toFixed(2)}x faster` : '-'} |`);
  lines.push(`| img/s without path length (wall) | ${s.wallNoPl!.toFixed(2)} | ${t ? t.wallNoPl!.toFixed(2) : '-'} | |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const quick = args.includes('--quick');
  const only = opt('only')?.split(',');
  const unknown = only?.filter((n) => !WORKLOADS.some((w) => w.name === n));
  if (unknown?.length) throw new Error(`unknown workload(s) ${unknown.join(', ')}; known: ${WORKLOADS.map((w) => w.name).join(', ')}`);
  const chosen = WORKLOADS.filter((w) => (only ? only.includes(w.name) : !(quick && w.long)));
  const version = args.includes('--no-torch') ? null : torchVersion();
  if (args.includes('--no-torch')) console.log('PyTorch side skipped (--no-torch)');
  else if (!version) console.log(`PyTorch side skipped: '${PYTHON} -c "import torch"' failed (install it with: bash scripts/install-torch.sh)`);
  const started = new Date();
  console.log(`bench:compare ${started.toISOString()}, ${process.env.BENCH_THREADS ?? 2} threads per side (idle threads ${args.includes('--spin') ? 'spin (runtime defaults)' : 'do not spin'}), PyTorch ${version ?? 'missing'}, load average at start ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  const rows: Record<string, unknown>[] = [];
  for (const w of chosen) {
    const iters = Number(opt('iters') ?? w.iters[quick ? 1 : 0]);
    process.stderr.write(`${w.name}: ${w.what}\n`);
    rows.push(await bench(w, iters, version !== null, args.includes('--spin')));
  }
  console.log(table(rows));
  for (const r of rows) if (r.trainImgPerSec) console.log(`\n${r.workload}:\n${trainTable(r)}`);
  console.log('\nNotes (how each PyTorch reference relates to the official code):');
  for (const r of rows) {
    const check = typeof r.check === 'number' ? ` Outputs (first image, same weights and z) differ by at most ${(r.check as number).toExponential(1)} of their peak.` : '';
    console.log(`- ${r.workload}: ${r.what}. ${r.note}.${check}`);
  }
  const json = opt('json');
  if (json) writeFileSync(json, JSON.stringify({ started: started.toISOString(), torch: version, threads: Number(process.env.BENCH_THREADS ?? 2), rows }, null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
