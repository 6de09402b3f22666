import { EpisodicError, type EpisodicErrorCode } from '@episodic/core';
import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { ServerError } from './server-error.js';
import { toTRPCError } from './to-trpc-error.js';

const wrapped = (code: EpisodicErrorCode) =>
  toTRPCError(
    new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: new EpisodicError(code, `engine says ${code}`) }),
  );

describe('engine errors at the server boundary', () => {
  it.each([
    ['VALIDATION', 'BAD_REQUEST'],
    ['NOT_FOUND', 'NOT_FOUND'],
    ['FORBIDDEN', 'FORBIDDEN'],
    ['CONFLICT', 'CONFLICT'],
    ['EMBEDDING', 'BAD_GATEWAY'],
    ['TIMEOUT', 'TIMEOUT'],
    ['BUSY', 'SERVICE_UNAVAILABLE'],
    ['FULL', 'SERVICE_UNAVAILABLE'],
  ] as const)('%s becomes %s with the engine’s message', (engine, trpc) => {
    expect(wrapped(engine)).toMatchObject({ code: trpc, message: `engine says ${engine}` });
  });

  it.each(['STORAGE', 'CONFIG', 'SCHEMA_VERSION'] as const)('%s stays an internal error', (engine) => {
    expect(wrapped(engine).code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('a part of the server that is down for now is a 503 with its message; other server errors stay internal', () => {
    const down = new ServerError('UNAVAILABLE', 'The learners of this server are not running: …');
    expect(toTRPCError(new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: down }))).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: down.message,
    });
    const failed = new ServerError('FAILED', 'a backup that does not verify');
    expect(toTRPCError(new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: failed })).code).toBe(
      'INTERNAL_SERVER_ERROR',
    );
  });
});
