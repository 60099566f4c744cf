/**
 * Secret values: what must never appear in logs, the store, reports or error messages. A value is
 * secret when it was interpolated from a variable listed under `secrets:` or whose name looks like
 * a credential, or when it is the password inside a database URL.
 */

const CREDENTIAL_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE|WEBHOOK|DATABASE_URL|DSN|_URL$/i;

export function collectSecrets(
  listed: string[],
  used: { name: string; value: string }[],
  urls: string[],
  env: NodeJS.ProcessEnv = {},
): string[] {
  const out = new Set<string>();
  for (const name of listed) {
    const v = env[name];
    if (v) addWithUrlPassword(out, v);
  }
  for (const { name, value } of used) {
    if (listed.includes(name) || CREDENTIAL_NAME.test(name)) addWithUrlPassword(out, value);
  }
  for (const u of urls) {
    const pw = urlPassword(u);
    if (pw) out.add(pw);
  }
  return [...out].filter((s) => s.length >= 4);
}

function addWithUrlPassword(out: Set<string>, value: string): void {
  out.add(value);
  const pw = urlPassword(value);
  if (pw) out.add(pw);
}

export function urlPassword(value: string): string | null {
  try {
    const u = new URL(value);
    return u.password ? decodeURIComponent(u.password) : null;
  } catch {
    return null;
  }
}

/** Replaces every secret value (and a URL's password) in `text` with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s && out.includes(s)) out = out.split(s).join('***');
  return out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)([^@\s]+)@/gi, '$1***@');
}
