/**
 * The sample events `refit init` writes: two model lines over support tickets, deterministic, so
 * that `refit plan` on a fresh project explains one retrain (`spam` has enough confident
 * misclassifications) and one skip (`urgency` has too few).
 */

const HAM = [
  'Meeting moved to Thursday, agenda attached',
  'Your invoice for November is ready',
  'Can you review the pull request before lunch?',
  'Team offsite: please confirm your dietary needs',
  'Quarterly report draft for comments',
  'Password changed on your account',
];
const SPAM = [
  'You have WON a free cruise, claim now',
  'Cheap meds online, no prescription needed',
  'Make $5000 a week from home!!!',
  'Your account is suspended, verify at this link',
  'Hot singles in your area want to meet',
  'Exclusive crypto opportunity, 1000% returns',
];

const BASE = Date.parse('2026-11-20T08:00:00Z');
const ts = (i: number) => new Date(BASE + i * 60_000).toISOString().replace('.000Z', 'Z');

export function sampleEvents(): string[] {
  return [...spamPredictions(), ...unsureReviews(), ...labelledSpam(), ...urgency()].map((o) => JSON.stringify(o));
}

/**
 * spam: 120 predictions by v1; 100 reviewed, 30 of them misclassified with a confident reviewer;
 * the feedback of #7 arrives before its prediction.
 */
function spamPredictions(): object[] {
  const out: object[] = [];
  for (let i = 0; i < 120; i++) {
    const isSpam = i % 3 === 0;
    const text = `${(isSpam ? SPAM : HAM)[i % 6]} (#${i})`;
    const truth = isSpam ? 'spam' : 'ham';
    const wrong = i < 100 && i % 10 < 3;
    const predicted = wrong ? (truth === 'spam' ? 'ham' : 'spam') : truth;
    const prediction = {
      type: 'prediction',
      id: `s-${i}`,
      model: 'spam',
      version: '1',
      input: { text },
      prediction: predicted,
      confidence: wrong ? 0.62 : 0.93,
      ts: ts(i),
    };
    const feedback = {
      type: 'feedback',
      prediction_id: `s-${i}`,
      model: 'spam',
      label: truth,
      reviewer_confidence: 0.95,
      ts: ts(i + 30),
    };
    if (i === 7) out.push(feedback, prediction);
    else out.push(prediction, ...(i < 100 ? [feedback] : []));
  }
  return out;
}

/** 6 misclassified by an unsure reviewer (below the 0.7 floor: not evidence). */
function unsureReviews(): object[] {
  return HAM.flatMap((ham, i) => [
    {
      type: 'prediction',
      id: `s-u${i}`,
      model: 'spam',
      version: '1',
      input: { text: `${ham} (unsure #${i})` },
      prediction: 'spam',
      confidence: 0.55,
      ts: ts(200 + i),
    },
    {
      type: 'feedback',
      prediction_id: `s-u${i}`,
      model: 'spam',
      label: 'ham',
      reviewer_confidence: 0.4,
      ts: ts(230 + i),
    },
  ]);
}

function labelledSpam(): object[] {
  return Array.from({ length: 10 }, (_, i) => ({
    type: 'example',
    id: `s-e${i}`,
    model: 'spam',
    input: { text: `${SPAM[i % 6]} (labelled #${i})` },
    label: 'spam',
    ts: ts(300 + i),
  }));
}

const URG = [
  'Server down in production',
  'Typo on the pricing page',
  'Cannot log in since this morning',
  'Feature idea: dark mode',
];
const URG_TRUE = ['high', 'low', 'high', 'low'];

/** urgency: 40 predictions, 20 reviewed, 4 misclassified — below its threshold of 25. */
function urgency(): object[] {
  const out: object[] = [];
  for (let i = 0; i < 40; i++) {
    const truth = URG_TRUE[i % 4]!;
    const wrong = i < 20 && i % 5 === 0;
    out.push({
      type: 'prediction',
      id: `u-${i}`,
      model: 'urgency',
      version: '1',
      input: { text: `${URG[i % 4]} (ticket ${1000 + i})` },
      prediction: wrong ? (truth === 'high' ? 'low' : 'high') : truth,
      confidence: 0.8,
      ts: ts(i),
    });
    if (i < 20) {
      out.push({
        type: 'feedback',
        prediction_id: `u-${i}`,
        model: 'urgency',
        label: truth,
        reviewer_confidence: 0.9,
        ts: ts(i + 45),
      });
    }
  }
  return out;
}
