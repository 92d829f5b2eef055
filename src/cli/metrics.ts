// `stylelab metrics`: the official metric set (metric_main.py names) for a network against its data set, or between
// two image sets like `python -m pytorch_fid A B`. Feature networks come from files the user has (--inception,
// --vgg16, --lpips or STYLELAB_METRIC_NETS); a data set's feature statistics are cached by content.
import { openDataset } from '../data/dataset.js';
import type { Generator } from '../models/generator.js';
import { InputError } from '../errors.js';
import { createEngine } from '../node.js';
import { computeMetrics, type MetricResult, type StatsCache } from '../metrics/features.js';
import { OrtGemm64 } from '../metrics/gemm64.js';
import { DatasetImages, GeneratedImages } from '../metrics/image-sources.js';
import { NetFiles } from '../metrics/net-files.js';
import { defaultCacheDir, FileStatsCache, hashImageFiles, openImageSet } from '../metrics/node-sources.js';
import { checkArch, DEFAULT_GENERATED, type ImageSource, type MetricContext, type MetricDef, metricsByName } from '../metrics/registry.js';
import { parseIndex } from './options.js';
import { type GlobalOptions, progress, withGenerator } from './session.js';

/** The options as commander hands them over (strings, checked here). */
export interface MetricsArgs {
  metric: string;
  network?: string;
  data?: string;
  reference?: string;
  num?: string;
  seed: string;
  json?: boolean;
  inception?: string;
  vgg16?: string;
  lpips?: string;
  batch?: string;
  /** false with --no-cache. */
  cache?: boolean;
}

/** Feature-network batch size by default. */
export const DEFAULT_METRIC_BATCH = 16;

/** The metric list and numbers, checked before anything is loaded. */
function parse(a: MetricsArgs): { defs: MetricDef[]; num: number | null; seed: number; batch: number } {
  const defs = metricsByName(a.metric);
  const num = a.num === undefined ? null : parseIndex(a.num, '--num');
  if (num === 0) throw new InputError('--num must be at least 1');
  const batch = a.batch === undefined ? DEFAULT_METRIC_BATCH : parseIndex(a.batch, '--batch');
  if (batch === 0) throw new InputError('--batch must be at least 1');
  return { defs, num, seed: parseIndex(a.seed, '--seed'), batch };
}

/** Which inputs the mode needs, checked: a network with its data set, or two image sets. */
function checkInputs(a: MetricsArgs, defs: readonly MetricDef[]): void {
  if (a.network !== undefined) {
    if (a.reference !== undefined) throw new InputError('--reference compares two image sets (--data A --reference B); with --network the real images are --data');
    const needs = defs.find((d) => d.reals === 'required');
    if (needs && a.data === undefined) throw new InputError(`${needs.name} compares the network's images with real ones: give the data set with --data`);
    return;
  }
  if (a.data === undefined) throw new InputError('give --network (and its data set with --data), or two image sets with --data A --reference B');
  const single = defs.find((d) => !d.twoSets);
  if (single) throw new InputError(`${single.name} measures a network: give it with --network`);
  const needs = defs.find((d) => d.reals === 'required');
  if (needs && a.reference === undefined) throw new InputError(`${needs.name} compares two image sets: give the second with --reference`);
}

/** Runs `fn` with the shared context of a run (float64 products on the engine's onnxruntime, released after). */
async function withContext<T>(base: Omit<MetricContext, 'progress' | 'gemm'>, quiet: boolean, fn: (ctx: MetricContext) => Promise<T>): Promise<T> {
  const gemm = await OrtGemm64.create(base.engine);
  try {
    return await fn({ ...base, gemm: gemm.gemm, progress: (what, total) => progress(total, what, { quiet }) });
  } finally {
    await gemm.dispose();
  }
}

/** What measuring a network takes besides the network and its data set. */
export interface MeasureOptions {
  num: number | null;
  seed: number;
  batch: number;
  nets: NetFiles;
  cache: StatsCache | null;
  /** No progress display (--quiet). */
  quiet?: boolean;
}

/**
 * The metrics of a network against its data set (`dataPath`, at the network's resolution; needed by metrics of
 * real images and for a conditional network's labels), on the network's engine.
 * @example const results = await measureNetwork(G, 'data.zip', metricsByName('fid50k_full'), { num: 1000, seed: 0, batch: 16, nets, cache: null });
 */
export async function measureNetwork(G: Generator, dataPath: string | undefined, defs: readonly MetricDef[], o: MeasureOptions): Promise<MetricResult[]> {
  for (const d of defs) checkArch(d, G.arch); // e.g. EQ-T of a StyleGAN2: refused before any image is made
  const needsData = dataPath !== undefined && (defs.some((d) => d.reals === 'required') || G.cDim > 0);
  if (G.cDim > 0 && !needsData) throw new InputError(`the network is conditional (${G.cDim} classes): give a labelled data set with --data for its labels`);
  const ds = needsData ? await openDataset(dataPath!, { useLabels: G.cDim > 0, resolution: G.imgResolution }) : null;
  try {
    const reals = ds ? new DatasetImages(ds, ds.size, () => hashImageFiles(dataPath!)) : null;
    const fakes = new GeneratedImages(G, generatedCount(defs, o.num), o.seed, ds);
    const base = { num: o.num, seed: o.seed, batch: o.batch, nets: o.nets };
    return await withContext({ ...base, engine: G.engine, G, fakes, reals, dataset: ds }, o.quiet === true, (ctx) => computeMetrics(defs, ctx, o.cache));
  } finally {
    await ds?.close();
  }
}

/** Images generated for the feature-based metrics: the most any of them uses. */
function generatedCount(defs: readonly MetricDef[], num: number | null): number {
  return Math.max(1, ...defs.filter((d) => d.collect).map((d) => num ?? d.defaultNum ?? DEFAULT_GENERATED));
}

/**
 * Computes the metrics and returns what to print: one line per value, or with --json one official-style
 * metric-<name>.jsonl line per metric.
 * @example await runMetrics({ metric: 'fid50k_full', network: 'snap', data: 'data.zip', num: '1000', seed: '0', inception: 'pt_inception-2015-12-05-6726825d.pth' }, {});
 */
export async function runMetrics(a: MetricsArgs, g: GlobalOptions): Promise<string> {
  const { defs, num, seed, batch } = parse(a);
  checkInputs(a, defs);
  const nets = new NetFiles({ inception: a.inception, vgg16: a.vgg16, lpips: a.lpips });
  for (const d of defs) nets.check(d.nets, d.name);
  const cache: StatsCache | null = a.cache === false ? null : new FileStatsCache(defaultCacheDir());
  const base = { num, seed, nets, batch };
  if (a.network !== undefined) {
    const network = a.network;
    return withGenerator(network, g, async (G) => report(await measureNetwork(G, a.data, defs, { ...base, cache, quiet: g.quiet }), a.json === true, network, true));
  }
  const engine = createEngine({ threads: g.threads });
  const opened: (ImageSource & { close(): Promise<void> })[] = [];
  try {
    const fakes = await openImageSet(a.data!);
    opened.push(fakes);
    const reals = a.reference === undefined ? null : await openImageSet(a.reference);
    if (reals) opened.push(reals);
    const results = await withContext({ ...base, engine, G: null, fakes, reals, dataset: null }, g.quiet === true, (ctx) => computeMetrics(defs, ctx, cache));
    return report(results, a.json === true, null, false);
  } finally {
    for (const s of opened) await s.close();
    await engine.dispose();
  }
}

/** 1h 02m 03s, as dnnlib.util.format_time. */
export function formatTime(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 86400)}d ${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * The official metric-<name>.jsonl line of a result (plus the image counts).
 * @example jsonlLine(result, 'network-snapshot-000100.pkl')
 */
export function jsonlLine(r: MetricResult, snapshot: string | null): string {
  return JSON.stringify({
    results: r.results,
    metric: r.metric,
    total_time: r.totalTime,
    total_time_str: formatTime(r.totalTime),
    num_gpus: 1,
    snapshot_pkl: snapshot,
    timestamp: Date.now() / 1000,
    images: r.images,
  });
}

/** The text or JSON lines of the results. */
function report(results: readonly MetricResult[], json: boolean, snapshot: string | null, generated: boolean): string {
  if (json) return results.map((r) => jsonlLine(r, snapshot)).join('\n');
  const lines: string[] = [];
  for (const r of results) {
    const width = Math.max(14, ...Object.keys(r.results).map((k) => k.length + 2));
    for (const [k, v] of Object.entries(r.results)) lines.push(`${k.padEnd(width)}${formatValue(v)}`);
    const { generated: gen, real } = r.images;
    if (generated && gen !== undefined && real !== undefined) lines.push(`(${real} real and ${gen} generated images)`);
    else if (generated && gen !== undefined) lines.push(`(${gen} generated images)`);
    else if (gen !== undefined) lines.push(`(${gen} images${real !== undefined ? ` and ${real} reference images` : ''})`);
  }
  return lines.join('\n');
}

/** Six significant digits (FID in the hundreds and KID near 1e-3 alike). */
function formatValue(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v);
}
