/**
 * A name shown to people holds none of: controls (C0, DEL and C1), line and paragraph
 * separators, bidirectional overrides and isolates, zero-width marks. Domains and token names are
 * printed by the CLI, the dashboard and the audit log, where these break lines, reorder what
 * follows them (U+202E shows `web` + U+202E + `lanretni` as `webinternal`) or make two different
 * names look the same (`web` and `web` + U+200B), so a name holding one is refused, not shown.
 */
export const shownNamePattern =
  /^[^\p{Cc}\p{Zl}\p{Zp}\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]*$/u;

export const shownNameMessage =
  'must not contain control, line-separator, bidirectional or zero-width characters';
