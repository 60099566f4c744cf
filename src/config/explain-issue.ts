/**
 * Config errors that help: a validation issue of the schema turned into sentences that say what to
 * write instead. An unknown key is reported at its own line with the closest allowed key ("did you
 * mean") and the keys allowed there; a value outside a set (a signal, an operator, a `kind`) names
 * the valid values and the closest one; a union (a trigger rule, a preparer) is explained from the
 * alternative the input came closest to, not as "Invalid input".
 */
import { z } from 'zod';
import { configSchema } from './schema.js';

export type Path = (string | number)[];

export interface Explained {
  path: Path;
  message: string;
  /** " Did you mean …?" — said after the value the user wrote (when that can be shown). */
  hint?: string;
}

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
};

let cached: JsonSchema | null = null;
const jsonSchema = (): JsonSchema =>
  (cached ??= z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);

/** Edit distance with transpositions (optimal string alignment): "=>" is one edit from ">=". */
export function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[a.length]![b.length]!;
}

/** The closest candidate within a third of the word's length (at least 2 edits), or null. */
export function closest(word: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestD = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) ((best = c), (bestD = d));
  }
  return best;
}

function branches(node: JsonSchema): JsonSchema[] {
  const alts = [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])];
  return alts.length ? alts.flatMap(branches) : [node];
}

/** The keys an object at `path` may have (every alternative's, for a union), or [] when unknown. */
export function allowedKeys(path: Path, root: JsonSchema = jsonSchema()): string[] {
  let nodes = branches(root);
  for (const seg of path) {
    const next: JsonSchema[] = [];
    for (const n of nodes) {
      const child =
        typeof seg === 'number'
          ? n.items
          : (n.properties?.[seg] ?? (typeof n.additionalProperties === 'object' ? n.additionalProperties : undefined));
      if (child) next.push(...branches(child));
    }
    nodes = next;
  }
  return [...new Set(nodes.flatMap((n) => Object.keys(n.properties ?? {})))];
}

const quoted = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).join(', ');

/** Reads the input value at a path (what the user wrote), for "did you mean". */
export type ValueAt = (path: Path) => unknown;

/** One zod issue, as the sentences a user can act on (with the path each one is about). */
export function explainIssue(issue: z.core.$ZodIssue, valueAt: ValueAt, base: Path = []): Explained[] {
  const path = [...base, ...(issue.path as Path)];
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(path);
    return issue.keys.map((key) => {
      const guess = closest(key, allowed);
      const hint = guess ? `: did you mean "${guess}"?` : '.';
      const list = allowed.length ? ` Allowed here: ${allowed.join(', ')}.` : '';
      return { path: [...path, key], message: `unknown key "${key}"${hint}${list}` };
    });
  }
  if (issue.code === 'invalid_value') {
    return [{ path, ...oneOf(issue.values, valueAt(path)) }];
  }
  if (issue.code === 'invalid_union') return explainUnion(issue, path, valueAt);
  return [{ path, message: issue.message.replace(/^Invalid input: /, '') }];
}

/** "expected one of …" and, for a near miss, "Did you mean …?". */
function oneOf(values: readonly unknown[], got: unknown): { message: string; hint?: string } {
  const guess = typeof got === 'string' ? closest(got, values.map(String)) : null;
  const message = `expected one of ${quoted([...values])}`;
  return guess ? { message, hint: `. Did you mean "${guess}"?` } : { message };
}

function explainUnion(issue: z.core.$ZodIssueInvalidUnion, path: Path, valueAt: ValueAt): Explained[] {
  const options = (issue as { options?: unknown[] }).options;
  if (options?.length) return [{ path, ...oneOf(options, valueAt(path)) }];
  const alternatives = issue.errors ?? [];
  if (alternatives.length === 0) return [{ path, message: issue.message }];
  // The alternative the input came closest to: the fewest problems, unknown keys weighing most.
  const cost = (issues: z.core.$ZodIssue[]) =>
    issues.reduce((n, i) => n + (i.code === 'unrecognized_keys' ? 10 * i.keys.length : 1), 0);
  const best = [...alternatives].sort((a, b) => cost(a) - cost(b))[0]!;
  return best.flatMap((i) => explainIssue(i, valueAt, path));
}
