import { spawnSync } from 'node:child_process';

/**
 * Where a JavaScript file's syntax error is: Node's `import()` says only what ("Unexpected end of
 * input"), `node --check` also where (its first line ends with `:<line>`, then the line itself).
 * Empty when the file itself parses (the error is in a module it imports) or Node says nothing.
 */
export function syntaxErrorPlace(path: string): string {
  const check = spawnSync(process.execPath, ['--check', path], { encoding: 'utf8', timeout: 30_000 });
  const [first, source] = (check.stderr ?? '').split('\n');
  const line = /:(\d+)$/.exec(first ?? '')?.[1];
  if (line === undefined) return '';
  const text = source?.trim() ?? '';
  return text === ''
    ? ` (line ${line})`
    : ` (line ${line}: ${text.length > 80 ? `${text.slice(0, 79)}…` : text})`;
}
