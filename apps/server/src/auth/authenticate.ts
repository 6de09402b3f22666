import type { Memory } from '@episodic/core';
import type { Caller } from '../context.js';

export interface Authentication {
  caller: Caller | null;
  /** Why `caller` is null, for the 401 message. */
  authProblem: string;
}

const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** Reads `Authorization: Bearer <token>` and checks the token against the store. */
export async function authenticate(memory: Memory, header: string | undefined): Promise<Authentication> {
  if (header === undefined || header === '') {
    return { caller: null, authProblem: 'Missing bearer token: send "Authorization: Bearer <token>".' };
  }
  const match = bearer.exec(header);
  if (match === null)
    return { caller: null, authProblem: 'Malformed Authorization header: expected "Bearer <token>".' };
  const token = await memory.tokens.verify(match[1] as string);
  if (token === null) return { caller: null, authProblem: 'Invalid or revoked token.' };
  return { caller: token, authProblem: '' };
}
