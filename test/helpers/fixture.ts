/**
 * One test setup for every store dialect (after Kysely's `initTest` / `destroyTest`): inside a
 * `describe.each(DIALECTS)` block, `storeFixture(dialect)` gives fresh stores and apps and closes
 * and drops them after each test. A store is keyed by a name (default: the project folder), so a
 * second app opened on the same folder resumes from the first one's store.
 */
import { afterEach } from 'vitest';
import { closeApp, openApp } from '../../src/app.js';
import type { AppContext } from '../../src/app-context.js';
import type { Clock } from '../../src/core/ports/clock.js';
import type { Logger } from '../../src/core/ports/logger.js';
import { freshStoreUrl, type DialectName, type TestStoreUrl } from './stores.js';

export interface OpenOptions {
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Which store: apps with the same key share one. Default: the folder. */
  store?: string;
}

export interface StoreFixture {
  dialect: DialectName;
  /** The URL of the store named `key` (created on first use). */
  url(key: string): Promise<string>;
  /** An app on the project folder `dir`, on the store named `options.store ?? dir`. */
  open(dir: string, options?: OpenOptions): Promise<AppContext>;
  /** Closes an app before the end of the test (a "process" that stops). */
  close(app: AppContext): Promise<void>;
}

export function storeFixture(dialect: DialectName): StoreFixture {
  const apps: AppContext[] = [];
  const stores = new Map<string, TestStoreUrl>();
  afterEach(async () => {
    for (const a of apps.splice(0)) await closeApp(a);
    for (const s of stores.values()) await s.cleanup();
    stores.clear();
  });
  const url = async (key: string) => {
    if (!stores.has(key)) stores.set(key, await freshStoreUrl(dialect));
    return stores.get(key)!.url;
  };
  return {
    dialect,
    url,
    async open(dir, options = {}) {
      const store = await url(options.store ?? dir);
      const a = await openApp({
        cwd: dir,
        env: options.env ?? {},
        clock: options.clock,
        logger: options.logger,
        overrides: { store },
      });
      apps.push(a);
      return a;
    },
    async close(app) {
      const i = apps.indexOf(app);
      if (i >= 0) apps.splice(i, 1);
      await closeApp(app);
    },
  };
}
