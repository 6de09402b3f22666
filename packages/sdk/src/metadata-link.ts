import type { TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import { localRefusal, type ValidationIssue } from './local-refusal.js';
import type { AppRouter } from './types.js';

const isPlainObject = (value: object) => {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

const ownSymbols = (value: object) =>
  Object.getOwnPropertySymbols(value).filter((key) => Object.prototype.propertyIsEnumerable.call(value, key));

/**
 * Whether `JSON.stringify` writes `value` as it is: no NaN or ±Infinity (written `null`), no
 * `undefined`, function or symbol (left out, or `null` in an array), no BigInt (a throw), no Date
 * or class instance (written as a string or as its fields). Iterative, and each object walked
 * once, so deep or cyclic values end.
 */
function isJson(value: unknown): boolean {
  const pending = [value];
  const seen = new Set<object>();
  while (pending.length > 0) {
    const current = pending.pop();
    if (current === null || typeof current === 'string' || typeof current === 'boolean') continue;
    if (typeof current === 'number') {
      if (Number.isFinite(current)) continue;
      return false;
    }
    if (typeof current !== 'object') return false;
    if (seen.has(current)) continue;
    seen.add(current);
    if (Array.isArray(current)) {
      // A hole reads as undefined, which JSON writes as null.
      for (let i = 0; i < current.length; i += 1) pending.push(current[i]);
    } else if (isPlainObject(current) && ownSymbols(current).length === 0) {
      pending.push(...Object.values(current));
    } else return false;
  }
  return true;
}

/** What the engine's schema calls a value that is not a record ("expected record, received Date"). */
function kindOf(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'object' || value === null) return typeof value;
  return (value.constructor as { name?: string } | undefined)?.name ?? 'object';
}

/**
 * The engine's refusals of a metadata object that JSON would change on the way: at the top-level
 * key that holds the value, as its schema (a record of JSON values) words them. A value JSON
 * carries unchanged is left to the server, which refuses it with the engine's own words if need be.
 */
function metadataIssues(metadata: unknown, path: string): ValidationIssue[] {
  // Absent: JSON leaves the key out, and the engine takes it as absent too.
  if (metadata === undefined) return [];
  if (typeof metadata !== 'object' || metadata === null || !isPlainObject(metadata)) {
    // A string, a finite number, null or an array arrives as it is: the server refuses it as the engine does.
    if (Array.isArray(metadata) || isJson(metadata)) return [];
    return [{ path, message: `Invalid input: expected record, received ${kindOf(metadata)}` }];
  }
  const record = metadata as Record<string, unknown>;
  return [
    ...Object.keys(record)
      .filter((key) => !isJson(record[key]))
      .map((key) => ({ path: `${path}.${key}`, message: 'Invalid input' })),
    ...ownSymbols(record).map((key) => ({
      path: `${path}.${String(key)}`,
      message: 'Invalid key in record',
    })),
  ];
}

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

const stepsMetadata = (steps: unknown, path: string): [string, unknown][] =>
  Array.isArray(steps) ? steps.map((step, i) => [`${path}.${i}.metadata`, field(step, 'metadata')]) : [];

/** Each metadata object in a procedure's input, with its field path, in the order the engine checks them. */
function metadataOf(procedure: string, input: unknown): [string, unknown][] {
  switch (procedure) {
    case 'episodes.start':
    case 'admin.forget':
      return [['metadata', field(input, 'metadata')]];
    case 'episodes.logSteps':
      return stepsMetadata(field(input, 'steps'), 'steps');
    case 'episodes.record':
      return Array.isArray(input)
        ? input.flatMap((record: unknown, i) => [
            [`${i}.metadata`, field(record, 'metadata')] as [string, unknown],
            ...stepsMetadata(field(record, 'steps'), `${i}.steps`),
          ])
        : [];
    default:
      return [];
  }
}

/**
 * Refuses, without sending it, a call whose metadata holds a value JSON cannot carry (NaN, a Date,
 * `undefined`…). The server would receive it already changed — `null`, a string, a key gone — and
 * store it, where the embedded engine refuses the same call: the refusal is the engine's, with the
 * same field paths, in the shape of the server's.
 */
export function metadataLink(): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) => {
      const issues = metadataOf(op.path, op.input).flatMap(([path, metadata]) =>
        metadataIssues(metadata, path),
      );
      if (issues.length === 0) return next(op);
      return observable((observer) => observer.error(localRefusal(op.path, issues)));
    };
}
