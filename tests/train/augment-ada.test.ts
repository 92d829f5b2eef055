// ADA's p controller: direction and size of each adjustment, its interval, clamping at 0, and resume from JSON.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AdaController } from '../../src/train/augment.js';
import { InputError } from '../../src/errors.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

describe('AdaController', () => {
  test('p rises by batch * interval / (kimg * 1000) when D overfits, only every `interval` steps', () => {
    const ada = new AdaController({ batch: 8 }); // target 0.6, interval 4, kimg 500
    const step = (8 * 4) / 500_000;
    for (let i = 1; i <= 8; i++) {
      ada.observe(Float32Array.of(2, 1, 0.5, -1, 3)); // with the next line, mean sign (5 - 1) / 6 = 0.67: above target
      ada.observe(Float32Array.of(1));
      ada.afterStep();
      close(ada.p, Math.floor(i / 4) * step);
    }
  });

  test('p falls when D does not overfit and never goes below 0', () => {
    const ada = new AdaController({ batch: 16, interval: 2, kimg: 100, p: 0.001, target: 0.6 });
    const step = (16 * 2) / 100_000;
    ada.observe([1, 1, -1, -1]); // rt = 0 < 0.6
    ada.afterStep();
    ada.afterStep();
    close(ada.p, 0.001 - step);
    for (let i = 0; i < 10; i++) {
      ada.observe([-1]);
      ada.afterStep();
    }
    assert.equal(ada.p, 0);
  });

  test('the statistics are the mean sign over every observation since the last adjustment', () => {
    const ada = new AdaController({ batch: 4, interval: 2, target: 0.5 });
    ada.observe([1, 1, 1, 1]); // step 1: all positive
    ada.afterStep();
    ada.observe([-1, -1, -1, 1, 1, 1, 1, 1, 1, 1, 1, 1]); // step 2: 12 more, rt = (4 + 6) / 16 = 0.625
    close(ada.rt, 0.625);
    ada.afterStep();
    close(ada.p, (4 * 2) / 500_000);
    assert.ok(Number.isNaN(ada.rt), 'statistics reset after the adjustment');
    ada.afterStep();
    ada.afterStep(); // no observations: p stays
    close(ada.p, (4 * 2) / 500_000);
  });

  test('toJSON / fromJSON resumes mid-interval with the same p and pending statistics', () => {
    const a = new AdaController({ batch: 8, p: 0.25 });
    a.observe([1, 1, 1]);
    a.afterStep();
    a.afterStep(); // two of four steps done
    const b = AdaController.fromJSON(JSON.parse(JSON.stringify(a)));
    for (const ada of [a, b]) {
      ada.observe([-1]);
      ada.afterStep();
      ada.afterStep(); // rt = 2 / 4 = 0.5 < 0.6: p falls
    }
    close(a.p, 0.25 - (8 * 4) / 500_000);
    assert.deepEqual(b.toJSON(), a.toJSON());
  });

  test('bad options and states give one clear InputError', () => {
    assert.throws(() => new AdaController({ batch: 0 }), (e: Error) => e instanceof InputError && /batch must be a number > 0, got 0/.test(e.message));
    assert.throws(() => new AdaController({ batch: 8, interval: 1.5 }), /whole number/);
    assert.throws(() => new AdaController({ batch: 8, p: -0.1 }), /p must be a number >= 0/);
    assert.throws(() => AdaController.fromJSON({ target: 0.6, interval: 4, kimg: 500, batch: 8, p: 'x' }), /'p' must be a finite number/);
    assert.throws(() => AdaController.fromJSON({}), InputError);
  });
});
