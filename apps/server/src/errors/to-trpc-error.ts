import { EpisodicError, type EpisodicErrorCode } from '@episodic/core';
import { TRPCError } from '@trpc/server';
import { ServerError } from './server-error.js';

type TRPCCode = TRPCError['code'];

/**
 * Engine refusals a client can act on, an embedding provider (an upstream service) failing, and
 * a database busy past its timeout or on a full disk (503: the request did nothing and may be
 * sent again; the SDK retries it, and its message says which); anything else (`STORAGE`,
 * `CONFIG`…) is the server's fault and stays a generic 500.
 */
const clientCodes: Partial<Record<EpisodicErrorCode, TRPCCode>> = {
  VALIDATION: 'BAD_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  CONFLICT: 'CONFLICT',
  EMBEDDING: 'BAD_GATEWAY',
  TIMEOUT: 'TIMEOUT',
  BUSY: 'SERVICE_UNAVAILABLE',
  FULL: 'SERVICE_UNAVAILABLE',
};

/** The tRPC code an engine error is answered with; `undefined` for the server's own fault (a 500). */
export const engineErrorCode = (code: EpisodicErrorCode): TRPCCode | undefined => clientCodes[code];

/**
 * Gives an engine error its tRPC code, and a part of the server that is down for now
 * (`ServerError` `UNAVAILABLE`) a 503. This is the only place where `EpisodicError` meets tRPC:
 * the engine stays transport-agnostic and the router code just lets errors through.
 */
export function toTRPCError(error: TRPCError): TRPCError {
  const cause = error.cause;
  if (ServerError.isInstance(cause) && cause.code === 'UNAVAILABLE')
    return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: cause.message, cause });
  if (!EpisodicError.isInstance(cause)) return error;
  const code = engineErrorCode(cause.code);
  if (code === undefined) return error;
  return new TRPCError({ code, message: cause.message, cause });
}
