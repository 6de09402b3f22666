// How figures from the API are shown. Missing values are "–", never "NaN" or "null".

const missing = '–';

export function formatTime(iso) {
  if (iso === null || iso === undefined) return missing;
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

// A no-break space before the unit: a narrow cell would otherwise wrap "0.0 %" into "0.0" and "%".
export function formatPercent(ratio) {
  return typeof ratio === 'number' && Number.isFinite(ratio) ? `${(ratio * 100).toFixed(1)}\u00a0%` : missing;
}

export function formatNumber(value, digits = 3) {
  if (typeof value !== 'number') return missing;
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (Number.isInteger(value)) return String(value);
  // A match too small for `digits` is not no match (FTS5's BM25 floor for words in every episode
  // is 0.000001): it was shown as "BM25 0.000" beside a text contribution of 1.2.
  const fixed = value.toFixed(digits);
  return Number(fixed) === 0 ? value.toPrecision(2) : fixed;
}

/** A count with thousands separators: "1,234". */
export function formatCount(value) {
  return value.toLocaleString('en-US');
}

export function formatBytes(bytes) {
  if (typeof bytes !== 'number') return missing;
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(ms) {
  if (typeof ms !== 'number') return missing;
  if (ms < 1000) return `${ms} ms`;
  // Past two minutes, seconds with a decimal are hard to read ("7200.0 s"): minutes, hours, days.
  return ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : formatSeconds(ms / 1000);
}

export function formatSeconds(seconds) {
  if (typeof seconds !== 'number') return missing;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

export function formatSuccess(success) {
  if (success === true) return 'yes';
  if (success === false) return 'no';
  return missing;
}

/** Past this many characters a context is cut where it is a link's text: the episode page shows it all. */
const previewLength = 200;

/** Bidirectional controls: in a preview (a link, the tab's title) they reorder what follows them. */
const bidiControl = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Characters that show nothing on their own: controls, format characters, marks, fillers, blanks. */
const showsNothing = /[\s\p{Cc}\p{Cf}\p{M}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0\u2800]/gu;

/**
 * An episode's context as a link's text: its whitespace collapsed, its bidirectional controls
 * left out (`safe.txt` U+202E `exe.fdp` read as `safe.txtpdf.exe`), cut at `previewLength`
 * characters with "…"; its id when it has no context or one of characters that show nothing
 * (whitespace, zero-width and format characters, marks alone, fillers): a link with no visible
 * text could be neither seen nor clicked.
 */
export function contextPreview(episode, length = previewLength) {
  const text = episode.context?.replace(bidiControl, '').replace(/\s+/g, ' ').trim() ?? '';
  if (text.replace(showsNothing, '') === '') return episode.id;
  // By code point, not UTF-16 unit: a cut never splits an emoji into a lone surrogate.
  const characters = Array.from(text);
  return characters.length <= length ? text : `${characters.slice(0, length).join('')}…`;
}
