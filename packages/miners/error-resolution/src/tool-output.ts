/** What a tool's reply says once its wrappers are off. */
export interface UnwrappedOutput {
  /** The reply without tags (`<output>`, `<warning>`) and prefixes (`Observation:`). */
  body: string;
  /** The exit code a `<returncode>` or `exit code N` wrapper gave, if any. */
  exitCode: number | null;
}

const returnCode = /<returncode>\s*(-?\d+)\s*<\/returncode>/i;
/** A command echoed back in the reply: what ran, not what went wrong. */
const echoedCommand = /<command>[\s\S]*?<\/command>/gi;
const tag = /<\/?[a-z_][\w-]{0,30}>/gi;
const prefix = /^(?:observation(?:\s*\d+)?|stdout|stderr|output|result|tool (?:output|result))\s*:\s*/i;

/**
 * Agent harnesses wrap tool output (`<returncode>1</returncode><output>…</output>`, `Observation:`):
 * the error inside is the same whichever harness ran the tool, so the wrapper is removed first.
 */
export function unwrapToolOutput(text: string): UnwrappedOutput {
  const code = returnCode.exec(text);
  const body = text
    .replace(returnCode, '')
    .replace(echoedCommand, '')
    .replace(tag, '\n')
    .split(/\r?\n/)
    .map((line) => line.replace(prefix, ''))
    .join('\n');
  return { body, exitCode: code === null ? null : Number(code[1]) };
}
