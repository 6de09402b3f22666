/** A line for whoever runs the process, on stderr: under stdio, stdout carries the protocol only. */
export function say(line: string): void {
  process.stderr.write(`episodic-mcp: ${line}\n`);
}
