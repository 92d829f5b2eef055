// Error types shown to users as one clear line; the CLI prints `message` and exits non-zero.

/** Base class of every error stylelab raises on purpose (bad input, bad checkpoint, bad option). */
export class StylelabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A checkpoint that is corrupt, truncated, of an unknown kind, or not a checkpoint at all. */
export class CheckpointError extends StylelabError {}

/** A checkpoint that asks for something outside the allow-list (e.g. `os.system`); nothing was run. */
export class UnsafeCheckpointError extends CheckpointError {}

/** A bad option or argument (seed list, class index, shape) given by the caller. */
export class InputError extends StylelabError {}

/** A graph that cannot be built: the message names the op, the shape expected and the shape got. */
export class GraphError extends StylelabError {}
