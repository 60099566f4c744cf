/// <reference lib="dom" />
/**
 * The dashboard's only data path: refit's HTTP API with the bearer token the user entered (kept
 * in this browser session only), and a polling hook for live pages.
 */
import { useEffect, useState } from 'preact/hooks';

const TOKEN_KEY = 'refit-token';

export const getToken = (): string => sessionStorage.getItem(TOKEN_KEY) ?? '';

export function saveToken(token: string): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  const res = await fetch(path, { method: init.method ?? 'GET', headers, body });
  const text = await res.text();
  if (!res.ok) throw new ApiError(res.status, errorText(res.status, text));
  const json = res.headers.get('content-type')?.includes('json');
  return (json ? JSON.parse(text) : text) as T;
}

function errorText(status: number, text: string): string {
  let message = text;
  try {
    message = (JSON.parse(text) as { error?: string }).error ?? text;
  } catch {
    /* not JSON */
  }
  return `${status}: ${message}`;
}

export interface Polled<T> {
  data: T | null;
  error: string | null;
  /** Loads again now (after an action). */
  reload: () => void;
}

/** Loads now and every `everyMs` while the page is shown (and `live` holds). */
export function usePoll<T>(load: () => Promise<T>, everyMs: number, key: string, live = true): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let stopped = false;
    const once = () =>
      load().then(
        (d) => !stopped && (setData(d), setError(null)),
        (e: Error) => !stopped && setError(e.message),
      );
    void once();
    const timer = live ? setInterval(once, everyMs) : undefined;
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [key, tick, live]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}

export const pct = (v: number | null | undefined) => (v == null ? '—' : `${(v * 100).toFixed(1)}%`);
export const when = (ms: number | null | undefined) =>
  ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '—';
export const took = (a: number | null, b: number | null) => (a && b ? `${((b - a) / 1000).toFixed(1)} s` : '—');
