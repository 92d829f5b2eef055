// Progress of long commands on stderr, one helper for all of them: a bar on a terminal; plain lines, at most one
// every few seconds, when stderr is a log (`2>&1 | tee log`, CI, a server); nothing with --quiet.
import { SingleBar } from 'cli-progress';

/** A running progress display (or a silent stand-in). */
export interface Progress {
  /** Counts `n` more steps (default 1). */
  tick(n?: number): void;
  /** Sets the count, with an optional detail shown after it (e.g. '| 12.3 img/s'). */
  update(value: number, detail?: string): void;
  /** Ends the display: clears the bar; in a log, a last line when the work is complete and lines were printed. */
  stop(): void;
}

export interface ProgressOptions {
  /** No display at all (--quiet). */
  quiet?: boolean;
  /** Where to write (default process.stderr); a bar only when it is a terminal. */
  stream?: { isTTY?: boolean; write(text: string): unknown };
  /** Least time between two plain lines (default 5000 ms). */
  intervalMs?: number;
  /** The count as shown (default `value/total`). */
  count?: (value: number, total: number) => string;
  /** Clock in ms (tests). */
  now?: () => number;
  /** The count already done when the display starts (a resumed run): rate and eta count only what follows. */
  initial?: number;
}

/** Least time between two plain progress lines in a log. */
export const LOG_INTERVAL_MS = 5000;

const SILENT: Progress = { tick: () => {}, update: () => {}, stop: () => {} };

/**
 * A progress display for `total` steps: silent with `quiet` or for a single step; a bar when the stream is a
 * terminal; else a plain line at most every `intervalMs` (`stylelab: generating 12/100 (12%), 31 s elapsed, eta 3 min 2 s`).
 * @example const p = progress(seeds.length, 'generating', { quiet: g.quiet }); p.tick(); p.stop();
 */
export function progress(total: number, what: string, o: ProgressOptions = {}): Progress {
  if (o.quiet || total < 2) return SILENT;
  const stream = o.stream ?? process.stderr;
  const count = o.count ?? ((v: number, t: number) => `${v}/${t}`);
  const initial = o.initial ?? 0;
  return stream.isTTY ? terminalBar(total, what, stream, count, initial) : logLines(total, what, stream, count, o.intervalMs ?? LOG_INTERVAL_MS, o.now ?? Date.now, initial);
}

/**
 * Runs `fn` with a progress display that is stopped (and the terminal line cleared) even when `fn` fails.
 * @example await withProgress(seeds.length, 'generating', async (p) => { ...; p.tick(); }, { quiet: g.quiet });
 */
export async function withProgress<T>(total: number, what: string, fn: (p: Progress) => Promise<T>, o: ProgressOptions = {}): Promise<T> {
  const p = progress(total, what, o);
  try {
    return await fn(p);
  } finally {
    p.stop();
  }
}

function terminalBar(total: number, what: string, stream: NonNullable<ProgressOptions['stream']>, count: (v: number, t: number) => string, initial: number): Progress {
  const bar = new SingleBar({
    stream: stream as NodeJS.WritableStream,
    format: `${what} [{bar}] {count}{detail} | {duration_formatted} elapsed, eta {eta_formatted}`,
    barsize: 30,
    clearOnComplete: true,
    // Leave the terminal's cursor and line wrapping alone, so an interrupted run cannot leave them changed.
    hideCursor: false,
    linewrap: true,
    etaBuffer: 50,
  });
  let value = initial; // cli-progress estimates the eta from the recent rate, so a resumed count is no bias
  bar.start(total, initial, { count: count(initial, total), detail: '' });
  return {
    tick: (n = 1) => bar.update((value += n), { count: count(value, total) }),
    update: (v, detail) => bar.update((value = v), { count: count(v, total), ...(detail === undefined ? {} : { detail: ` ${detail}` }) }),
    stop: () => bar.stop(),
  };
}

function logLines(total: number, what: string, stream: NonNullable<ProgressOptions['stream']>, count: (v: number, t: number) => string, intervalMs: number, now: () => number, initial: number): Progress {
  const start = now();
  let last = start; // the first line comes one interval in, so short runs print nothing
  let value = initial;
  let detail = '';
  let printed = false;
  let stopped = false;
  const line = (t: number): void => {
    const elapsed = t - start;
    const done = value - initial; // the work of this run only
    const eta = done > 0 && value < total ? `, eta ${duration(((total - value) * elapsed) / done)}` : '';
    stream.write(`stylelab: ${what} ${count(value, total)} (${Math.floor((100 * value) / total)}%)${detail ? ` ${detail}` : ''}, ${duration(elapsed)} elapsed${eta}\n`);
    printed = true;
    last = t;
  };
  const maybe = (): void => {
    const t = now();
    if (t - last >= intervalMs) line(t);
  };
  return {
    tick: (n = 1) => {
      value += n;
      maybe();
    },
    update: (v, d) => {
      value = v;
      if (d !== undefined) detail = d;
      maybe();
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      if (printed && value >= total) line(now());
    },
  };
}

/** '42 s', '3 min 5 s', '2 h 7 min'. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
