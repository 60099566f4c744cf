/** Polls a condition every 50 ms until it holds or `ms` passed; returns whether it holds. */
export async function until(ok: () => boolean, ms = 15_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return ok();
}
