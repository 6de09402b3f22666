import { unwrapToolOutput } from './tool-output.js';

/**
 * What varies between two occurrences of the same error, each replaced by a placeholder, in the
 * order applied (earlier rules protect text from later ones: a UUID is not five numbers).
 */
const rules: readonly [RegExp, string][] = [
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"`<>]+/gi, '<url>'],
  [/\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, '<email>'],
  // Network addresses with their port, before the time and number rules cut them up (`1.2.3.4:80`
  // read as a time, `127.0.0.1:8080` as two numbers): IPv4, IPv6 as Node prints it (`:::3000`,
  // `::1:3000`: a `::` and a digit, so `std::vector` and clock times are not addresses), `localhost:3000`.
  [/(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?(?!\w|\.\d)/g, '<addr>'],
  [/(?<![\w:.])(?=[\da-f:]*::)(?=[\da-f:]*\d)(?:[\da-f]{0,4}:){2,8}[\da-f]{0,4}(?![\w:]|\.\d)/gi, '<addr>'],
  [/\[<addr>\](?::\d{1,5})?|\blocalhost:\d{1,5}\b/g, '<addr>'],
  // Package requirement specs (`torch==1.0.0`, `numpy>=1.20,<2`): which package and version is a value.
  [/(?<![\w.-])[A-Za-z][\w.-]*(?:\[[\w,.-]+\])?(?:(?:===?|~=|!=|[<>]=?)\d[\w.*+!-]*,?)+/g, '<req>'],
  // ISO-8601 dates and times, with or without a time, zone or fraction.
  [/\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g, '<time>'],
  [/\b\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\b/g, '<time>'],
  // A list of names (`Similar: ['A', 'B']`, `[a, b, c]`): its length and items vary, the kind does not.
  [/\[(?:\s*(?:'[^'\n]*'|"[^"\n]*"|[^\][,\n]*)\s*,)+\s*(?:'[^'\n]*'|"[^"\n]*"|[^\][,\n]*)\s*\]/g, '<list>'],
  [/\[\s*(?:'[^'\n]*'|"[^"\n]*")\s*\]/g, '<list>'],
  // Quotes: an apostrophe inside a word (`government's`) opens nothing.
  [
    /(?<!\w)'[^'\n]{0,200}'(?!\w)|"[^"\n]{0,200}"|`[^`\n]{0,200}`|‘[^’\n]{0,200}’|“[^”\n]{0,200}”|«[^»\n]{0,200}»|»[^«\n]{0,200}«|„[^“”\n]{0,200}[“”]|‚[^‘’\n]{0,200}[‘’]|「[^」\n]{0,200}」/g,
    '<str>',
  ],
  // The identifier a JavaScript error is about (`ReferenceError: fetchUser is not defined`,
  // `TypeError: res.json is not a function`): a value, not the kind. Before the path rules, or
  // `res.json` would read as a file name.
  [
    /(?<=^|[Ee]rror:\s+)[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*(?= is not (?:defined|a function|a constructor|iterable)\b)/g,
    '<name>',
  ],
  // Paths: absolute, home- or dot-relative, Windows, or relative with a separator and an extension.
  [
    /(?<![\p{L}\p{N}\p{M}_.<])(?:[A-Za-z]:\\|~\/|\.{1,2}\/|\/)[\p{L}\p{N}\p{M}_.@+-]+(?:[/\\][\p{L}\p{N}\p{M}_.@+-]+)*(?::\d+)*/gu,
    '<path>',
  ],
  [
    /(?<![\p{L}\p{N}\p{M}_.@+-])[\p{L}\p{N}\p{M}_.@+-]+(?:[/\\][\p{L}\p{N}\p{M}_.@+-]+)+\.\w+(?::\d+)*/gu,
    '<path>',
  ],
  // `owner/name` slugs and extension-less relative paths.
  [/(?<![\p{L}\p{N}\p{M}_.@+-])[\p{L}\p{N}\p{M}_.@+-]+(?:\/[\p{L}\p{N}\p{M}_.@+-]+)+/gu, '<path>'],
  // A file name with a code extension, e.g. `(reproduce.py, line 12)`.
  [
    /(?<![\p{L}\p{N}\p{M}_.-])[\p{L}\p{N}\p{M}_.-]+\.(?:py|js|mjs|cjs|ts|tsx|jsx|json|rb|go|rs|java|c|h|cpp|txt|cfg|ini|toml|ya?ml|md|rst|html|css|sh)\b(?::\d+)*/gu,
    '<path>',
  ],
  // A test id after its file (`<path>::test_parse[case-1]`, `<path>::TestA::test_b`); a `::`
  // after anything else (`:::3000`) is not one. `(?=::)` first: the look-behind only where it can hold.
  [/(?=::)(?<=<path>(?:::[\w[\]().,-]+)*)::[\w[\]().,-]+/g, '::<test>'],
  [/\btmp[\w-]{4,}\b/g, '<tmp>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  // Hashes: 7+ hex digits mixing digits and letters (git shas, digests).
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,}\b/gi, '<hash>'],
  // Identifiers that mix letters and digits: HAT030, req_12345, user_42.
  [/\b(?=\w*\d)(?=\w*[a-z])\w+\b(?!\.[A-Za-z])/gi, '<id>'],
  [/[-+]?\b\d+(?:[.,]\d+)*\b/g, '<n>'],
  // An unquoted name after the words that introduce one (`no such table: app_book`, `Could not find Nick Park.`,
  // pip's `satisfies the requirement torch`); an article is not one (`Could not find a version`).
  [
    /\b([Cc]ould not find|[Cc]annot find|[Cc]an't find|[Uu]nable to find|[Nn]o such (?:table|column|index|file|directory|module|option|attribute|key|element)s?:|named|[Uu]nknown (?:option|command|argument|column|table|field):?|satisfies the requirement|[Nn]o matching distribution found for)\s+(?:\[[^\]\n]*\]|(?![<(]|(?:an?|the)\s)[^\s.,;:'"`<]+(?:\s+(?:of|the|and|in|on|for|[A-Z][^\s.,;:'"`<]*))*)/g,
    '$1 <name>',
  ],
  // Setting and variable names (`INSTALLED_APPS`, `DJANGO_SETTINGS_MODULE`).
  [/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/g, '<name>'],
  // A command that does not exist: `bash: line 1: pytets: command not found`.
  [
    /[^\s:]+(?= ?: (?:command not found|not found$|Befehl nicht gefunden|команда не найдена|commande introuvable|orden no encontrada|comando non trovato|comando não encontrado))/g,
    '<name>',
  ],
  // Capitalised names in mid-sentence (`Curse of the Were-Rabbit`): what the error is about, not its kind.
  [/(?<=[a-z,] )[A-Z][a-z][\w-]*(?:\s+(?:of|the|and|de|von|[A-Z][\w-]*))*(?=[\s.,;:]|$)/g, '<name>'],
];

/** A run of capitalised words: an HTTP reason phrase (`Not Found`, `Internal Server Error`). */
const reasonPhrase = String.raw`[A-Z][\w'-]*(?: [A-Z][\w'-]*)*`;

/**
 * What names the kind of an error and is kept as written, though the rules would replace it: each
 * match is set aside before the rules and put back after them.
 */
const kept: readonly RegExp[] = [
  // Compiler error codes (`error TS2345`, `error[E0308]`), not ids.
  /(?<=\b(?:error|warning)(?:\[|\s+))[A-Z]{1,4}\d{3,5}\b/gi,
  // npm's error codes (`npm ERR! code E404`, `E403`); those without digits (`ENOENT`) no rule touches.
  /(?<=\bcode:?\s+)E[A-Z]*\d+\b/g,
  // HTTP status codes and their reason phrases: the status names the kind (`404` is not `501`).
  // `HTTP Error 404: Not Found` (urllib), `HTTP/1.1 503 Service Unavailable`, `HTTP 429:`,
  // `HTTP error! status: 500`, `Request failed with status code 404` (axios).
  new RegExp(
    String.raw`(?<=\bHTTP(?:\/[\d.]+)?(?: [Ee]rror)?!?:? (?:status:? )?|\b[Ss]tatus [Cc]ode:? |\bResponse code )[1-5]\d\d\b(?::? ${reasonPhrase})?`,
    'g',
  ),
  // `404 Client Error: Not Found for url: …`, `503 Server Error: Service Unavailable` (requests).
  new RegExp(String.raw`\b[1-5]\d\d (?:Client|Server) Error\b(?:: ${reasonPhrase})?`, 'g'),
];

/**
 * Words that say a line carries the error itself rather than context (a traceback header, a log
 * prefix); `ERR!` is npm's (before npm 10, `npm ERR! code E404` heads the error). Then "error" in
 * other languages, as localized tools print it: without them the first line (often progress
 * output) stood for every error after it. Short words only at a word's start (`terror` is none).
 */
const errorLine =
  /error|ERR!|exception|fail|fatal|denied|refused|invalid|not found|cannot|can't|could not|unable|timed? ?out|no such|fehler|erreur|errore|ошибка|помилка|σφάλμα|błąd|virhe|错误|錯誤|エラー|오류|خطأ|שגיאה|lỗi|\b(?:erro|hata|chyba|fout)\b/i;
/** The last line of a Python traceback: `ValueError: …`, `django.db.utils.OperationalError: …`. */
const exceptionLine = /^[A-Za-z_][\w.]*(?:Error|Exception|Warning|Exit|Interrupt|Failure|Fault)\b/;
/** Section rules and banners (`===== FAILURES =====`): headers, not errors. */
const banner = /^[=\-_*#~]{3,}|[=\-_*#~]{3,}$/;
/** A line that is only a label (`ERROR:`): the message is on the next line. */
const labelOnly = /^[\w ]{1,20}:$/;

/** The fields of a JSON error body that say what went wrong. */
function jsonError(line: string): string | null {
  const start = line.indexOf('{');
  const end = line.lastIndexOf('}');
  if (start === -1 || end <= start) return null;
  let value: unknown;
  try {
    value = JSON.parse(line.slice(start, end + 1));
  } catch {
    return null;
  }
  const parts: string[] = [];
  const visit = (node: unknown, depth: number) => {
    if (typeof node !== 'object' || node === null || depth > 3) return;
    for (const [key, field] of Object.entries(node)) {
      if (/^(?:code|status|type|error|message|detail|title|reason)$/i.test(key) && typeof field !== 'object')
        parts.push(String(field));
      else visit(field, depth + 1);
    }
  };
  visit(value, 0);
  return parts.length === 0 ? null : `${line.slice(0, start)}${parts.join(' ')}`;
}

/** An index written in the letters `a`–`p` (its hex digits), so the number rules leave it alone. */
const toLetters = (index: number) =>
  [...index.toString(16)].map((digit) => String.fromCharCode(97 + Number.parseInt(digit, 16))).join('');
const fromLetters = (letters: string) =>
  Number.parseInt([...letters].map((letter) => (letter.charCodeAt(0) - 97).toString(16)).join(''), 16);

function statingLine(lines: readonly string[]): string {
  const tracebackAt = lines.findLastIndex((line) => /^traceback \(most recent call last\)/i.test(line));
  if (tracebackAt !== -1) {
    // With chained exceptions the last one is what the caller saw.
    const last = lines.slice(tracebackAt + 1).findLast((line) => exceptionLine.test(line));
    if (last !== undefined) return last;
  }
  const at = lines.findIndex(
    (line) => errorLine.test(line) && !banner.test(line) && !/^traceback\b/i.test(line),
  );
  if (at === -1) return lines[0] ?? '';
  const line = lines[at] as string;
  return labelOnly.test(line) && lines[at + 1] !== undefined ? `${line} ${lines[at + 1]}` : line;
}

/**
 * The signature of an error message: tool-output wrappers removed (`<returncode>`, `<output>`),
 * the line that states the error (a traceback's last exception, else the first error line), with
 * what varies between occurrences (numbers, ids, UUIDs, hashes, hex, paths, URLs, emails, IP
 * addresses, package requirements, quoted and listed values, names, dates and times, temp names)
 * replaced by placeholders, so the same kind of error seen twice has the same signature; what names
 * the kind (error codes, HTTP status codes) is kept, so different kinds differ.
 *
 * @example
 * errorSignature('Error: payment amount does not add up, total price is 305, but paid 255')
 * // → 'Error: payment amount does not add up, total price is <n>, but paid <n>'
 */
export function errorSignature(text: string, maxChars = 160): string {
  const { body, exitCode } = unwrapToolOutput(text);
  // Composed: an accented letter typed decomposed (a letter and a combining mark) is the same
  // error, and the rules' letter classes must see one letter.
  const lines = body
    .normalize('NFC')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines.length === 0) return exitCode === null ? '(no message)' : `(no output, exit code ${exitCode})`;
  const keptText: string[] = [];
  const line = statingLine(lines);
  let signature = (jsonError(line) ?? line).slice(0, maxChars * 4);
  // Set aside as `\0kept<index in letters>\0`: no digit, no capital, so the rules pass it by.
  for (const pattern of kept)
    signature = signature.replace(pattern, (match) => {
      keptText.push(match);
      return `\u0000kept${toLetters(keptText.length - 1)}\u0000`;
    });
  for (const [pattern, placeholder] of rules) signature = signature.replace(pattern, placeholder);
  signature = signature
    .replace(/\u0000kept([a-p]+)\u0000/g, (_match, letters: string) => keptText[fromLetters(letters)] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return signature === '' ? '(no message)' : signature.slice(0, maxChars);
}
