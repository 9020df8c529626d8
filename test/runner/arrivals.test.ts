/** When open-model arrivals are due (src/runner/arrivals.ts), checked by hand. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoadSchema } from '../../src/config/schema.ts';
import { arrivalTimes, ratePieces } from '../../src/runner/arrivals.ts';

describe('arrival times', () => {
  it('a constant rate: evenly spaced from 0, rate × duration of them', () => {
    const pieces = ratePieces(LoadSchema.parse({ rate: 2, duration_s: 3 }));
    assert.deepEqual(arrivalTimes({ pieces, arrivals: 'constant', seed: 1 }), [0, 0.5, 1, 1.5, 2, 2.5]);
  });

  it('a ramp of rates from 0: the k-th arrival where the rate\'s integral reaches k', () => {
    // 0 → 4/s over 2 s: 4 arrivals expected; the integral is t², so arrival k is due at √k.
    const pieces = ratePieces(LoadSchema.parse({ stages: [{ duration_s: 2, rate: 4 }] }));
    assert.deepEqual(pieces, [{ duration_s: 2, from: 0, to: 4 }]);
    const times = arrivalTimes({ pieces, arrivals: 'constant', seed: 1 });
    assert.deepEqual(times.map((t) => Math.round(t * 1e6) / 1e6), [0, 1, 1.414214, 1.732051]);
  });

  it('Poisson arrivals: the same seed, the same times; about rate × duration of them', () => {
    const pieces = ratePieces(LoadSchema.parse({ rate: 50, duration_s: 20 }));
    const a = arrivalTimes({ pieces, arrivals: 'poisson', seed: 7 });
    assert.deepEqual(arrivalTimes({ pieces, arrivals: 'poisson', seed: 7 }), a);
    assert.notDeepEqual(arrivalTimes({ pieces, arrivals: 'poisson', seed: 8 }), a);
    // 1000 expected, standard deviation √1000 ≈ 32: five of them either side.
    assert.ok(Math.abs(a.length - 1000) < 160, String(a.length));
    assert.ok(a.every((t, i) => t >= 0 && t <= 20 && (i === 0 || t >= (a[i - 1] as number))));
  });

  it('a rate without its duration is refused, not read as zero seconds', () => {
    assert.throws(() => ratePieces({ rate: 5, duration_s: null, stages: null }), /an arrival rate without duration_s/);
  });
});
