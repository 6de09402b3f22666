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

/**
 * Pages one transaction zeroes at most (32 MiB at 4 KiB pages), the rest in the next: a store's
 * first purge found half the pages of a 285 MB file to zero, which in one transaction held the
 * write lock 5.6 s (past another process's busy timeout) and grew the WAL by 150 MB.
 */
export const zeroPagesPerTransaction = 8_000;

/**
 * Why pages' unused space is zeroed, and what it is: the gap between a b-tree page's cell pointers
 * and its cells. `secure_delete` zeroes a deleted row's cell, but SQLite's rebalancing of pages
 * (`rebuildPage`) packs the cells it keeps toward the page's end without zeroing what lay below
 * them, so a row a rebalance moved leaves its old copy there, and once forgotten its text outlived
 * the purge (audit s41: after a chaos run, and 6 of 406 forgotten episodes in a replay of it). The
 * pages' meaning is unchanged; the b-tree pages come from `dbstat`, so an overflow or free page is
 * never read as one.
 *
 * Two forms of the same rule: SQL here, for a store's own connection (the client driver, a store
 * without worker threads), and JavaScript in the maintenance worker (`unusedSpaceWorkerSource`),
 * which finds the pages outside the write lock.
 *
 * The statements of one transaction that zeroes the unused space of at most `maxPages` b-tree
 * pages, the first ones after page `afterPage` that hold a non-zero byte there; the last answers
 * one row, `[pages zeroed, the last of them]`.
 */
export function zeroUnusedSpaceStatements(maxPages: number, afterPage = 0): string[] {
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

/**
 * Zeroes the unused space of every b-tree page through `write` (one transaction each call), in
 * transactions of `zeroPagesPerTransaction` pages, each going on after the last page of the one
 * before: each starting from the first page, a purge with 86,000 pages to zero read the file
 * eleven times. Pages before that one stay clean meanwhile: a rebalance copies live cells only,
 * and no live row holds what the purge is removing. Resolves to the pages zeroed.
 */
export async function zeroUnusedSpace(
  write: (statements: readonly string[]) => Promise<readonly (readonly unknown[])[]>,
): Promise<number> {
  let zeroed = 0;
  for (let afterPage = 0; ; ) {
    const [pages, lastPage] =
      (await write(zeroUnusedSpaceStatements(zeroPagesPerTransaction, afterPage)))[0] ?? [];
    zeroed += Number(pages ?? 0);
    if (Number(pages ?? 0) < zeroPagesPerTransaction) return zeroed;
    afterPage = Number(lastPage);
  }
}
