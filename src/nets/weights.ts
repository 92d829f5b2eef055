// Network weights by their official PyTorch names ('synthesis.b8.conv0.weight'), as graph Parameters.
import { CheckpointError } from '../errors.js';
import * as E from '../engine/index.js';
import { type TensorData, toFloat32 } from '../io/tensor.js';

/**
 * A name -> tensor store. Each weight becomes one Parameter, created on first use and shared by every
 * graph built from this store (so a training step updates what generation reads).
 * @example const w = new Weights(stateDict(tree)); w.param('mapping.fc0.weight', [512, 512]);
 */
export class Weights {
  private readonly params = new Map<string, E.Parameter>();
  constructor(
    private readonly tensors: ReadonlyMap<string, TensorData>,
    readonly what = 'network',
    /** Prefix of the Parameters' own names (graph input names), so two networks can share one graph (training). */
    readonly paramPrefix = '',
  ) {}

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  /** Shape of a stored tensor (undefined if absent). */
  shape(name: string): number[] | undefined {
    return this.tensors.get(name)?.shape;
  }

  /** The Parameter for `name`, checking its shape when one is expected. */
  parameter(name: string, expected?: readonly number[]): E.Parameter {
    let p = this.params.get(name);
    if (!p) {
      const t = this.tensors.get(name);
      if (!t) throw new CheckpointError(`the ${this.what} checkpoint has no tensor '${name}'`);
      p = new E.Parameter(this.paramPrefix + name, [...t.shape], toFloat32(t));
      this.params.set(name, p);
    }
    if (expected && (expected.length !== p.shape.length || expected.some((d, i) => d !== p!.shape[i]))) {
      throw new CheckpointError(`the ${this.what} checkpoint's '${name}' has shape [${p.shape}], expected [${expected}]`);
    }
    return p;
  }

  /** The graph tensor of a weight. */
  tensor(name: string, expected?: readonly number[]): E.Tensor {
    return this.parameter(name, expected).tensor;
  }

  /** A view that prefixes names: scope('synthesis.b8').tensor('conv0.weight'). */
  scope(prefix: string): WeightScope {
    return new WeightScope(this, prefix);
  }

  /** Every Parameter created so far. */
  parameters(): E.Parameter[] {
    return [...this.params.values()];
  }

}

/** Weights under a name prefix. */
export class WeightScope {
  constructor(
    readonly weights: Weights,
    readonly prefix: string,
  ) {}
  private full(name: string): string {
    return this.prefix ? `${this.prefix}.${name}` : name;
  }
  has(name: string): boolean {
    return this.weights.has(this.full(name));
  }
  shape(name: string): number[] | undefined {
    return this.weights.shape(this.full(name));
  }
  tensor(name: string, expected?: readonly number[]): E.Tensor {
    return this.weights.tensor(this.full(name), expected);
  }
  data(name: string): Float32Array {
    return this.weights.parameter(this.full(name)).data;
  }
  scope(name: string): WeightScope {
    return new WeightScope(this.weights, this.full(name));
  }
}
