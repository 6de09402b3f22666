/**
 * A name shown to people holds none of: controls (C0, DEL and C1), line and paragraph
 * separators, bidirectional overrides and isolates, zero-width and invisible characters (the
 * zero-width space, the word joiner, a soft hyphen, invisible operators; not the joiners ZWJ and
 * ZWNJ, which Persian and Indic words need). Domains and token names are
 * printed by the CLI, the dashboard and the audit log, where these break lines, reorder what
 * follows them (U+202E shows `web` + U+202E + `lanretni` as `webinternal`) or make two different
 * names look the same (`web` and `web` + U+200B), so a name holding one is refused, not shown.
 */
export const shownNamePattern =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: each invisible character is refused on its own, whatever it follows.
  /^[^\p{Cc}\p{Zl}\p{Zp}\u00ad\u034f\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*$/u;

export const shownNameMessage =
  'must not contain control, line-separator, bidirectional or zero-width characters';
