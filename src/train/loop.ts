// The training loop of NVlabs stylegan3 training/training_loop.py in TypeScript: phases Gmain, Greg (every
// G_reg_interval steps), Dmain, Dreg (every D_reg_interval) with one Adam per network, generator EMA with
// ramp-up, ADA's p heuristic, ticks. Each phase's graph is compiled once with the weights fed as inputs; every
// random draw of step k comes from seeds derived from (seed, k), so a resumed run continues exactly.
import { InfiniteSampler } from '../data/sampler.js';
import * as E from '../engine/index.js';
import { InputError } from '../errors.js';
import { RandomState } from '../random/numpy-random.js';
import { fastNormals } from '../random/normal.js';
import { seededSource } from '../random/source.js';
import { AdaController, augmentPipe, augmentSpec } from './augment.js';
import { blurFilter, type Phase, StyleGAN2Loss } from './loss.js';
import { NetworkOptimizer, phaseRuns } from './optimizer.js';
import type { TrainingOptions } from './options.js';
import type { Progressive, TrainingArch, TrainingNetworks } from './stylegan/arch.js';

/** Training images: the part of the data set interface (src/data/dataset.ts ImageDataset) the loop reads. */
export interface TrainingData {
  readonly size: number;
  readonly resolution: number;
  readonly channels: number;
  readonly labelDim: number;
  /** uint8 [C, R, R] (CHW). */
  image(i: number): Promise<Uint8Array>;
  /** One-hot [labelDim]. */
  label(i: number): Float32Array;
}

/** The counters a snapshot keeps so that a resumed run continues where it stopped. */
export interface TrainerCounters {
  curNimg: number;
  tick: number;
  batchIdx: number;
  tickStartNimg: number;
  plMean: number;
}

/** Mean losses and statistics since the last tick. */
export interface TickStats {
  tick: number;
  kimg: number;
  curNimg: number;
  secPerTick: number;
  secPerKimg: number;
  imgPerSec: number;
  augmentP: number;
  plMean: number;
  losses: Record<string, number>;
}

/** A derived 32-bit seed for (run seed, step, stream). */
function deriveSeed(seed: number, step: number, stream: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35) ^ Math.imul(stream + 7, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 13)) >>> 0;
}

interface CompiledPhase {
  prog: E.Program;
  params: E.Parameter[];
}

export interface TrainerInit {
  engine: E.Engine;
  arch: TrainingArch;
  data: TrainingData;
  options: TrainingOptions;
  networks: TrainingNetworks;
  counters?: TrainerCounters;
  ada?: AdaController | null;
}

/**
 * One training run in memory: networks, optimizers, counters, compiled phases.
 * @example const t = new Trainer({ engine, arch, data, options, networks }); while (!t.done) await t.step(); await t.dispose();
 */
export class Trainer {
  readonly engine: E.Engine;
  readonly arch: TrainingArch;
  readonly data: TrainingData;
  readonly options: TrainingOptions;
  readonly nets: TrainingNetworks;
  readonly optG: NetworkOptimizer;
  readonly optD: NetworkOptimizer;
  readonly ada: AdaController | null;
  counters: TrainerCounters;
  private readonly programs = new Map<string, Promise<CompiledPhase>>();
  private sampler: { sampler: InfiniteSampler; pos: number } | null = null;
  private sums = new Map<string, { total: number; count: number }>();
  /** Milliseconds spent in each phase's run and optimizer step since the trainer was made (for benchmarks). */
  readonly phaseMs = new Map<Phase, { total: number; count: number }>();
  private tickStartTime = Date.now();
  /** Progressive growing of architectures that grow (StyleGAN v1), else null. */
  readonly progressive: Progressive | null;
  /** The level of detail of the current step (0 without progressive growing). */
  lod = 0;

  constructor(init: TrainerInit) {
    const o = init.options;
    this.engine = init.engine;
    this.arch = init.arch;
    this.data = init.data;
    this.options = o;
    this.nets = init.networks;
    const G = this.nets.G;
    if (G.imgResolution !== init.data.resolution || G.imgChannels !== init.data.channels) {
      throw new InputError(`the networks make ${G.imgChannels}x${G.imgResolution}x${G.imgResolution} images but the data set holds ${init.data.channels}x${init.data.resolution}x${init.data.resolution}`);
    }
    if (G.cDim !== init.data.labelDim) throw new InputError(`the generator takes ${G.cDim} label values but the data set has ${init.data.labelDim} (use labels as the networks were trained)`);
    // As training_loop.py: the correction follows the configured interval, even when the regularizer weight is 0.
    this.optG = new NetworkOptimizer(G.parameters(), { lr: o.glr, betas: o.betas, eps: o.eps, regInterval: o.gRegInterval });
    this.optD = new NetworkOptimizer(this.nets.D.parameters(), { lr: o.dlr, betas: o.betas, eps: o.eps, regInterval: o.dRegInterval });
    this.ada = init.ada !== undefined ? init.ada : o.aug === 'ada' ? new AdaController({ target: o.target, interval: o.adaInterval, kimg: o.adaKimg, batch: o.batch, p: o.augP }) : null;
    this.counters = init.counters ?? { curNimg: 0, tick: 0, batchIdx: 0, tickStartNimg: 0, plMean: 0 };
    this.progressive = this.arch.progressive?.(this.nets, o, this.counters.curNimg) ?? null;
  }

  /** True once `kimg` thousand real images have been shown. */
  get done(): boolean {
    return this.counters.curNimg >= this.options.kimg * 1000;
  }

  /** The augmentation probability in use (0 without augmentation). */
  get augmentP(): number {
    return this.options.aug === 'noaug' ? 0 : this.options.aug === 'fixed' ? this.options.augP : (this.ada?.p ?? 0);
  }

  /** StyleGAN3-R's D blur sigma now (training/loss.py: fades linearly to 0 over blur_fade_kimg). */
  get blurSigma(): number {
    const o = this.options;
    return o.blurFadeKimg > 0 ? Math.max(1 - this.counters.curNimg / (o.blurFadeKimg * 1e3), 0) * o.blurInitSigma : 0;
  }

  private blurTaps(): number {
    return 2 * Math.floor(this.options.blurInitSigma * 3) + 1;
  }

  /** The interval of a phase (null: it never runs). */
  private interval(phase: Phase): number | null {
    const o = this.options;
    if (phase === 'Greg') return o.plWeight > 0 ? (o.gRegInterval ?? 1) : null;
    if (phase === 'Dreg') return o.gamma > 0 ? o.dRegInterval : null;
    return 1;
  }

  private compiled(phase: Phase, blur: boolean): Promise<CompiledPhase> {
    const key = `${phase}:${blur}:${this.progressive?.graphKey ?? ''}`;
    let p = this.programs.get(key);
    if (!p) {
      const o = this.options;
      const spec = o.aug === 'noaug' ? null : augmentSpec(o.augpipe);
      const loss = new StyleGAN2Loss(this.nets.G, this.nets.D, {
        batch: o.batch,
        r1Gamma: o.gamma,
        plWeight: o.plWeight,
        plDecay: o.plDecay,
        plBatchShrink: o.plBatchShrink,
        styleMixing: o.styleMixingProb > 0,
        noiseMode: 'random',
        augment: spec ? (x, prob) => augmentPipe(x, prob, spec) : undefined,
        blurTaps: blur ? this.blurTaps() : 0,
      });
      const gain = phase === 'Greg' || phase === 'Dreg' ? this.interval(phase)! : 1;
      const graph = loss.phase(phase, gain);
      // Without ORT's arena and memory pattern each phase does not keep its own peak reserved while the others
      // run (SG2 64x64, batch 8: peak RSS 6.0 -> 1.6 GiB at the same CPU time per phase).
      p = this.engine.compile(graph.outputs, 'inputs', { arena: false, pattern: false }).then((prog) => ({ prog, params: graph.params }));
      this.programs.set(key, p);
    }
    return p;
  }

  /** Compiles every phase the run will use (otherwise each compiles on first use). */
  async prepare(): Promise<void> {
    for (const phase of ['Gmain', 'Greg', 'Dmain', 'Dreg'] as Phase[]) if (this.interval(phase) !== null) await this.compiled(phase, this.blurSigma * 3 >= 1);
  }

  /** uint8 CHW of data set position `j` (positions past the end are x-flips, as --mirror). */
  private async image(j: number): Promise<Uint8Array> {
    const { size, resolution: R, channels: C } = this.data;
    const img = await this.data.image(j % size);
    if (img.length !== C * R * R) throw new InputError(`data set image ${j % size} has ${img.length} values, expected ${C}x${R}x${R}`);
    if (j < size) return img;
    const out = new Uint8Array(img.length);
    for (let row = 0; row < C * R; row++) for (let x = 0; x < R; x++) out[row * R + x] = img[row * R + R - 1 - x]!;
    return out;
  }

  /**
   * Indices of the real images of step k in the official order (InfiniteSampler with the run's seed over the
   * mirrored set); a resumed run replays the sampler up to its position, so the order continues exactly.
   */
  private realIndices(step: number): number[] {
    const B = this.options.batch;
    if (!this.sampler || this.sampler.pos !== step * B) {
      const sampler = new InfiniteSampler(this.data.size, { seed: this.options.seed, mirror: this.options.mirror });
      for (let i = 0; i < step * B; i++) sampler.next();
      this.sampler = { sampler, pos: step * B };
    }
    const out = Array.from({ length: B }, () => this.sampler!.sampler.next());
    this.sampler.pos += B;
    return out;
  }

  /** Real images [B, C, R, R] in [-1, 1] and their labels for step k. */
  private async realBatch(step: number): Promise<{ img: Float32Array; c: Float32Array }> {
    const { channels: C, resolution: R, labelDim } = this.data;
    const per = C * R * R;
    const idx = this.realIndices(step);
    const img = new Float32Array(idx.length * per);
    const c = new Float32Array(idx.length * labelDim);
    for (const [b, j] of idx.entries()) {
      const u8 = await this.image(j);
      for (let i = 0; i < per; i++) img[b * per + i] = u8[i]! / 127.5 - 1;
      if (labelDim) c.set(this.data.label(j % this.data.size), b * labelDim);
    }
    return { img, c };
  }

  private accumulate(name: string, values: ArrayLike<number>): void {
    const s = this.sums.get(name) ?? { total: 0, count: 0 };
    for (let i = 0; i < values.length; i++) s.total += values[i]!;
    s.count += values.length;
    this.sums.set(name, s);
  }

  /**
   * One training step (the official loop's body for one batch): the due phases, w_avg, EMA, counters, ADA.
   * @example await trainer.step();
   */
  async step(): Promise<void> {
    const o = this.options;
    const k = this.counters.batchIdx;
    const G = this.nets.G;
    const rs = new RandomState(deriveSeed(o.seed, k, 0));
    const B = o.batch;
    const R = G.imgResolution;
    // Progressive growing: grow to the schedule's level, reset Adam when layers appear, lr per resolution.
    const progressive = this.progressive;
    const grow = progressive?.advance(this.counters.curNimg);
    if (grow) {
      if (grow.resetOptimizers) {
        for (const opt of [this.optG, this.optD]) opt.reset();
        await this.releaseOtherLevels();
      }
      this.optG.setLearningRate(grow.GLrate);
      this.optD.setLearningRate(grow.DLrate);
      this.lod = grow.lod;
    }
    const real = await this.realBatch(k);
    if (progressive && grow && grow.lod > 0) real.img = progressive.processReals(real.img, B, G.imgChannels, R, grow.lod);
    const blur = this.blurSigma * 3 >= 1;
    let wMean: Float32Array | null = null;
    let gBoth: Map<string, Float32Array> | null = null;
    for (const [s, phase] of (['Gmain', 'Greg', 'Dmain', 'Dreg'] as Phase[]).entries()) {
      // Every phase draws its latents whether it runs or not, so streams do not depend on the schedule.
      const z = fastNormals(rs, B * G.zDim);
      const zMix = fastNormals(rs, B * G.zDim);
      const u = rs.randomSamples(2 + B);
      const interval = this.interval(phase);
      if (!phaseRuns(interval, k)) continue;
      const b = phase === 'Greg' ? Math.max(1, Math.floor(B / o.plBatchShrink)) : B;
      const { prog, params } = await this.compiled(phase, blur);
      const feeds: Record<string, E.Feed> = {};
      for (const info of prog.inputs) {
        if (info.name === 'z') feeds.z = z.subarray(0, b * G.zDim);
        else if (info.name === 'z_mix') feeds.z_mix = zMix.subarray(0, b * G.zDim);
        else if (info.name === 'mix_mask') feeds.mix_mask = this.mixMask(u[0]!, u[1]!);
        else if (info.name === 'c') feeds.c = this.genLabels(Array.from(u.subarray(2, 2 + b)));
        else if (info.name === 'real') feeds.real = real.img;
        else if (info.name === 'c_real') feeds.c_real = real.c;
        else if (info.name === 'pl_noise') feeds.pl_noise = fastNormals(rs, b * G.imgChannels * R * R).map((v) => v / R);
        else if (info.name === 'pl_mean') feeds.pl_mean = Float32Array.of(this.counters.plMean);
        else if (info.name === 'aug_p') feeds.aug_p = Float32Array.of(this.augmentP);
        else if (info.name === 'blur_filter') feeds.blur_filter = blurFilter(this.blurSigma, this.blurTaps());
      }
      const t0 = performance.now();
      const out = await prog.run(feeds, { random: seededSource(deriveSeed(o.seed, k, s + 1)) });
      const grads = new Map(params.map((p) => [p.name, out[`grad:${p.name}`]!.data]));
      if (phase === 'Gmain' && o.gRegInterval === null && phaseRuns(this.interval('Greg'), k)) {
        gBoth = grads; // 'Gboth': one update from the sum of both losses' gradients
      } else {
        if (phase === 'Greg' && gBoth) for (const [name, g] of gBoth) grads.set(name, grads.has(name) ? grads.get(name)!.map((v, i) => v + g[i]!) : g);
        (phase[0] === 'G' ? this.optG : this.optD).step(grads);
      }
      const ms = this.phaseMs.get(phase) ?? { total: 0, count: 0 };
      this.phaseMs.set(phase, { total: ms.total + performance.now() - t0, count: ms.count + 1 });
      this.accumulate(`Loss/${phase}`, out.loss!.data);
      if (out.real_logits) {
        this.accumulate('Loss/signs/real', out.real_logits.data.map(Math.sign));
        this.ada?.observe(out.real_logits.data);
      }
      if (out.fake_logits) this.accumulate('Loss/signs/fake', out.fake_logits.data.map(Math.sign));
      if (out.pl_mean_after) this.counters.plMean = out.pl_mean_after.data[0]!;
      if (out.w_mean) wMean = out.w_mean.data;
      // Synthesis EMAs updated in the D phase (StyleGAN3's magnitude_ema).
      for (const [key, v] of Object.entries(out)) if (key.startsWith('ema:')) G.weights.parameter(key.slice(4)).data.set(v.data);
    }
    // Track w_avg as G.mapping(update_emas=True) does in the D phase.
    if (wMean && G.wAvgName) {
      const wAvg = G.weights.parameter(G.wAvgName).data;
      for (let i = 0; i < wAvg.length; i++) wAvg[i] = wMean[i]! + G.wAvgBeta * (wAvg[i]! - wMean[i]!);
    }
    this.updateEma();
    this.counters.curNimg += B;
    this.counters.batchIdx += 1;
    this.ada?.afterStep();
  }

  /** Style mixing mask [1, numWs, 1]: 1 from a cutoff drawn in [1, numWs) with probability style_mixing_prob. */
  private mixMask(uCut: number, uProb: number): Float32Array {
    const n = this.nets.G.numWs;
    const inUse = this.progressive ? this.progressive.curLayers(this.lod) : n; // G_style draws below the layers in use
    const cutoff = uProb < this.options.styleMixingProb ? 1 + Math.floor(uCut * (inUse - 1)) : inUse;
    return Float32Array.from({ length: n }, (_, i) => (i >= cutoff ? 1 : 0));
  }

  /** Labels of random data set images for generated samples (the official gen_c). */
  private genLabels(u: number[]): Float32Array {
    const d = this.data.labelDim;
    const c = new Float32Array(u.length * d);
    u.forEach((v, b) => c.set(this.data.label(Math.floor(v * this.data.size)), b * d));
    return c;
  }

  /** G_ema = lerp(G, G_ema, beta) for parameters; buffers copied (training_loop.py). */
  private updateEma(): void {
    const o = this.options;
    let emaNimg = o.emaKimg * 1000;
    if (o.emaRampup !== null) emaNimg = Math.min(emaNimg, this.counters.curNimg * o.emaRampup);
    const beta = 0.5 ** (o.batch / Math.max(emaNimg, 1e-8));
    const ema = this.nets.G_ema.parameters();
    this.nets.G.parameters().forEach((p, i) => {
      const e = ema[i]!.data;
      const w = p.data;
      for (let j = 0; j < e.length; j++) e[j] = w[j]! + beta * (e[j]! - w[j]!);
    });
    const emaBuffers = this.nets.G_ema.buffers();
    this.nets.G.buffers().forEach((b, i) => emaBuffers[i]!.data.set(b.data));
  }

  /** True when the step just taken ends a tick (training_loop.py: every kimg_per_tick, and at the end). */
  get tickDue(): boolean {
    const c = this.counters;
    return this.done || c.tick === 0 || c.curNimg >= c.tickStartNimg + this.options.kimgPerTick * 1000;
  }

  /** True when this tick also writes a snapshot. */
  get snapshotDue(): boolean {
    return this.done || this.counters.tick % this.options.snap === 0;
  }

  /**
   * Closes a tick: returns its statistics and resets them (call when `tickDue`; then `endTick()`).
   * @example if (t.tickDue) { log(t.tickStats()); if (t.snapshotDue) await save(t); t.endTick(); }
   */
  tickStats(): TickStats {
    const c = this.counters;
    const now = Date.now();
    const sec = (now - this.tickStartTime) / 1000;
    const images = c.curNimg - c.tickStartNimg;
    const losses: Record<string, number> = {};
    for (const [k, s] of this.sums) losses[k] = s.total / Math.max(s.count, 1);
    this.sums = new Map();
    return {
      tick: c.tick,
      kimg: c.curNimg / 1000,
      curNimg: c.curNimg,
      secPerTick: sec,
      secPerKimg: images ? (sec / images) * 1000 : 0,
      imgPerSec: sec > 0 ? images / sec : 0,
      augmentP: this.augmentP,
      plMean: c.plMean,
      losses,
    };
  }

  /** Starts the next tick. */
  endTick(): void {
    this.counters.tick += 1;
    this.counters.tickStartNimg = this.counters.curNimg;
    this.tickStartTime = Date.now();
  }

  /** Releases the compiled phases of levels other than the current one (progressive growing). */
  private async releaseOtherLevels(): Promise<void> {
    const current = `:${this.progressive?.graphKey ?? ''}`;
    for (const [key, p] of [...this.programs]) {
      if (key.endsWith(current)) continue;
      this.programs.delete(key);
      await (await p.catch(() => null))?.prog.dispose();
    }
  }

  /** Releases the compiled phases. */
  async dispose(): Promise<void> {
    const all = [...this.programs.values()];
    this.programs.clear();
    for (const p of all) await (await p.catch(() => null))?.prog.dispose();
  }
}
