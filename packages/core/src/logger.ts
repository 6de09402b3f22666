/** Where the engine reports problems it recovers from (a cache set aside, a learner that failed). */
export interface Logger {
  warn(message: string): void;
}

export const consoleLogger: Logger = { warn: (message) => console.warn(message) };
