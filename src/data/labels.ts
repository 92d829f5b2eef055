// Class labels of a data set: `dataset.json` {"labels": [[file name, class index or vector], ...]} as written by
// NVIDIA's dataset_tool.py, checked against the image files in both directions.
import { InputError } from '../errors.js';

/** A label: a class index (one-hot when used) or a vector of floats. */
export type LabelValue = number | number[];

/**
 * Parses dataset.json; null when it holds no labels ("labels": null, as dataset_tool.py writes for unlabelled sets).
 * @example parseDatasetJson('{"labels": [["a.png", 0]]}', 'data/dataset.json') // Map { 'a.png' => 0 }
 */
export function parseDatasetJson(text: string, where: string): Map<string, LabelValue> | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${where}: not valid JSON (${(e as Error).message})`);
  }
  const labels = (json as { labels?: unknown } | null)?.labels;
  if (labels === null || labels === undefined) return null;
  if (!Array.isArray(labels)) throw new InputError(`${where}: "labels" must be a list of [file name, label] pairs`);
  const map = new Map<string, LabelValue>();
  let kind: 'class' | 'vector' | null = null;
  let vectorLength = -1;
  for (const [k, entry] of labels.entries()) {
    const bad = (why: string) => new InputError(`${where}: labels[${k}] ${why}`);
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string') throw bad('must be a [file name, label] pair');
    const [name, value] = entry as [string, unknown];
    if (map.has(name)) throw bad(`repeats the file ${name}`);
    if (typeof value === 'number') {
      if (!Number.isInteger(value) || value < 0) throw bad(`(${name}): a class label must be a non-negative integer, got ${value}`);
      if (kind === 'vector') throw bad(`(${name}): mixes class indices and label vectors`);
      kind = 'class';
    } else if (Array.isArray(value) && value.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      if (kind === 'class') throw bad(`(${name}): mixes class indices and label vectors`);
      if (vectorLength >= 0 && value.length !== vectorLength) throw bad(`(${name}): label vector of length ${value.length}, others have ${vectorLength}`);
      kind = 'vector';
      vectorLength = value.length;
    } else {
      throw bad(`(${name}): a label must be a class index or a list of numbers`);
    }
    map.set(name, value as LabelValue);
  }
  return map;
}

/** Image files without a label and labels naming no image file. */
export interface LabelMismatch {
  missing: string[];
  extra: string[];
}

/**
 * Compares the labelled names with the image names.
 * @example matchLabels(['a.png', 'b.png'], labels) // { missing: ['b.png'], extra: [] }
 */
export function matchLabels(names: readonly string[], labels: ReadonlyMap<string, LabelValue>): LabelMismatch {
  const have = new Set(names);
  return { missing: names.filter((n) => !labels.has(n)), extra: [...labels.keys()].filter((n) => !have.has(n)) };
}

/**
 * A short list for messages: the first `max` items, then "and N more".
 * @example listSome(['a', 'b', 'c'], 2) // 'a, b and 1 more'
 */
export function listSome(items: readonly string[], max = 5, sep = ', '): string {
  const shown = items.slice(0, max).join(sep);
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/**
 * The label size: max class + 1 for class indices (one-hot, as training/dataset.py), the vector length otherwise.
 * @example labelDimOf([0, 2, 1]) // 3
 */
export function labelDimOf(values: readonly LabelValue[]): number {
  if (values.length === 0) return 0;
  if (typeof values[0] === 'number') return (values as number[]).reduce((m, v) => Math.max(m, v), 0) + 1;
  return (values[0] as number[]).length;
}

/**
 * A label as training uses it: one-hot float32 for a class index, the vector as float32 otherwise.
 * @example encodeLabel(2, 4) // Float32Array [0, 0, 1, 0]
 */
export function encodeLabel(value: LabelValue, labelDim: number): Float32Array {
  if (typeof value !== 'number') return Float32Array.from(value);
  const out = new Float32Array(labelDim);
  out[value] = 1;
  return out;
}
