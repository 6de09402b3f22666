import type { TRPCLink } from '@trpc/client';
import { newEpisodeId } from './episode-id.js';
import type { AppRouter } from './types.js';

/**
 * Gives an `episodes.start` sent without an `id` one of its own, before it leaves: every try of
 * the call then carries the same id, so the server starts one episode however often the call is
 * replayed (`replayLink`), and every caller of the client gets that without asking.
 */
export function startIdLink(): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) => {
      if (op.path !== 'episodes.start') return next(op);
      const input = op.input as { id?: unknown } | null | undefined;
      // Anything but an object is left for the server to refuse, with its field paths.
      if (typeof input !== 'object' || input === null || input.id !== undefined) return next(op);
      return next({ ...op, input: { ...input, id: newEpisodeId() } });
    };
}
