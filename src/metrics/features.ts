// Runs metrics: the feature-based ones share one pass per image set and feature network (all sinks of every
// requested metric are fed from it), a data set's sinks come from and go to the statistics cache; then each
// metric turns its sinks into results. Metrics that are not feature-based run on their own.
import * as E from '../engine/index.js';
import { InputError } from '../errors.js';
import type { TensorData } from '../io/tensor.js';
import type { FeatureSink } from './feature-stats.js';
import type { FeatureKind, FeatureNetKind, FeatureRequest, ImageCounts, ImageSource, MetricContext, MetricDef } from './metric.js';

/** A store of a data set's feature statistics, keyed by a description of what they are. */
export interface StatsCache {
  load(key: string): Promise<ReadonlyMap<string, TensorData> | null>;
  save(key: string, arrays: Record<string, TensorData>): Promise<void>;
}

/** One metric's outcome, as the official result dict (results, metric, total_time). */
export interface MetricResult {
  metric: string;
  results: Record<string, number>;
  images: ImageCounts;
  /** Seconds, including the shared feature passes it used. */
  totalTime: number;
}

/** The network that computes each feature kind. */
const NETWORK_OF: Record<FeatureKind, FeatureNetKind> = { pool3: 'inception', logits: 'inception', fc2: 'vgg16' };

/** The feature graph of a network for `batch` images of `source`'s size (grayscale repeated to RGB in the feed). */
function featureGraph(ctx: MetricContext, net: FeatureNetKind, kinds: readonly FeatureKind[], batch: number, src: ImageSource, neededBy: string): Record<string, E.Tensor> {
  const x = E.input('x', [batch, 3, src.height, src.width]);
  if (net === 'inception') {
    const { pool3, logits } = ctx.nets.inception(neededBy).graph(x);
    return Object.fromEntries(kinds.map((k) => [k, k === 'pool3' ? pool3 : logits]));
  }
  return { fc2: ctx.nets.vgg16(neededBy).fc2(x) };
}

/** uint8 [n, C, H, W] -> float32 [batch, 3, H, W] (zero rows after n; one channel repeated three times). */
function toFeed(u8: Uint8Array, n: number, C: number, HW: number, batch: number): Float32Array {
  const out = new Float32Array(batch * 3 * HW);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < 3; c++) {
      const src = (i * C + (C === 1 ? 0 : c)) * HW;
      const dst = (i * 3 + c) * HW;
      for (let p = 0; p < HW; p++) out[dst + p] = u8[src + p]!;
    }
  return out;
}

/** Feeds the first images of a source (as many as the largest sink takes) through each network into its requests' sinks. */
async function pass(ctx: MetricContext, src: ImageSource, groups: ReadonlyMap<FeatureNetKind, { requests: FeatureRequest[]; neededBy: string }>): Promise<void> {
  if (src.channels !== 1 && src.channels !== 3) throw new InputError(`${src.name}: ${src.channels}-channel images cannot go through a feature network (1 or 3 channels)`);
  const all = [...groups.values()].flatMap((g) => g.requests);
  const total = Math.max(...all.map((r) => r.sink.max));
  const batch = Math.max(1, Math.min(ctx.batch, total));
  const programs: { prog: E.Program; requests: FeatureRequest[] }[] = [];
  const p = ctx.progress(`${[...groups.keys()].join(' + ')} features of ${src.name}`, total);
  try {
    for (const [net, g] of groups) {
      const kinds = [...new Set(g.requests.map((r) => r.kind))];
      programs.push({ prog: await ctx.engine.compile(featureGraph(ctx, net, kinds, batch, src, g.neededBy)), requests: g.requests });
    }
    const HW = src.height * src.width;
    for (let start = 0; start < total; start += batch) {
      const n = Math.min(batch, total - start);
      const x = toFeed(await src.images(start, n), n, src.channels, HW, batch);
      for (const { prog, requests } of programs) {
        const out = await prog.run({ x });
        for (const r of requests) {
          const o = out[r.kind]!;
          const dims = o.shape[1]!;
          await r.sink.append(o.data.subarray(0, n * dims), n, dims);
        }
      }
      p.tick(n);
    }
    for (const r of all) await r.sink.finish?.();
  } finally {
    p.stop();
    for (const { prog } of programs) await prog.dispose();
  }
}

/** The cache key of a data-set request: the images' content, the network file's content, the kind and the sink. */
function cacheKey(ctx: MetricContext, content: string, r: FeatureRequest): string {
  return JSON.stringify({ images: content, net: ctx.nets.hash(NETWORK_OF[r.kind]), kind: r.kind, sink: r.cacheTag });
}

/**
 * Computes `defs` in order, sharing the feature passes of the feature-based ones; `cache` keeps data-set statistics.
 * @example const results = await computeMetrics(metricsByName('fid50k_full,kid50k_full'), ctx, cache);
 */
export async function computeMetrics(defs: readonly MetricDef[], ctx: MetricContext, cache: StatsCache | null): Promise<MetricResult[]> {
  const results = new Map<MetricDef, MetricResult>();
  const t0 = Date.now();
  const plans = defs.filter((d) => d.collect).map((d) => ({ def: d, plan: d.collect!(ctx) }));
  for (const source of ['reals', 'fakes'] as const) {
    const src = source === 'reals' ? ctx.reals : ctx.fakes;
    const reqs = plans.flatMap(({ def, plan }) => plan.requests.filter((r) => r.source === source).map((r) => ({ def, r })));
    if (reqs.length === 0) continue;
    if (!src) throw new InputError(`${reqs[0]!.def.name} needs ${source === 'reals' ? 'real images (--data, or --reference between two sets)' : 'images to measure'}`);
    const content = cache && source === 'reals' ? await src.contentKey() : null;
    const groups = new Map<FeatureNetKind, { requests: FeatureRequest[]; neededBy: string }>();
    for (const { def, r } of reqs) {
      const net = NETWORK_OF[r.kind];
      if (net === 'inception') ctx.nets.inception(def.name);
      else ctx.nets.vgg16(def.name); // loaded first: the cache key needs the file's hash
      const cached = content !== null && r.cacheTag ? await cache!.load(cacheKey(ctx, content, r)) : null;
      if (cached) {
        loadSink(r.sink, cached);
        continue;
      }
      const g = groups.get(net) ?? { requests: [], neededBy: def.name };
      g.requests.push(r);
      groups.set(net, g);
    }
    if (groups.size) await pass(ctx, src, groups);
    if (content !== null) for (const g of groups.values()) for (const r of g.requests) if (r.cacheTag) await cache!.save(cacheKey(ctx, content, r), r.sink.save());
  }
  const shared = (Date.now() - t0) / 1000;
  for (const { def, plan } of plans) {
    const t = Date.now();
    const count = (source: 'fakes' | 'reals') => Math.max(0, ...plan.requests.filter((r) => r.source === source).map((r) => r.sink.count));
    const images: ImageCounts = { generated: count('fakes') || undefined, real: count('reals') || undefined };
    results.set(def, { metric: def.name, results: await plan.results(), images, totalTime: shared + (Date.now() - t) / 1000 });
  }
  for (const def of defs.filter((d) => d.run)) {
    const t = Date.now();
    const { values, images } = await def.run!(ctx);
    results.set(def, { metric: def.name, results: values, images: images ?? {}, totalTime: (Date.now() - t) / 1000 });
  }
  return defs.map((d) => results.get(d)!);
}

/** Restores a sink from the cache; a stale or damaged entry is an error that says how to recover. */
function loadSink(sink: FeatureSink, arrays: ReadonlyMap<string, TensorData>): void {
  try {
    sink.load(arrays);
  } catch (e) {
    throw new InputError(`the cached feature statistics do not fit (${(e as Error).message}); run again with --no-cache`);
  }
}
