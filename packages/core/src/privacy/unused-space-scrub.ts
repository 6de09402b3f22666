/**
 * The value of the byte at `offset` (from 0) of a page: its place in a blob of every byte value,
 * as SQL has no byte access of its own.
 */
const everyByte = Array.from({ length: 256 }, (_, value) => value.toString(16).padStart(2, '0')).join('');
const byteAt = (offset: string) => `(instr(x'${everyByte}', substr(data, ${offset} + 1, 1)) - 1)`;

// Page 1 begins with the file's 100-byte header; an interior page's header is 12 bytes, a leaf's 8.
const header = '((pgno = 1) * 100)';
const cells = `(${byteAt(`${header} + 3`)} * 256 + ${byteAt(`${header} + 4`)})`;
const contentAt = `(${byteAt(`${header} + 5`)} * 256 + ${byteAt(`${header} + 6`)})`;
const gapStart = `(${header} + CASE WHEN ${byteAt(header)} IN (2, 5) THEN 12 ELSE 8 END + 2 * ${cells})`;
const gapLength = `(CASE ${contentAt} WHEN 0 THEN 65536 ELSE ${contentAt} END - ${gapStart})`;

/** How far one transaction of `scrubUnusedSpace` went. */
export interface ScrubProgress {
  /** Pages whose unused space it zeroed: `maxPages` of them means there may be more after `lastPage`. */
  pages: number;
  /** The highest of them, or `null` when it zeroed none. */
  lastPage: number | null;
}

/**
 * The statements of one transaction that zeroes the unused space of at most `maxPages` b-tree
 * pages of a local database file, the first ones after page `afterPage` that hold a non-zero byte
 * there: the gap between a page's cell pointers and its cells. The last statement answers one row,
 * `[pages, lastPage]` (`scrubProgress` reads it).
 * `secure_delete` zeroes a deleted row's cell, but SQLite's rebalancing of pages (`rebuildPage`)
 * packs the cells it keeps toward the page's end without zeroing what lay below them, so a row a
 * rebalance moved leaves its old copy there, and once forgotten its text outlived the purge (audit
 * s41: after a chaos run, and 6 of 406 forgotten episodes in a replay of it). The pages' meaning is
 * unchanged; the b-tree pages come from `dbstat`, so an overflow or free page is never read as one.
 * The next transaction starts after the last page of this one: each starting from the first page,
 * a purge that had tens of thousands of pages to zero read the whole file once per 8,000.
 */
export function scrubUnusedSpace(maxPages: number, afterPage = 0): string[] {
  return [
    'CREATE TEMP TABLE IF NOT EXISTS scrub_pages (pgno INTEGER PRIMARY KEY)',
    'DELETE FROM temp.scrub_pages',
    `INSERT INTO temp.scrub_pages
    SELECT pgno FROM sqlite_dbpage
    WHERE pgno > ${Math.floor(afterPage)}
      AND pgno IN (SELECT pageno FROM dbstat WHERE pagetype IN ('internal', 'leaf'))
      AND ${gapLength} > 0
      AND substr(data, ${gapStart} + 1, ${gapLength}) <> zeroblob(${gapLength})
    ORDER BY pgno LIMIT ${Math.floor(maxPages)}`,
    `UPDATE sqlite_dbpage
    SET data = unhex(hex(substr(data, 1, ${gapStart})) || hex(zeroblob(${gapLength})) || hex(substr(data, ${gapStart} + ${gapLength} + 1)))
    WHERE pgno IN (SELECT pgno FROM temp.scrub_pages)`,
    'SELECT count(*), max(pgno) FROM temp.scrub_pages',
  ];
}

/** What the last statement of `scrubUnusedSpace` answered. */
export function scrubProgress(rows: readonly (readonly unknown[])[]): ScrubProgress {
  const [pages, lastPage] = rows[0] ?? [];
  return { pages: Number(pages ?? 0), lastPage: lastPage == null ? null : Number(lastPage) };
}
