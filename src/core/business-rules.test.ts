import { describe, expect, it } from 'vitest';
import { checkBusinessRule } from './business-rules.js';

const rows = [
  { input: { channel: 'email' }, truth: 'high', prediction: 'high' },
  { input: { channel: 'email' }, truth: 'high', prediction: 'low' },
  { input: { channel: 'chat' }, truth: 'low', prediction: 'low' },
  { input: { channel: 'chat' }, truth: 'high', prediction: 'medium' },
];

describe('business rules', () => {
  it('never route urgency=high to low', () => {
    const r = checkBusinessRule(
      { name: 'no-high-to-low', when: { truth: 'high' }, forbid: { prediction: 'low' }, maxViolationRate: 0 },
      rows,
    );
    expect(r).toMatchObject({ applicable: 3, violations: 1, passed: false, examples: [1] });
    expect(r.reason).toBe(
      'business rule "no-high-to-low" (when truth = "high", never prediction = "low"): 1 of 3 rows violate it (33.33%), above the allowed 0.00%',
    );
    expect(
      checkBusinessRule(
        { name: 'x', when: { truth: 'high' }, forbid: { prediction: 'low' }, maxViolationRate: 0.34 },
        rows,
      ).passed,
    ).toBe(true);
  });

  it('numeric requirements and input fields', () => {
    const preds = [
      { input: {}, truth: 3, prediction: 2.5 },
      { input: {}, truth: 1, prediction: -0.1 },
    ];
    expect(
      checkBusinessRule({ name: 'non-negative', require: { prediction: { gte: 0 } }, maxViolationRate: 0 }, preds),
    ).toMatchObject({ violations: 1, passed: false });
    expect(
      checkBusinessRule(
        {
          name: 'chat',
          when: { 'input.channel': { in: ['chat'] } },
          require: { prediction: { ne: 'medium' } },
          maxViolationRate: 0,
        },
        rows,
      ),
    ).toMatchObject({ applicable: 2, violations: 1 });
  });
});
