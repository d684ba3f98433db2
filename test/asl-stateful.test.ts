// Stateful vocabulary. Inputs and expected outputs of the rolling words are the tables
// of Atlas's own documentation (StatefulVocabulary); the others are worked out by hand.
import { describe, expect, it } from 'vitest';
import { type HandSeries, T0 } from './helpers/asl-memory-source.ts';
import { expectValues, single, valuesOf } from './helpers/asl-run.ts';
import { windowOf } from './helpers/asl-memory-source.ts';

const S = 'name,s,:eq,:sum';

async function on(values: number[], words: string, window = windowOf(values.length)): Promise<Float64Array> {
  const series: HandSeries[] = [{ tags: { name: 's' }, values }];
  return valuesOf(`${S},${words}`, series, window);
}

describe('ASL stateful words', () => {
  const DOC_INPUT = [0, 1, -1, NaN, 0, 1, 1, 1, 1, 0];

  it('3,:rolling-count counts non-zero values, NaN as zero', async () => {
    expectValues(await on(DOC_INPUT, '3,:rolling-count'), [0, 1, 2, 2, 1, 1, 2, 3, 3, 2]);
  });

  it('3,:rolling-min ignores NaN', async () => {
    expectValues(await on(DOC_INPUT, '3,:rolling-min'), [0, 0, -1, -1, -1, 0, 0, 1, 1, 0]);
  });

  it('3,:rolling-max ignores NaN', async () => {
    expectValues(await on(DOC_INPUT, '3,:rolling-max'), [0, 1, 1, 1, 0, 1, 1, 1, 1, 1]);
  });

  it('3,2,:rolling-mean needs 2 values in the window', async () => {
    expectValues(await on([0, 1, -1, NaN, NaN, 0, 1, 1, 1, 0], '3,2,:rolling-mean'), [NaN, 0.5, 0, 0, NaN, NaN, 0.5, 2 / 3, 1, 2 / 3]);
  });

  it('3,:rolling-sum is NaN only when the whole window is', async () => {
    expectValues(await on([0, 1, -1, NaN, NaN, NaN, 1, 1, 1, 0], '3,:rolling-sum'), [0, 1, 0, 0, -1, NaN, 1, 2, 3, 2]);
  });

  it(':delay shifts by n steps', async () => {
    expectValues(await on([1, 2, 3, 4, 5], '2,:delay'), [NaN, NaN, 1, 2, 3]);
  });

  it(':integral sums from the start, NaN as 0 once started', async () => {
    const line = await single(`${S},:integral`, [{ tags: { name: 's' }, values: [NaN, 1, 2, NaN, 4] }], windowOf(5));
    expect(line.label).toBe('integral(sum(name=s))');
    expectValues(line.values, [NaN, 1, 3, 3, 7]);
  });

  it(':cumulative-max keeps the running max', async () => {
    expectValues(await on([1, 3, NaN, 2, 5], ':cumulative-max'), [1, 3, 3, 3, 5]);
  });

  it(':derivative is the change per step', async () => {
    expectValues(await on([1, 3, NaN, 2, 5], ':derivative'), [NaN, 2, NaN, NaN, 3]);
  });

  it('3m,:trend averages 3 steps once 3 samples were seen, NaN as 0 unless all are NaN', async () => {
    expectValues(await on([1, 2, 3, 4, NaN, NaN, NaN], '3m,:trend'), [NaN, NaN, 2, 3, 7 / 3, 4 / 3, NaN]);
  });

  it(':des predicts after the training samples (training 2, alpha 0.5, beta 0.5)', async () => {
    // s1=1 b1=0; s2=.5*2+.5*(1+0)=1.5 b2=.5*.5=.25; s3=.5*3+.5*1.75=2.375 b3=.5*.875+.5*.25=.5625;
    // s4=.5*4+.5*2.9375=3.46875. The value at step i is the prediction before seeing it.
    expectValues(await on([1, 2, 3, 4, 5], '2,0.5,0.5,:des'), [NaN, NaN, 1.5, 2.375, 3.46875]);
  });

  it(':sdes starts on a multiple of the training window and alternates two DES', async () => {
    // Window starts 1 step after T0; the 2-step training window aligns 1 step later.
    const window = { start: T0 + 60_000, end: T0 + 7 * 60_000, step: 60_000 };
    const series: HandSeries[] = [{ tags: { name: 's' }, values: [0, 9, 1, 2, 3, 4, 5] }];
    // first DES trains on 1,2 (reset after 2 samples); the second predicts 1.5, 2.375 for 3, 4;
    // then the first, retrained on 3,4 (s=3.5), predicts 3.5 for 5.
    expectValues(await valuesOf(`${S},2,0.5,0.5,:sdes`, series, window), [NaN, NaN, NaN, 1.5, 2.375, 3.5]);
  });

  it.each(['des-simple', 'des-fast', 'des-slower', 'des-slow', 'sdes-simple', 'sdes-fast', 'sdes-slower', 'sdes-slow'])(
    ':%s trains on 10 samples, then predicts a constant input exactly',
    async (word) => {
      const values = await on(Array(12).fill(5), `:${word}`);
      expectValues(values, [...Array(10).fill(NaN), 5, 5]);
    },
  );

  it('the example alert: more than 4 of the last 5 steps above 80', async () => {
    const values = await on([90, 90, 70, 90, 90, 90, 90, 90], '80,:gt,5,:rolling-count,4,:gt');
    expectValues(values, [0, 0, 0, 0, 0, 0, 0, 1]);
  });
});
