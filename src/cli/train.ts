// `stylelab train`: NVlabs stylegan3 train.py's options over the TypeScript training loop. Every option is checked
// before anything is loaded; the run writes into --outdir (reals.png, fakes*.png, network-snapshot-*/, stats.jsonl).
import { appendFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { openDataset } from '../data/dataset.js';
import { InputError } from '../errors.js';
import { createEngine } from '../node.js';
import { type AugMode, defaultTrainingOptions, TRAINING_CFGS, type TrainingCfg, type TrainingOptions, validateTrainingOptions } from '../train/options.js';
import { trainRun } from '../train/run.js';
import { readResumeSource, type ResumeSource } from '../train/snapshot.js';
import { checkOutdir, parseBatch, parseIndex, parseNumber } from './options.js';
import { DEFAULT_METRIC_BATCH, jsonlLine, measureNetwork } from './metrics.js';
import { progress } from './progress.js';
import { type GlobalOptions, withGenerator } from './session.js';
import { NetFiles } from '../metrics/net-files.js';
import { defaultCacheDir, FileStatsCache } from '../metrics/node-sources.js';
import { checkArch, metricsByName } from '../metrics/registry.js';

/** The options as commander hands them over (strings, checked here). */
export interface TrainArgs {
  data: string;
  outdir: string;
  cfg?: string;
  batch?: string;
  gamma?: string;
  kimg?: string;
  mirror?: boolean;
  cond?: boolean;
  aug?: string;
  augpipe?: string;
  target?: string;
  p?: string;
  resume?: string;
  snap?: string;
  tick?: string;
  seed?: string;
  glr?: string;
  dlr?: string;
  cbase?: string;
  cmax?: string;
  mapDepth?: string;
  zDim?: string;
  wDim?: string;
  mbstdGroup?: string;
  metrics?: string;
  /** Images per metric at snapshots (default: the metric name's 50k). */
  metricsNum?: string;
  inception?: string;
  vgg16?: string;
  lpips?: string;
  /** StyleGAN (v1): kimg per progressive phase (each resolution shown this long, then the next faded in this long). */
  lodKimg?: string;
}

/** kimg with the precision short runs need (0.004, 12.5, 2500.0). */
const kimgText = (kimg: number): string => kimg.toFixed(kimg < 10 ? 3 : 1);

const positiveNumber = (text: string, option: string): number => {
  const v = parseNumber(text, option);
  if (!(v > 0)) throw new InputError(`${option} must be positive, got ${text}`);
  return v;
};

/**
 * The training options from the command line (and, when resuming one of our snapshots, from its saved state).
 * @example trainingOptionsFrom({ data: 'd.zip', outdir: 'runs', cfg: 'stylegan2', batch: '8', gamma: '1' }, null)
 */
export function trainingOptionsFrom(a: TrainArgs, resume: ResumeSource | null): TrainingOptions {
  if (resume?.state) {
    // Our snapshot: the run continues with its own options; only its length and snapshot interval may change.
    const saved = resume.state.options;
    if (a.cfg !== undefined && a.cfg !== saved.cfg) throw new InputError(`--cfg ${a.cfg} differs from the resumed run's ${saved.cfg}`);
    return validateTrainingOptions({ ...saved, kimg: a.kimg === undefined ? saved.kimg : positiveNumber(a.kimg, '--kimg'), snap: a.snap === undefined ? saved.snap : parseIndex(a.snap, '--snap') });
  }
  if (a.cfg === undefined) throw new InputError(`--cfg is required (${TRAINING_CFGS.join(', ')})`);
  if (!TRAINING_CFGS.includes(a.cfg as TrainingCfg)) throw new InputError(`--cfg must be one of ${TRAINING_CFGS.join(', ')}, got '${a.cfg}'`);
  if (a.batch === undefined) throw new InputError('--batch is required');
  if (a.gamma === undefined) throw new InputError('--gamma is required (R1 weight, e.g. 1 at 64x64, 10 at 1024x1024)');
  const o = defaultTrainingOptions(a.cfg as TrainingCfg, parseBatch(a.batch), parseNumber(a.gamma, '--gamma'));
  if (a.kimg !== undefined) o.kimg = positiveNumber(a.kimg, '--kimg');
  o.mirror = !!a.mirror;
  if (a.aug !== undefined) {
    if (!['ada', 'noaug', 'fixed'].includes(a.aug)) throw new InputError(`--aug must be ada, noaug or fixed, got '${a.aug}'`);
    o.aug = a.aug as AugMode;
  }
  if (a.augpipe !== undefined) o.augpipe = a.augpipe;
  if (a.target !== undefined) o.target = parseNumber(a.target, '--target');
  if (a.p !== undefined) o.augP = parseNumber(a.p, '--p');
  else if (o.aug === 'fixed') o.augP = 0.2; // train.py's --p default
  if (a.snap !== undefined) o.snap = parseIndex(a.snap, '--snap');
  if (a.tick !== undefined) o.kimgPerTick = positiveNumber(a.tick, '--tick');
  if (a.seed !== undefined) o.seed = parseIndex(a.seed, '--seed');
  if (a.glr !== undefined) o.glr = positiveNumber(a.glr, '--glr');
  if (a.dlr !== undefined) o.dlr = positiveNumber(a.dlr, '--dlr');
  if (a.cbase !== undefined) o.cbase = parseIndex(a.cbase, '--cbase');
  if (a.cmax !== undefined) o.cmax = parseIndex(a.cmax, '--cmax');
  if (a.mapDepth !== undefined) o.mapDepth = parseIndex(a.mapDepth, '--map-depth');
  if (a.zDim !== undefined) o.zDim = parseIndex(a.zDim, '--z-dim');
  if (a.wDim !== undefined) o.wDim = parseIndex(a.wDim, '--w-dim');
  if (a.mbstdGroup !== undefined) o.mbstdGroup = parseIndex(a.mbstdGroup, '--mbstd-group');
  if (a.lodKimg !== undefined) {
    if (o.cfg !== 'stylegan1') throw new InputError('--lod-kimg applies to --cfg stylegan1 (progressive growing) only');
    o.lodTrainingKimg = o.lodTransitionKimg = positiveNumber(a.lodKimg, '--lod-kimg');
  }
  if (a.metrics !== undefined && a.metrics !== 'none') o.metrics = a.metrics.split(',').map((m) => m.trim());
  if (resume) {
    // train.py when resuming a pickle: ADA reacts faster, no EMA ramp-up, no blur ramp-up.
    o.adaKimg = 100;
    o.emaRampup = null;
    o.blurInitSigma = 0;
  }
  return validateTrainingOptions(o);
}

/**
 * The registry metrics of --metrics other than swd, computed on each snapshot as `stylelab metrics --network
 * <snapshot> --data <data>` would (train.py's calc_metric on G_ema), each result also appended to
 * <outdir>/metric-<name>.jsonl; undefined when there are none. Feature-network files are checked now, not
 * hours into the run.
 */
function snapshotMetrics(a: TrainArgs, o: TrainingOptions, g: GlobalOptions): ((dir: string) => Promise<Record<string, number>>) | undefined {
  const names = o.metrics.filter((m) => m !== 'swd');
  if (names.length === 0) {
    if (a.metricsNum !== undefined || a.inception !== undefined || a.vgg16 !== undefined || a.lpips !== undefined) {
      throw new InputError('--metrics-num, --inception, --vgg16 and --lpips apply to metrics other than swd in --metrics');
    }
    return undefined;
  }
  const defs = metricsByName(names.join(','));
  for (const d of defs) checkArch(d, o.cfg.startsWith('stylegan3') ? 'stylegan3' : o.cfg); // EQ-T of a StyleGAN2: now, not at the first snapshot
  const num = a.metricsNum === undefined ? null : parseIndex(a.metricsNum, '--metrics-num');
  if (num === 0) throw new InputError('--metrics-num must be at least 1');
  const nets = new NetFiles({ inception: a.inception, vgg16: a.vgg16, lpips: a.lpips });
  for (const d of defs) nets.check(d.nets, d.name);
  const cache = new FileStatsCache(defaultCacheDir());
  return (dir) =>
    withGenerator(dir, g, async (G) => {
      const results = await measureNetwork(G, a.data, defs, { num, seed: 0, batch: DEFAULT_METRIC_BATCH, nets, cache, quiet: g.quiet });
      const out: Record<string, number> = {};
      for (const r of results) {
        appendFileSync(join(a.outdir, `metric-${r.metric}.jsonl`), `${jsonlLine(r, basename(dir))}\n`);
        Object.assign(out, r.results);
      }
      return out;
    });
}

/**
 * Runs `stylelab train` and returns the summary line.
 * @example await runTrain({ data: 'shapes.zip', outdir: 'runs/shapes', cfg: 'stylegan2', batch: '8', gamma: '1', kimg: '10' }, {});
 */
export async function runTrain(a: TrainArgs, g: GlobalOptions): Promise<string> {
  checkOutdir(a.outdir);
  const resume = a.resume === undefined ? null : readResumeSource(a.resume);
  const options = trainingOptionsFrom(a, resume);
  const metricsAtSnapshots = snapshotMetrics(a, options, g); // feature-network files checked before anything runs
  const data = await openDataset(a.data, { useLabels: resume?.state ? undefined : !!a.cond });
  const engine = createEngine({ threads: g.threads });
  // Progress in images: a bar on a terminal, a line every few seconds in a log; the tick lines go to stdout.
  const terminal = !!process.stderr.isTTY;
  const startNimg = resume?.curNimg ?? 0; // a resumed run's rate and eta count only the images trained here
  const bar = progress(options.kimg * 1000, 'training', { quiet: g.quiet, initial: startNimg, count: (v, t) => `${kimgText(v / 1000)}/${t / 1000} kimg` });
  try {
    const start = Date.now();
    const result = await trainRun({
      engine,
      data,
      options,
      outdir: a.outdir,
      snapshotMetrics: metricsAtSnapshots,
      datasetName: basename(a.data.replace(/[/\\]+$/, '')),
      resume: resume ?? undefined,
      onStep: (t) => bar.update(t.counters.curNimg, `| ${(((t.counters.curNimg - startNimg) * 1000) / Math.max(Date.now() - start, 1)).toFixed(2)} img/s | augment ${t.augmentP.toFixed(3)}`),
      onTick: (r) => {
        if (terminal && !g.quiet) return;
        const losses = ['Loss/Gmain', 'Loss/Dmain'].map((k) => `${k.slice(5)} ${typeof r[k] === 'number' ? (r[k] as number).toFixed(3) : '-'}`).join(' ');
        process.stdout.write(`tick ${r.tick} kimg ${kimgText(r.kimg as number)} sec/kimg ${(r.sec_per_kimg as number).toFixed(1)} img/s ${(r.img_per_sec as number).toFixed(2)} augment ${(r.augment_p as number).toFixed(3)} ${losses}\n`);
      },
    });
    bar.stop();
    const last = result.snapshots.at(-1);
    return `trained to ${kimgText(result.curNimg / 1000)} kimg; ${result.snapshots.length} snapshot(s) in ${a.outdir}${last ? `, latest ${last}` : ''}`;
  } finally {
    bar.stop();
    await engine.dispose();
    await data.close();
  }
}
