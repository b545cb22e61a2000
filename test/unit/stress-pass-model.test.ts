import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fitPassProbability, noiseInterval } from '../../bench/stress/pass-model.ts';

test('a monotone record is its own fit', () => {
  const fit = fitPassProbability([{ rate: 100, passes: 1, fails: 0 }, { rate: 200, passes: 2, fails: 1 }, { rate: 400, passes: 0, fails: 1 }]);
  assert.equal(fit.map((f) => f.p), [1, 2 / 3, 0]);
});

test('a pass above a fail is pooled with it, weighted by the steps at each rate', () => {
  // 300 fails 2 of 2, 350 passes 1 of 1: pooled 1 of 3 for both.
  const fit = fitPassProbability([{ rate: 200, passes: 3, fails: 0 }, { rate: 300, passes: 0, fails: 2 }, { rate: 350, passes: 1, fails: 0 }, { rate: 400, passes: 0, fails: 1 }]);
  assert.equal(fit.map((f) => [f.rate, f.p]), [[200, 1], [300, 1 / 3], [350, 1 / 3], [400, 0]]);
});

test('pooling cascades to the left when the merged block still violates', () => {
  const fit = fitPassProbability([{ rate: 100, passes: 1, fails: 1 }, { rate: 200, passes: 0, fails: 1 }, { rate: 300, passes: 3, fails: 0 }]);
  // 200+300 pool to 3 of 4 (0.75), still above 100's 1 of 2: all three pool to 4 of 6.
  assert.equal(fit.map((f) => f.p), [4 / 6, 4 / 6, 4 / 6]);
});

test('noiseInterval: highest sure pass, lowest sure fail; mixed rates lie inside', () => {
  const fit = fitPassProbability([
    { rate: 100, passes: 1, fails: 0 }, { rate: 200, passes: 2, fails: 1 }, { rate: 250, passes: 1, fails: 2 }, { rate: 300, passes: 0, fails: 3 }, { rate: 400, passes: 0, fails: 1 },
  ]);
  assert.equal(noiseInterval(fit), { low: 100, high: 300 });
});

test('noiseInterval: no sure end → undefined', () => {
  assert.equal(noiseInterval(fitPassProbability([{ rate: 100, passes: 2, fails: 1 }, { rate: 200, passes: 1, fails: 2 }])), { low: undefined, high: undefined });
  assert.equal(noiseInterval([]), { low: undefined, high: undefined });
});

test.run();
