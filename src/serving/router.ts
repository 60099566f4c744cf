/**
 * Which version answers a prediction request. The routing table (each line's aliases → loaded
 * predictors) is replaced as a whole: a refresh loads any newly aliased version first and only
 * then swaps the table, so a promotion never makes a request wait or fail, and a request that
 * took its snapshot keeps the version it started with — every response comes from exactly one
 * version. Refreshes run after promotions in this process and every `pollMs` for the others.
 *
 * Per request: an explicit version or alias if asked; else the canary alias for its share of
 * traffic (sticky: the same key always lands on the same side); else the champion. The shadow
 * alias, if configured, also predicts (logged, never returned).
 */
import type { AppContext } from '../app-context.js';
import { CHAMPION } from '../core/aliases.js';
import { NotFoundError } from '../core/errors.js';
import { hash53 } from '../datasets/random.js';
import { loadPredictor, type Predictor } from './predictor.js';
import { allAliases } from '../stores/aliases.js';

interface LineTable {
  aliases: Map<string, number>;
  predictors: Map<number, Predictor>;
}

export interface Route {
  primary: Predictor;
  /** How the primary was chosen: "champion", "canary:<alias>", "alias:<name>", "version". */
  via: string;
  shadow: Predictor | null;
}

export class ServingRouter {
  private table = new Map<string, LineTable>();
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(private readonly app: AppContext) {}

  start(pollMs = 1000): void {
    this.timer = setInterval(
      () =>
        void this.refresh().catch((err) => this.app.logger.warn(`serving refresh failed: ${(err as Error).message}`)),
      pollMs,
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Reloads the aliases of every line; loads new versions before they become visible. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      // One in flight may have read the aliases before the change that asks for this refresh.
      this.queued ??= this.refreshing.then(() => {
        this.queued = null;
        return this.refresh();
      });
      return this.queued;
    }
    this.refreshing = this.doRefresh().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const rows = await allAliases(this.app.store);
    const next = new Map<string, LineTable>();
    for (const r of rows) {
      const line = this.app.config.models[r.model];
      if (!line) continue;
      const t = next.get(r.model) ?? { aliases: new Map(), predictors: new Map() };
      t.aliases.set(r.alias, r.version);
      if (!t.predictors.has(r.version))
        t.predictors.set(
          r.version,
          this.table.get(r.model)?.predictors.get(r.version) ?? (await loadPredictor(this.app, line, r.version)),
        );
      next.set(r.model, t);
    }
    this.table = next;
  }

  /** A predictor for an explicit version that no alias points to (loaded on demand, not kept). */
  private async pinned(model: string, version: number): Promise<Predictor> {
    return (
      this.table.get(model)?.predictors.get(version) ?? loadPredictor(this.app, this.app.config.models[model]!, version)
    );
  }

  async route(model: string, opts: { version?: number; alias?: string; key: string }): Promise<Route> {
    const line = this.app.config.models[model];
    if (!line)
      throw new NotFoundError(
        `unknown model line "${model}": configured lines are ${Object.keys(this.app.config.models).join(', ')}`,
      );
    const t = this.table.get(model);
    const shadowVersion = line.serving.shadow ? t?.aliases.get(line.serving.shadow) : undefined;
    const shadow = shadowVersion !== undefined ? (t!.predictors.get(shadowVersion) ?? null) : null;
    if (opts.version !== undefined)
      return { primary: await this.pinned(model, opts.version), via: 'version', shadow: null };
    if (opts.alias !== undefined) {
      const v = t?.aliases.get(opts.alias);
      if (v === undefined)
        throw new NotFoundError(`${model} has no alias "${opts.alias}" (see \`refit models ${model}\`)`);
      return { primary: t!.predictors.get(v)!, via: `alias:${opts.alias}`, shadow: null };
    }
    const champion = t?.aliases.get(CHAMPION);
    if (champion === undefined)
      throw new NotFoundError(`${model} has no champion yet: promote a version first (refit promote ${model} VERSION)`);
    const canary = line.serving.canary;
    if (canary) {
      const cv = t!.aliases.get(canary.alias);
      if (cv !== undefined && cv !== champion && hash53(opts.key, 17) % 10_000 < canary.percent * 100)
        return {
          primary: t!.predictors.get(cv)!,
          via: `canary:${canary.alias}`,
          shadow: shadow?.version === cv ? null : shadow,
        };
    }
    return {
      primary: t!.predictors.get(champion)!,
      via: 'champion',
      shadow: shadow?.version === champion ? null : shadow,
    };
  }
}
