import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';

type Answer = [status: number, reason: string, code: keyof typeof TRPC_ERROR_CODES_BY_KEY, message: string];

/** What Node's parser refused, by its error code; anything else is malformed HTTP. */
const answers: Record<string, Answer> = {
  HPE_HEADER_OVERFLOW: [
    431,
    'Request Header Fields Too Large',
    'BAD_REQUEST',
    "The request's headers are over the server's 16 KiB: a query's input in the URL is likely too long. Send it in a POST body (the SDK does).",
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'TIMEOUT', 'The request did not arrive in time.'],
};
const malformed: Answer = [400, 'Bad Request', 'BAD_REQUEST', 'The request is not valid HTTP.'];

/**
 * Answers a request Node's parser refused (headers over its limit, malformed HTTP) in tRPC's
 * error format, as every other refusal: Node's own answer is a status line with no body (a GET
 * whose query input was 60 KB got an empty 431), which a tRPC client reports as an answer it
 * cannot parse rather than the reason.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A connection reset, one already closing, or one whose previous answer is on its way (a
    // pipelined request): nothing can be told, as Node's own handler decides.
    const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || answering?.headersSent === true) {
      socket.destroy();
      return;
    }
    const [status, reason, code, message] = answers[error.code ?? ''] ?? malformed;
    const body = JSON.stringify({
      error: {
        message,
        code: TRPC_ERROR_CODES_BY_KEY[code],
        data: { code, httpStatus: status, issues: null },
      },
    });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
