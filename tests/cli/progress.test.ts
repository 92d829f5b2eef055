// The shared progress display: plain lines at most every interval when stderr is not a terminal, a bar when
// it is, nothing with --quiet (or for one step).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { duration, progress, withProgress } from '../../src/cli/progress.js';

/** A stream that records what is written, and a clock the test moves. */
function fakes(isTTY: boolean) {
  const written: string[] = [];
  let t = 1000;
  return { stream: { isTTY, write: (s: string) => written.push(s) }, now: () => t, advance: (ms: number) => (t += ms), written };
}

describe('progress', () => {
  it('in a log: a line at most every interval, with count, percentage, elapsed time and eta; a last line when complete', () => {
    const f = fakes(false);
    const p = progress(10, 'rendering', { stream: f.stream, now: f.now, intervalMs: 5000 });
    for (let i = 0; i < 10; i++) {
      f.advance(2000); // 2 s per step
      p.tick();
    }
    p.stop();
    p.stop(); // idempotent
    assert.deepEqual(f.written, [
      'stylelab: rendering 3/10 (30%), 6 s elapsed, eta 14 s\n',
      'stylelab: rendering 6/10 (60%), 12 s elapsed, eta 8 s\n',
      'stylelab: rendering 9/10 (90%), 18 s elapsed, eta 2 s\n',
      'stylelab: rendering 10/10 (100%), 20 s elapsed\n',
    ]);
  });

  it('in a log: a short run prints nothing; a failed one no last line', () => {
    const f = fakes(false);
    const quick = progress(100, 'generating', { stream: f.stream, now: f.now });
    for (let i = 0; i < 100; i++) quick.tick();
    quick.stop();
    assert.deepEqual(f.written, []);
    const failed = progress(4, 'dragging', { stream: f.stream, now: f.now, intervalMs: 1000 });
    f.advance(1500);
    failed.tick();
    failed.stop();
    assert.deepEqual(f.written, ['stylelab: dragging 1/4 (25%), 2 s elapsed, eta 5 s\n']);
  });

  it('update() sets the count and a detail; a custom count format', () => {
    const f = fakes(false);
    const p = progress(4000, 'training', { stream: f.stream, now: f.now, count: (v, t) => `${v / 1000}/${t / 1000} kimg` });
    f.advance(6000);
    p.update(1000, '| 166.67 img/s');
    assert.deepEqual(f.written, ['stylelab: training 1/4 kimg (25%) | 166.67 img/s, 6 s elapsed, eta 18 s\n']);
  });

  it('a resumed run: rate and eta count only the work done since the display started', () => {
    const f = fakes(false);
    const p = progress(4000, 'training', { stream: f.stream, now: f.now, initial: 3000, count: (v, t) => `${v / 1000}/${t / 1000} kimg` });
    f.advance(6000);
    p.update(3500);
    assert.deepEqual(f.written, ['stylelab: training 3.5/4 kimg (87%), 6 s elapsed, eta 6 s\n']);
  });

  it('--quiet silences both the bar and the lines; one step shows nothing', async () => {
    for (const isTTY of [true, false]) {
      const f = fakes(isTTY);
      await withProgress(10, 'generating', async (p) => {
        for (let i = 0; i < 10; i++) (f.advance(10_000), p.tick());
      }, { quiet: true, stream: f.stream, now: f.now, intervalMs: 1 });
      const one = progress(1, 'generating', { stream: f.stream, now: f.now, intervalMs: 1 });
      f.advance(10_000);
      one.tick();
      one.stop();
      assert.deepEqual(f.written, [], `isTTY ${isTTY}`);
    }
  });

  it('on a terminal: a bar, cleared at the end', () => {
    const f = fakes(true);
    const p = progress(3, 'style mixing', { stream: f.stream });
    p.tick();
    p.stop();
    assert.ok(f.written.join('').includes('style mixing ['), f.written.join(''));
  });

  it('durations read as seconds, minutes, hours', () => {
    assert.deepEqual([duration(42_000), duration(185_000), duration(7_620_000)], ['42 s', '3 min 5 s', '2 h 7 min']);
  });
});
