// Graph traversal: topological order of the nodes a set of outputs depends on.
import type { Node, Tensor } from './tensor.js';

/** Nodes reachable from `outputs`, each after all of its inputs (iterative DFS: graphs can be deep). */
export function topoSort(outputs: readonly Tensor[]): Node[] {
  const order: Node[] = [];
  const state = new Map<Node, 1 | 2>(); // 1 = on stack, 2 = done
  for (const out of outputs) {
    const stack: [Node, number][] = [[out.node, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [node, i] = top;
      if (i === 0) {
        if (state.get(node) === 2) {
          stack.pop();
          continue;
        }
        state.set(node, 1);
      }
      if (i < node.inputs.length) {
        top[1] = i + 1;
        const child = node.inputs[i]!.node;
        if (!state.has(child)) stack.push([child, 0]);
      } else {
        state.set(node, 2);
        order.push(node);
        stack.pop();
      }
    }
  }
  return order;
}
