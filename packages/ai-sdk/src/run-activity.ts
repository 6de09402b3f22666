/**
 * Where a run is, as its model calls and the AI SDK's callbacks show it: what tells a run still
 * under way from one the SDK will say nothing more about. The SDK gives no sign when a stream's
 * consumer stops reading (it tees the stream per consumer, so a cancel never reaches the model's
 * stream): that run's last model call ends, its tools finish, and then its step is never
 * finished (`onStepFinish`), nor the run (`onFinish`).
 */
export class RunActivity {
  /** From `prepareStep` until the step's model call starts (the look-up, the prompt's conversion). */
  #preparing = true;
  #modelCalls = 0;
  /** Tool calls the model made that the SDK runs and that have not finished yet. */
  readonly #pendingTools = new Set<string>();
  /** A model call ended and the SDK has not finished a step since. */
  #stepOpen = false;
  /** The last step the SDK finished ended the model's turns: `onFinish` is all that is left. */
  #lastStepFinal = false;
  #stepsFinished = 0;

  /** How many steps reached `onStepFinish`. */
  get stepsFinished(): number {
    return this.#stepsFinished;
  }

  stepPrepared(): void {
    this.#preparing = true;
    this.#stepOpen = false;
    this.#lastStepFinal = false;
  }

  /** The step's model is not wrapped (a gateway id string): its calls go by unseen. */
  unwatched(): void {
    this.#preparing = false;
  }

  modelCallStarted(): void {
    this.#preparing = false;
    this.#modelCalls += 1;
  }

  modelCallEnded(): void {
    this.#modelCalls = Math.max(0, this.#modelCalls - 1);
    this.#stepOpen = true;
  }

  toolCalled(toolCallId: string): void {
    this.#pendingTools.add(toolCallId);
  }

  toolFinished(toolCallId: string): void {
    this.#pendingTools.delete(toolCallId);
  }

  /** `final`: the step's model turn called no tools, so the run has no next step. */
  stepFinished(final: boolean, toolCallIds: Iterable<string>): void {
    for (const id of toolCallIds) this.#pendingTools.delete(id);
    this.#stepsFinished += 1;
    this.#stepOpen = false;
    this.#lastStepFinal = final;
  }

  /** Something of the run is under way: a step being prepared, a model call, a tool call. */
  get running(): boolean {
    return this.#preparing || this.#modelCalls > 0 || this.#pendingTools.size > 0;
  }

  /**
   * Nothing of the run is under way, yet the SDK has not finished it: a step whose model call
   * and tools are done never reached `onStepFinish` (its stream's consumer stopped reading), or
   * the last step did and `onFinish` never came (one of the caller's own replaced ours).
   */
  get stalled(): boolean {
    return !this.running && (this.#stepOpen || this.#lastStepFinal);
  }
}
