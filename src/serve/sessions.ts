// Server-side pages: one Studio per open page (its drag session, video, MP4 job), released when the page says it
// closes or after an idle time. All network work of every page runs through one queue: onnxruntime-node already
// uses every core for one call, so calls in parallel would only compete.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { Studio, type ModelProvider } from '../studio/studio.js';

/** Runs async jobs one after another, in the order they were queued. */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  /** Jobs queued or running. */
  pending = 0;

  run<T>(fn: () => Promise<T>): Promise<T> {
    this.pending++;
    const next = this.tail.then(fn, fn);
    this.tail = next.then(
      () => undefined,
      () => undefined,
    );
    return next.finally(() => this.pending--);
  }
}

/** An MP4 being rendered for a page. */
export interface Mp4Job {
  done: number;
  total: number;
  /** The finished file (in the page's temporary folder). */
  file: string | null;
  error: string | null;
  cancelled: boolean;
}

/** One open page. */
export interface PageSession {
  readonly id: string;
  readonly studio: Studio;
  lastUsed: number;
  /** Requests of this page in flight (an idle sweep never closes a busy page). */
  busy: number;
  mp4: Mp4Job | null;
  /** Temporary folder for the page's MP4, made on first use and removed with the page. */
  tmp: string | null;
}

/** Session ids are random UUIDs. */
export const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Most pages open at once (each may hold a drag session's programs). */
export const MAX_SESSIONS = 64;

/**
 * The open pages, their idle expiry and release.
 * @example const pages = new SessionManager(registry, 600); const s = pages.create(); ...; await pages.close(s.id);
 */
export class SessionManager {
  private readonly pages = new Map<string, PageSession>();
  private readonly timer: ReturnType<typeof setInterval>;
  readonly queue = new Serial();

  constructor(
    private readonly provider: ModelProvider,
    /** Seconds without a request after which a page is released. */
    readonly idleSeconds: number,
  ) {
    // Sweep a few times per idle period (at least every second, at most every 30 s); never keeps the process alive.
    this.timer = setInterval(() => void this.sweep(), Math.min(30_000, Math.max(1000, (idleSeconds * 1000) / 4)));
    this.timer.unref();
  }

  /** Pages open now. */
  get count(): number {
    return this.pages.size;
  }

  create(): PageSession {
    if (this.pages.size >= MAX_SESSIONS) throw new InputError(`too many open pages (${MAX_SESSIONS}); close some tabs or wait ${this.idleSeconds} s for idle ones to expire`);
    const s: PageSession = { id: randomUUID(), studio: new Studio(this.provider), lastUsed: Date.now(), busy: 0, mp4: null, tmp: null };
    this.pages.set(s.id, s);
    return s;
  }

  /** A page by id (marked as used), or null when it is unknown or expired. */
  get(id: string): PageSession | null {
    const s = this.pages.get(id) ?? null;
    if (s) s.lastUsed = Date.now();
    return s;
  }

  /** The page's temporary folder (made on first use). */
  tmpDir(s: PageSession): string {
    s.tmp ??= mkdtempSync(join(tmpdir(), 'stylelab-serve-'));
    return s.tmp;
  }

  /** Releases a page: its drag session's programs, its MP4 job and file. False when it was not open. */
  async close(id: string): Promise<boolean> {
    const s = this.pages.get(id);
    if (!s) return false;
    this.pages.delete(id);
    if (s.mp4) s.mp4.cancelled = true;
    try {
      await this.queue.run(() => s.studio.dispose());
    } finally {
      if (s.tmp) rmSync(s.tmp, { recursive: true, force: true });
    }
    return true;
  }

  /** Closes pages idle for longer than idleSeconds. */
  async sweep(now = Date.now()): Promise<void> {
    for (const s of [...this.pages.values()]) if (s.busy === 0 && now - s.lastUsed > this.idleSeconds * 1000) await this.close(s.id);
  }

  /** Closes every page and stops the sweep. */
  async dispose(): Promise<void> {
    clearInterval(this.timer);
    for (const id of [...this.pages.keys()]) await this.close(id);
  }
}
