/** The fields of a model stream's parts that tell about the run. */
interface StreamPart {
  type: string;
  toolCallId?: string;
  providerExecuted?: boolean;
}

/** What a model call's stream tells as it passes. */
export interface StreamWatcher {
  /** The model called a tool the SDK is to run (not one its provider ran). */
  toolCall(toolCallId: string): void;
  /** The stream reported an error, or broke. */
  failed(): void;
  /** The stream is over: read to its end, broken or cancelled. */
  ended(): void;
}

/**
 * `stream` passed on as it is, part by part, with `watcher` told what passes: the tool calls, an
 * error, the end. A stream error fails the run here as well as in `onError`, so a caller's own
 * `onError` in place of ours loses nothing.
 */
export function watchedStream<Part extends StreamPart>(
  stream: ReadableStream<Part>,
  watcher: StreamWatcher,
): ReadableStream<Part> {
  const reader = stream.getReader();
  let over = false;
  const end = () => {
    if (over) return;
    over = true;
    watcher.ended();
  };
  return new ReadableStream<Part>({
    async pull(controller) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (error) {
        watcher.failed();
        end();
        controller.error(error);
        return;
      }
      if (next.done) {
        end();
        controller.close();
        return;
      }
      const part = next.value;
      if (part.type === 'tool-call' && part.providerExecuted !== true && part.toolCallId !== undefined)
        watcher.toolCall(part.toolCallId);
      if (part.type === 'error') watcher.failed();
      controller.enqueue(part);
    },
    async cancel(reason) {
      end();
      await reader.cancel(reason);
    },
  });
}
