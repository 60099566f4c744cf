import { describe, expect, it } from 'vitest';
import { progressOf, progressText } from './progress.js';

describe('training progress from a log', () => {
  it('reads the last iteration, epoch or step line of any trainer', () => {
    const builtin = 'training on 60 rows\niteration 1 of at most 30: loss 0.6\niteration 7 of at most 30: loss 0.2\n';
    expect(progressOf(builtin)).toEqual({ done: 7, total: 30, unit: 'iteration', atMost: true });
    expect(progressText(progressOf(builtin)!)).toBe('iteration 7 of at most 30');
    expect(progressOf('Epoch 3/10 - loss: 0.41')).toMatchObject({ done: 3, total: 10, unit: 'epoch' });
    expect(progressOf('step 120 of 400')).toMatchObject({ done: 120, total: 400, unit: 'step' });
  });

  it('is null without a count, and ignores impossible ones', () => {
    expect(progressOf('')).toBeNull();
    expect(progressOf('loading data\nepoch done')).toBeNull();
    expect(progressOf('epoch 12 of 10')).toBeNull();
    expect(progressOf('epoch 1 of 0')).toBeNull();
  });
});
