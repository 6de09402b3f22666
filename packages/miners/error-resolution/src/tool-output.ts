/** What a tool's reply says once its wrappers are off. */
export interface UnwrappedOutput {
  /** The reply without tags (`<output>`, `<warning>`) and prefixes (`Observation:`). */
  body: string;
  /** The exit code a `<returncode>` or `exit code N` wrapper gave, if any. */
  exitCode: number | null;
}

/** A terminal's colour and cursor codes (`ESC [ 31 m`), as test runners and shells print them. */
const terminalCode = /\u001b\[[0-?]*[ -/]*[@-~]/g;
const returnCode = /<returncode>\s*(-?\d+)\s*<\/returncode>/i;
/** A command echoed back in the reply: what ran, not what went wrong. */
const echoedCommand = /<command>[\s\S]*?<\/command>/gi;
const tag = /<\/?[a-z_][\w-]{0,30}>/gi;
const prefix = /^(?:observation(?:\s*\d+)?|stdout|stderr|output|result|tool (?:output|result))\s*:\s*/i;

/**
 * Agent harnesses wrap tool output (`<returncode>1</returncode><output>…</output>`, `Observation:`)
 * and tools colour it (`ESC[31mError…ESC[0m`): the error inside is the same whichever harness ran
 * the tool and whether its output went to a terminal, so wrappers and colour codes go first (a
 * colour code's digits became `<id>` in the signature, and a coloured error matched no plain one).
 */
export function unwrapToolOutput(text: string): UnwrappedOutput {
  const code = returnCode.exec(text);
  const body = text
    .replace(terminalCode, '')
    .replace(returnCode, '')
    .replace(echoedCommand, '')
    .replace(tag, '\n')
    .split(/\r?\n/)
    .map((line) => line.replace(prefix, ''))
    .join('\n');
  return { body, exitCode: code === null ? null : Number(code[1]) };
}
