import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Progress } from '../src/bench/progress.js';
import { tolerance } from '../src/simulate/figures.js';
import { renderSimulation } from '../src/simulate/report.js';
import { ParamsError, resolveParams } from '../src/simulate/params.js';
import { expectedPeakRatio, hourWeights, spanShares } from '../src/simulate/profile.js';
import { runSimulation } from '../src/simulate/run.js';

/**
 * Must-show 1: a simulated working day with known parameters, each figure the server reports checked
 * against the parameter within k standard errors for the number of samples behind it, and against what
 * the simulator counted it put in (which the server must reproduce exactly).
 */
const K = 3.5;

describe('retract simulate: the server reports what was put in', () => {
  it(
    'matches every parameter within k·sqrt(p(1−p)/n), and every count exactly',
    { timeout: 90_000 },
    async (t) => {
      const params = resolveParams({
        seed: 20250302,
        users: 120,
        messagesPerUser: 6,
        hours: [8, 16],
        duration: 20,
        attemptShare: 0.5,
        repeatShare: 0.7,
        maxAttempts: 8,
        lateShare: 0.6,
        followUps: { correction: 0.3, hide: 0.2, message: 0.15, none: 0.35 },
        peakHours: [10, 13],
        peakBoost: 1,
        maxTime: 80,
      });
      const result = await runSimulation({ params, progress: new Progress(false) });
      t.diagnostic(renderSimulation(result));

      assert.equal(result.put.errorCount, 0, result.put.errors.join('\n'));
      const byKey = new Map(result.figures.map((f) => [f.key, f]));
      const get = (key: string) => {
        const f = byKey.get(key);
        assert.ok(f, `figure ${key}`);
        return f;
      };
      // Enough samples for the tolerances to mean something.
      assert.ok(get('attempts').putIn! >= 100, `only ${get('attempts').putIn} attempts`);
      assert.ok(get('denied').putIn! >= 50, `only ${get('denied').putIn} denials`);

      for (const f of result.figures.filter((x) => x.kind !== 'count')) {
        const tol = tolerance(f, K);
        assert.ok(tol !== null && f.server !== null && f.param !== null, `${f.key}: no figure`);
        assert.ok(
          Math.abs(f.server - f.param) <= tol,
          `${f.label}: server ${f.server.toFixed(3)} vs parameter ${f.param.toFixed(3)}, tolerance ±${tol.toFixed(3)} (n=${f.n})`,
        );
        // What the simulator counted and what the server counted are the same events: no tolerance.
        assert.ok(
          Math.abs(f.server - f.putIn!) < 1e-9,
          `${f.label}: server ${f.server} vs put in ${f.putIn}`,
        );
      }
      for (const f of result.figures.filter((x) => x.kind === 'count')) {
        assert.equal(f.server, f.putIn, `${f.label}: server ${f.server} vs put in ${f.putIn}`);
      }
      // The parameter of the peak ratio is the profile's, over the simulated hours only.
      const expected = expectedPeakRatio(spanShares(hourWeights(params), params.hours), params.peakHours);
      assert.equal(get('peakRatio').param, expected);
      assert.ok(expected! > 2, 'the peaks are pronounced enough to be told from noise');
    },
  );
});

describe('simulation parameters', () => {
  it('takes the article’s figures as defaults', () => {
    const p = resolveParams();
    assert.equal(p.attemptShare, 0.12);
    assert.equal(p.lateShare, 0.67);
    assert.deepEqual(p.followUps, { correction: 0.34, hide: 0.21, message: 0, none: 0.45 });
    assert.deepEqual(p.peakHours, [10, 15]);
    assert.equal(p.peakBoost, 0.4);
    const shares = spanShares(hourWeights(p), p.hours);
    assert.ok(Math.abs(expectedPeakRatio(shares, p.peakHours)! - 1.4) < 1e-9);
  });

  it('reports every problem at once, by name', () => {
    assert.throws(
      () =>
        resolveParams({
          users: 2,
          lateShare: 1.5,
          followUps: { correction: 0.5, hide: 0.6 },
          tz: 'Mars/Olympus',
          colour: 'blue',
        }),
      (error: unknown) => {
        assert.ok(error instanceof ParamsError);
        const text = error.problems.join('\n');
        for (const word of ['users', 'lateShare', 'followUps', 'tz', "unknown parameter 'colour'"]) {
          assert.match(text, new RegExp(word));
        }
        return true;
      },
    );
  });
});
