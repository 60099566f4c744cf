/**
 * Parsing a prediction request body: `{"input": {...}}`, `{"inputs": [...]}` or a bare array;
 * an optional sticky `"key"`.
 */
export function predictRequest(
  body: unknown,
): { inputs: Record<string, unknown>[]; key: string | null } | { error: string } {
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  const b = body as Record<string, unknown> | unknown[] | null;
  const list = Array.isArray(b)
    ? b
    : isObj(b) && Array.isArray(b.inputs)
      ? b.inputs
      : isObj(b) && isObj(b.input)
        ? [b.input]
        : null;
  if (!list)
    return {
      error: 'body needs "input" (an object) or "inputs" (an array of objects), e.g. {"input": {"text": "..."}}',
    };
  if (list.length === 0) return { error: '"inputs" is empty: send at least one input' };
  const bad = list.findIndex((x) => !isObj(x));
  if (bad >= 0)
    return {
      error: `inputs[${bad}] must be an object of input fields, got ${JSON.stringify(list[bad])?.slice(0, 60)}`,
    };
  const key = isObj(b) && b.key !== undefined ? String(b.key) : null;
  return { inputs: list as Record<string, unknown>[], key };
}
