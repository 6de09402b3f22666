/**
 * What varies between two occurrences of the same error, each replaced by a placeholder, in the
 * order applied (earlier rules protect text from later ones: a UUID is not five numbers).
 */
const rules: readonly [RegExp, string][] = [
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"`<>]+/gi, '<url>'],
  [/\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, '<email>'],
  // ISO-8601 dates and times, with or without a time, zone or fraction.
  [/\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g, '<time>'],
  [/\b\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\b/g, '<time>'],
  [/'[^'\n]{0,200}'|"[^"\n]{0,200}"|`[^`\n]{0,200}`/g, '<str>'],
  // Paths: absolute, home- or dot-relative, Windows, or relative with a separator and an extension.
  [/(?<![\w.])(?:[A-Za-z]:\\|~\/|\.{1,2}\/|\/)[\w.@+-]+(?:[/\\][\w.@+-]+)*(?::\d+)*/g, '<path>'],
  [/\b[\w.@+-]+(?:[/\\][\w.@+-]+)+\.\w+(?::\d+)*/g, '<path>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  // Hashes: 7+ hex digits mixing digits and letters (git shas, digests).
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,}\b/gi, '<hash>'],
  // Identifiers that mix letters and digits: HAT030, req_12345, user_42.
  [/\b(?=\w*\d)(?=\w*[a-z])\w+\b/gi, '<id>'],
  [/[-+]?\b\d+(?:[.,]\d+)*\b/g, '<n>'],
];

/** Words that say a line carries the error itself rather than context (a traceback header, a log prefix). */
const errorLine =
  /error|exception|fail|fatal|denied|refused|invalid|not found|cannot|can't|unable|timed? ?out/i;

/**
 * The signature of an error message: the line that states the error, with what varies between
 * occurrences (numbers, ids, UUIDs, hashes, hex, paths, URLs, emails, quoted values, dates and
 * times) replaced by placeholders and whitespace collapsed, so the same error seen twice has the
 * same signature.
 *
 * @example
 * errorSignature('Error: payment amount does not add up, total price is 305, but paid 255')
 * // → 'Error: payment amount does not add up, total price is <n>, but paid <n>'
 */
export function errorSignature(text: string, maxChars = 160): string {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  // A traceback states the error on its last line; other messages on their first error line.
  const traceback = /^traceback\b/i.test(lines[0] ?? '');
  const candidates = traceback ? [...lines].reverse() : lines;
  const line =
    candidates.find((candidate) => errorLine.test(candidate) && !/^traceback\b/i.test(candidate)) ??
    lines[0] ??
    '';
  let signature = line.slice(0, maxChars * 4);
  for (const [pattern, placeholder] of rules) signature = signature.replace(pattern, placeholder);
  signature = signature.replace(/\s+/g, ' ').trim();
  return signature === '' ? '(no message)' : signature.slice(0, maxChars);
}
