import { TRPCClientError } from '@trpc/client';
import type { AppRouter } from './types.js';

export interface ValidationIssue {
  path: string;
  message: string;
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
