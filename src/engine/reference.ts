// The reference interpreter: evaluates a graph with every op's plain TypeScript implementation, in float64.
// It is the oracle the onnxruntime path is tested against, and the basis of finite-difference gradient checks.
import { GraphError } from '../errors.js';
import { fmt, sameShape } from './shape.js';
import { topoSort } from './graph.js';
import { InputOp, type InputAttrs } from './sources.js';
import type { NDArray, Tensor } from './tensor.js';

/**
 * Evaluates `outputs` given values for every input (by input name).
 * @example const [y] = evaluate([y], { x: ndarray([2], [1, 2]) });
 */
export function evaluate(outputs: readonly Tensor[], feeds: Record<string, NDArray>): NDArray[] {
  const values = new Map<Tensor, NDArray>();
  for (const node of topoSort(outputs)) {
    if (node.op === InputOp) {
      const a = node.attrs as InputAttrs;
      const v = feeds[a.name];
      if (!v) throw new GraphError(`evaluate: no value for input '${a.name}'`);
      if (!sameShape(v.shape, a.shape)) throw new GraphError(`evaluate: input '${a.name}' expects shape ${fmt(a.shape)}, got ${fmt(v.shape)}`);
      values.set(node.outputs[0]!, { ...v, dtype: a.dtype });
      continue;
    }
    const outs = node.op.ref(node.inputs.map((t) => values.get(t)!), node.attrs);
    node.outputs.forEach((t, i) => {
      const o = outs[i]!;
      if (!sameShape(o.shape, t.shape)) throw new GraphError(`${node.op.type}: reference produced ${fmt(o.shape)}, inferred ${fmt(t.shape)}`);
      values.set(t, o);
    });
  }
  return outputs.map((t) => values.get(t)!);
}
