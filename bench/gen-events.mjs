// Writes a deterministic NDJSON file of prediction + feedback events (bench input).
// Usage: node bench/gen-events.mjs OUT.ndjson PAIRS [MODELS=10] [TARGET_BYTES]
import { createWriteStream } from 'node:fs';

export async function writeEvents(path, pairs, models = 10, targetBytes = 0) {
  const out = createWriteStream(path);
  const words = [
    'invoice',
    'meeting',
    'free',
    'winner',
    'urgent',
    'report',
    'click',
    'offer',
    'team',
    'update',
    'prize',
    'account',
  ];
  let bytes = 0;
  let rows = 0;
  const base = Date.parse('2026-11-01T00:00:00Z');
  for (let i = 0; targetBytes ? bytes < targetBytes : i < pairs; i++) {
    const model = `m${i % models}`;
    const text = Array.from({ length: 12 }, (_, k) => words[(i * 7 + k * 13) % words.length]).join(' ');
    const predicted = i % 3 === 0 ? 'spam' : 'ham';
    const truth = i % 11 === 0 ? (predicted === 'spam' ? 'ham' : 'spam') : predicted;
    const ts = new Date(base + i * 1000).toISOString();
    const p =
      JSON.stringify({
        type: 'prediction',
        id: `p-${i}`,
        model,
        version: '3',
        input: { text },
        prediction: predicted,
        confidence: 0.91,
        ts,
      }) + '\n';
    const f =
      JSON.stringify({
        type: 'feedback',
        prediction_id: `p-${i}`,
        model,
        label: truth,
        reviewer_confidence: 0.95,
        ts,
      }) + '\n';
    bytes += p.length + f.length;
    rows += 2;
    if (!out.write(p + f)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  return { rows, bytes };
}

export function benchConfig(models = 10) {
  return (
    'models:\n' +
    Array.from(
      { length: models },
      (_, i) =>
        `  m${i}:\n    labels: [ham, spam]\n    triggers:\n      rules:\n        - { signal: misclassified, op: ">=", value: 1000 }\n        - { signal: online_accuracy, op: "<", value: 0.8, consecutive: 3 }\n`,
    ).join('')
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [out, pairs, models, target] = process.argv.slice(2);
  const r = await writeEvents(out, Number(pairs ?? 1000), Number(models ?? 10), Number(target ?? 0));
  console.log(JSON.stringify(r));
}
