import { TRPCClientError } from '@trpc/client';
import type { AppRouter } from './types.js';

export interface ValidationIssue {
  path: string;
  message: string;
}

/** An object literal's kind of value (no class instance, array or Date). */
export function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * The server's answer to an input its schema refuses, made here for an input the SDK refuses
 * before sending it, so a caller handles both alike.
 */
export function localRefusal(procedure: string, issues: ValidationIssue[]): TRPCClientError<AppRouter> {
  const message = `Invalid input: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`;
  return new TRPCClientError<AppRouter>(message, {
    result: {
      error: {
        message,
        // JSON-RPC's "invalid request", the number tRPC gives BAD_REQUEST.
        code: -32600,
        data: { code: 'BAD_REQUEST', httpStatus: 400, path: procedure, issues },
      },
    },
  });
}
