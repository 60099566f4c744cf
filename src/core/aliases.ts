/**
 * Model aliases (MLflow rules): names match `^[\w-]+$`; `latest` and `v<digits>` are reserved.
 * refit's own: `champion` serves traffic, `challenger` is under evaluation, `previous` is the
 * champion before the last promotion (the rollback target).
 */
import { UsageError } from './errors.js';

export const CHAMPION = 'champion';
export const CHALLENGER = 'challenger';
export const PREVIOUS = 'previous';

export function validateAlias(alias: string): void {
  if (!/^[\w-]+$/.test(alias)) throw new UsageError(`invalid alias "${alias}": use letters, digits, "_" and "-" only`);
  if (alias.toLowerCase() === 'latest' || /^v\d+$/i.test(alias))
    throw new UsageError(`alias "${alias}" is reserved (latest and v<number> name versions); choose another name`);
}
