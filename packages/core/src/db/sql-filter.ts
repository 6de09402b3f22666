import type { InValue } from '@libsql/client';
import type { AccessScope } from '../types.js';

/**
 * A WHERE clause assembled from optional conditions, with its arguments kept beside it so that
 * no user value is ever spliced into SQL text.
 */
export class SqlFilter {
  readonly #conditions: string[] = [];
  readonly args: InValue[] = [];

  /** Adds `condition` (with `?` placeholders) when every value is defined. */
  when(condition: string, ...values: (InValue | undefined)[]): this {
    if (values.some((value) => value === undefined)) return this;
    this.#conditions.push(condition);
    this.args.push(...(values as InValue[]));
    return this;
  }

  /** Restricts `column` to the scope's domains; an empty scope matches nothing. */
  scope(column: string, scope: AccessScope | undefined): this {
    if (scope === undefined) return this;
    if (scope.domains.length === 0) {
      this.#conditions.push('0');
      return this;
    }
    this.#conditions.push(`${column} IN (${scope.domains.map(() => '?').join(', ')})`);
    this.args.push(...scope.domains);
    return this;
  }

  get sql(): string {
    return this.#conditions.length === 0 ? '1' : this.#conditions.join(' AND ');
  }
}
