import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CancelledNotificationSchema,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

/**
 * A transport that knows which requests it has not answered yet. A stdio client may write its
 * last calls and close stdin at once (`printf … | episodic-mcp`): closing the server then would
 * abort those calls (the work done, the answer never written). `answered()` lets the serving loop
 * wait for them first. A request the client cancelled is never answered (the MCP SDK drops its
 * handler's result): it is not waited for.
 */
export class AnsweringTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  readonly #pending = new Set<RequestId>();
  #waiters: (() => void)[] = [];

  constructor(private readonly inner: Transport) {
    inner.onmessage = (message, extra) => {
      if (isJSONRPCRequest(message)) this.#pending.add(message.id);
      else if (isJSONRPCNotification(message)) {
        const cancelled = CancelledNotificationSchema.safeParse(message);
        if (cancelled.success && cancelled.data.params.requestId !== undefined)
          this.#settled(cancelled.data.params.requestId);
      }
      this.onmessage?.(message, extra);
    };
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    await this.inner.send(message, options);
    if (!isJSONRPCResultResponse(message) && !isJSONRPCErrorResponse(message)) return;
    if (message.id !== undefined) this.#settled(message.id);
  }

  /** `id` is answered, or will never be: wakes `answered()` once no other request is open. */
  #settled(id: RequestId): void {
    this.#pending.delete(id);
    if (this.#pending.size > 0) return;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Resolves once every request received so far is answered, or after `timeoutMs`, whichever is first. */
  answered(timeoutMs: number): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
