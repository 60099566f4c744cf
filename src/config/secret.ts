/**
 * A secret value in the typed configuration: a token, a webhook URL, a signing key. The schema
 * marks such fields (`secret(...)` in fields.ts) and their parsed values are `Secret`s: printing,
 * logging or serialising one shows `***`; code that needs the value asks for `.value`. Every
 * secret of a loaded config is collected from the parsed value (`secretsIn`), so the list of
 * what to mask is never written by hand.
 */
import { inspect } from 'node:util';

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  get value(): string {
    return this.#value;
  }
  toString(): string {
    return '***';
  }
  toJSON(): string {
    return '***';
  }
  [inspect.custom](): string {
    return 'Secret(***)';
  }
}

/** The value of an optional secret, or null. */
export function reveal(s: Secret | null | undefined): string | null {
  return s ? s.value : null;
}

/** Every Secret's value inside a parsed config (plain objects and arrays are walked). */
export function secretsIn(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (value instanceof Secret) {
    out.add(value.value);
  } else if (Array.isArray(value)) {
    for (const v of value) secretsIn(v, out);
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) secretsIn(v, out);
  }
  return out;
}
