// FID as stylegan2-ada's fid50k_full (covariance over N, the official get_mean_cov) and as pytorch-fid's
// `python -m pytorch_fid A B` (fid: numpy.cov over N - 1, every image of both sets): pool3 features of the
// generated (or first) set and of the data set (or reference set), kept as float64 running sums.
import { frechetDistance } from './fid.js';
import { MeanCovStats } from './feature-stats.js';
import { imagesFor, type MetricContext, type MetricDef } from './metric.js';

/** Inception pool3 width. */
export const POOL3_DIMS = 2048;

/** A FID metric: `ddof` 0 as stylegan2-ada, 1 as pytorch-fid. */
function fidMetric(name: string, summary: string, defaultNum: number | null, ddof: 0 | 1): MetricDef {
  const def: MetricDef = {
    name,
    summary,
    nets: ['inception'],
    reals: 'required',
    twoSets: true,
    defaultNum,
    collect: (ctx: MetricContext) => {
      const fakes = new MeanCovStats(imagesFor(def, ctx, ctx.fakes!.count), POOL3_DIMS, ctx.gemm);
      const reals = new MeanCovStats(ctx.reals!.count, POOL3_DIMS, ctx.gemm); // max_real=None: the whole data set
      return {
        requests: [
          { source: 'fakes', kind: 'pool3', sink: fakes },
          { source: 'reals', kind: 'pool3', sink: reals, cacheTag: `meancov:${reals.max}` },
        ],
        results: async () => ({ [name]: await frechetDistance(fakes.gaussian(ddof), reals.gaussian(ddof), ctx.gemm) }),
      };
    },
  };
  return def;
}

export const FID_METRICS: readonly MetricDef[] = [
  fidMetric('fid50k_full', 'Frechet Inception distance, 50k generated vs the whole data set (stylegan2-ada)', 50000, 0),
  fidMetric('fid', "Frechet Inception distance as pytorch-fid (every image of both sets; covariance over N - 1)", null, 1),
];
