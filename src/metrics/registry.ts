// The metric registry: every metric by its official metric_main.py name (plus pytorch-fid style fid, kid, pr,
// is between two image sets, and swd). Adding a metric is one entry in METRICS.
import { InputError } from '../errors.js';
import { EQ_METRICS } from './equivariance.js';
import { FID_METRICS } from './fid-metrics.js';
import { IS_METRICS } from './inception-score.js';
import { KID_METRICS } from './kid.js';
import type { MetricDef } from './metric.js';
import { PPL_METRICS } from './ppl.js';
import { PR_METRICS } from './precision-recall.js';
import { SWD_METRICS } from './swd-metric.js';

export * from './metric.js';

/** Every metric stylelab computes; one entry per metric. */
export const METRICS: readonly MetricDef[] = [...FID_METRICS, ...KID_METRICS, ...PR_METRICS, ...IS_METRICS, ...PPL_METRICS, ...EQ_METRICS, ...SWD_METRICS];

/**
 * The metrics of a comma-separated list, checked (unknown names and repeats get one line listing the known).
 * @example metricsByName('fid50k_full,kid50k_full')
 */
export function metricsByName(list: string): MetricDef[] {
  const names = list.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new InputError(`--metric needs at least one name (known: ${METRICS.map((m) => m.name).join(', ')})`);
  const out: MetricDef[] = [];
  for (const n of names) {
    const m = METRICS.find((d) => d.name === n);
    if (!m) throw new InputError(`unknown metric '${n}' (known: ${METRICS.map((d) => d.name).join(', ')})`);
    if (out.includes(m)) throw new InputError(`metric '${n}' is listed twice`);
    out.push(m);
  }
  return out;
}

