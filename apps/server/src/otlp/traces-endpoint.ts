import type { IncomingMessage, ServerResponse } from 'node:http';
import { EpisodicError, type Memory, type RecordEpisodesInput } from '@episodic/core';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { ZodError } from 'zod';
import { authenticate } from '../auth/authenticate.js';
import type { Caller } from '../context.js';
import { firstIssues } from '../errors/first-issues.js';
import { engineErrorCode } from '../errors/to-trpc-error.js';
import type { CallAdmission } from '../http/call-admission.js';
import { drainFactor, dropUnreadBody } from '../http/unread-body.js';
import { AttributeError } from './attribute-values.js';
import { decodeTraceRequest } from './otlp-protobuf.js';
import { maxSpansPerRequest, sentSpans, traceRequestSchema } from './otlp-request-schema.js';
import { encodeMessage } from './protobuf-reader.js';
import { BodyError, readBody, utf8Text } from './read-body.js';
import { recordInCalls } from './record-calls.js';
import { traceEpisodes } from './trace-episodes.js';
import { tracedIssues } from './traced-issues.js';

export interface TracesEndpointOptions {
  memory: Memory;
  maxBodyBytes: number;
  /** Each token's share of calls running at once, shared with the API. */
  admission: CallAdmission;
  onInternalError: (error: unknown, path: string) => void;
}

/** Domain of traces whose resource names none (`episodic.domain`). */
export const defaultTraceDomain = 'default';
/** Task type of traces that name none (`episodic.task_type`): the seed's most general one. */
export const defaultTraceTaskType = 'analysis';

type Encoding = 'json' | 'protobuf';

/** An OTLP failure: a `google.rpc.Status` in the request's encoding, with the HTTP status. */
class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// google.rpc.Code for each HTTP status the endpoint answers with. 502 and 503 are UNAVAILABLE
// (14), as gRPC maps them: OTLP exporters retry those, as they do 429 and 504.
const rpcCode: Record<number, number> = {
  400: 3,
  401: 16,
  403: 7,
  405: 12,
  408: 4,
  409: 10,
  413: 8,
  415: 3,
  500: 13,
  502: 14,
  503: 14,
};
/** The HTTP statuses OTLP/HTTP exporters retry. */
const retryable = new Set([429, 502, 503, 504]);

function send(
  res: ServerResponse,
  status: number,
  encoding: Encoding,
  body: { json: unknown; proto: Uint8Array },
) {
  const bytes = encoding === 'json' ? Buffer.from(JSON.stringify(body.json)) : body.proto;
  res.writeHead(status, {
    'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf',
    'content-length': bytes.length,
  });
  res.end(bytes);
}

function refuse(res: ServerResponse, encoding: Encoding, status: number, message: string) {
  const code = rpcCode[status] ?? 2;
  send(res, status, encoding, {
    json: { code, message },
    proto: encodeMessage([
      [1, code],
      [2, message],
    ]),
  });
}

function issues(error: ZodError): string {
  const { named, more } = firstIssues(error.issues);
  const text = named.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
  return more > 0 ? `${text}; and ${more} more` : text;
}

function decode(body: Buffer, encoding: Encoding): unknown {
  // Outside the `try`: bytes that are not UTF-8 get their own message, not one about JSON.
  const text = encoding === 'json' ? utf8Text(body) : null;
  try {
    return text === null ? decodeTraceRequest(body) : JSON.parse(text);
  } catch (error) {
    const what = encoding === 'json' ? 'is not valid JSON' : 'is not a valid OTLP protobuf message';
    throw new Refused(400, `The request body ${what}: ${(error as Error).message}`);
  }
}

/**
 * Maps an engine error to the HTTP status the API answers it with (`BUSY` 503: nothing was
 * stored, send it again, which exporters do; `EMBEDDING` 502…); anything else is the server's
 * fault. `NOT_FOUND` is 409: `record` answers it for an id stored outside the caller's scope, and
 * a trace's id is not one the exporter looks up.
 */
function engineRefusal(error: unknown, records: RecordEpisodesInput = []): Refused | null {
  if (!EpisodicError.isInstance(error)) return null;
  const traced = tracedIssues(error.issues, records);
  const message = traced === null ? error.message : `Invalid trace export: ${traced}`;
  if (error.code === 'NOT_FOUND') return new Refused(409, message);
  const code = engineErrorCode(error.code);
  return code === undefined
    ? null
    : new Refused(getHTTPStatusCodeFromError(new TRPCError({ code })), message);
}

/**
 * `POST /v1/traces` (OTLP/HTTP, JSON or protobuf): each trace becomes an episode, written in
 * transactions of up to 1,000, with the same bearer tokens and domain scope as the API.
 */
export function createTracesEndpoint(options: TracesEndpointOptions) {
  const { memory, maxBodyBytes } = options;

  async function handle(req: IncomingMessage, res: ServerResponse, encoding: Encoding): Promise<void> {
    const { caller, authProblem } = await authenticate(memory, req.headers.authorization);
    if (caller === null) throw new Refused(401, authProblem);
    if (!caller.scopes.includes('write')) {
      memory.admin.recordAudit({
        actor: caller.id,
        operation: 'create',
        entityType: 'procedure',
        entityId: 'otlp.traces',
        outcome: 'denied',
      });
      throw new Refused(403, 'This token lacks the "write" scope.');
    }
    // An export is one of its token's calls (`maxCallsPerToken`): an exporter sending many at
    // once waits its turn like an API client, with its body left unread meanwhile.
    const end = await options.admission.admit(caller.id);
    try {
      await store(req, res, encoding, caller);
    } finally {
      end();
    }
  }

  async function store(req: IncomingMessage, res: ServerResponse, encoding: Encoding, caller: Caller) {
    const body = await readBody(req, maxBodyBytes, { gzip: true });
    const decoded = decode(body, encoding);
    const sent = sentSpans(decoded);
    if (sent > maxSpansPerRequest)
      throw new Refused(
        413,
        `The export has ${sent} spans, more than the ${maxSpansPerRequest} this server takes in one request: send smaller batches.`,
      );
    const parsed = traceRequestSchema.safeParse(decoded);
    if (!parsed.success) throw new Refused(400, `Invalid trace export: ${issues(parsed.error)}`);
    const { parts, spans } = traceEpisodes(parsed.data, {
      domain: defaultTraceDomain,
      taskType: defaultTraceTaskType,
      taskTypes: memory.schemas.taskType.options,
      limits: memory.config.limits,
      metadata: memory.schemas.metadata,
    });
    // Refused here, before the engine reads a row: `episodes.record` answers NOT_FOUND for an id
    // that exists outside the caller's scope, as it documents, since its ids are the caller's to
    // choose and may belong to any domain. An episode's id here is derived from the domain the
    // export names itself, so naming that domain back reveals nothing, and the answer is the same
    // 403 whether or not the trace was stored before (the engine's would be 409 if it was).
    const foreign = parts
      .map((part) => part.record)
      .find((record) => caller.domains !== null && !caller.domains.includes(record.domain));
    if (foreign !== undefined) {
      memory.admin.recordAudit({
        actor: caller.id,
        operation: 'create',
        entityType: 'episodes',
        entityId: foreign.id,
        domain: foreign.domain,
        outcome: 'denied',
      });
      throw new Refused(403, `This caller may not write to domain "${foreign.domain}".`);
    }
    const { lateSteps, lateOutcomes, refused } = await recordInCalls(
      (records) =>
        memory.episodes
          .record(records, {
            scope: caller.domains === null ? undefined : { domains: caller.domains },
            actor: caller.id,
          })
          // Refused with the records at hand, to name the traces and spans at fault.
          .catch((error: unknown) => {
            throw engineRefusal(error, records) ?? error;
          }),
      parts,
    );
    const reasons: string[] = [];
    if (refused !== null) {
      const known = refused.error instanceof Refused ? refused.error : null;
      // Sent again, the request stores the rest and nothing twice, so a refusal an exporter
      // retries is answered as such; any other would drop the request, whose first calls are
      // stored: OTLP answers that as a partial success.
      if (known !== null && retryable.has(known.status)) throw refused.error;
      if (known === null) options.onInternalError(refused.error, 'otlp.traces');
      reasons.push(
        `${refused.spans} of ${spans} spans, those of records ${refused.from + 1}–${parts.length} (written after the others), were not stored: ${known?.message ?? 'Internal server error.'}`,
      );
    }
    if (lateSteps > 0)
      reasons.push(
        `${lateSteps} of ${spans} spans arrived after their trace's root span and were not stored.`,
      );
    if (lateOutcomes > 0)
      reasons.push(
        `${lateOutcomes} root spans gave their trace an outcome after its episode had ended otherwise; the episode keeps its first outcome.`,
      );
    if (reasons.length === 0) return send(res, 200, encoding, { json: {}, proto: new Uint8Array() });
    const rejected = lateSteps + lateOutcomes + (refused?.spans ?? 0);
    const message = reasons.join(' ');
    send(res, 200, encoding, {
      json: { partialSuccess: { rejectedSpans: String(rejected), errorMessage: message } },
      proto: encodeMessage([
        [
          1,
          encodeMessage([
            [1, rejected],
            [2, message],
          ]),
        ],
      ]),
    });
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    const encoding: Encoding = type === 'application/x-protobuf' ? 'protobuf' : 'json';
    try {
      if (req.method !== 'POST') throw new Refused(405, 'Send traces with POST.');
      if (type !== 'application/json' && type !== 'application/x-protobuf')
        throw new Refused(415, 'Send OTLP traces as application/json or application/x-protobuf.');
      await handle(req, res, encoding);
    } catch (error) {
      const known =
        error instanceof Refused
          ? error
          : error instanceof BodyError
            ? new Refused(error.status, error.message)
            : error instanceof AttributeError
              ? new Refused(400, `Invalid trace export: ${error.message}`)
              : engineRefusal(error);
      // The request stream failed: the client went away mid-upload, or a shutdown cut its
      // connection. Not the server's fault, and no one is left to answer: `/metrics` counts it as
      // aborted and nothing is logged, as for the API's routes.
      if (known === null && req.errored === error) return;
      if (known === null) options.onInternalError(error, 'otlp.traces');
      await dropUnreadBody(req, res, drainFactor * options.maxBodyBytes);
      refuse(res, encoding, known?.status ?? 500, known?.message ?? 'Internal server error.');
    }
  };
}
