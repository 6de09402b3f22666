/**
 * The maintenance worker's part of zeroing pages' unused space (`unused-space.ts` says why), in
 * the JavaScript the worker evaluates, with its `db`, `workerData` and `createRequire` in scope.
 *
 * `zeroUnusedSpaceStatements` finds the pages in each transaction, under the write lock, and
 * `dbstat` walks every b-tree each time: on a 637 MB store a purge's transactions held the writer
 * ~1.2 s each, most of it that walk and the scan. Here the pages are found once, outside the lock,
 * from one snapshot, each with a digest of its bytes; under the lock a page is zeroed only if its
 * bytes are the ones found, so it is the b-tree page it was then (a page freed since, with
 * `secure_delete`, was zeroed, and one reused since was rewritten). A page that changed meanwhile
 * is checked again against `dbstat` as it is under the lock, in the last transaction.
 *
 * Complete: the text a purge removes was in no live row once the merges before it committed, and a
 * rebalance copies live cells only, so a page that was clean when found stays free of it.
 */
export const unusedSpaceWorkerSource = `
const { createHash } = createRequire(workerData.driverPath)('node:crypto');
const zeros = Buffer.alloc(65536);
const digest = (data) => createHash('sha1').update(data).digest('base64');
/** Prepared once per transaction that zeroes: a page read and a page written by number. */
const pageStatements = () => ({
  read: db.prepare('SELECT data FROM sqlite_dbpage WHERE pgno = ?').raw(true),
  write: db.prepare('UPDATE sqlite_dbpage SET data = ? WHERE pgno = ?'),
});

/** [start, end) of the gap of b-tree page \`pgno\` when it holds a non-zero byte, else null. */
function dirtyGap(pgno, data) {
  // Page 1 begins with the file's 100-byte header; an interior page's header is 12 bytes, a leaf's 8.
  const header = pgno === 1 ? 100 : 0;
  const type = data[header];
  if (type !== 2 && type !== 5 && type !== 10 && type !== 13) return null;
  const start = header + (type === 2 || type === 5 ? 12 : 8) + 2 * data.readUInt16BE(header + 3);
  const end = data.readUInt16BE(header + 5) || 65536;
  if (end <= start || end > data.length) return null;
  return zeros.compare(data, start, end, 0, end - start) === 0 ? null : [start, end];
}

const btreePages = () =>
  new Set(db.prepare("SELECT pageno FROM dbstat WHERE pagetype IN ('internal', 'leaf')").raw(true).all().map((row) => row[0]));

/** Every b-tree page with something in its gap, from one snapshot: [pgno, digest of its bytes]. */
function findDirtyPages() {
  const found = [];
  db.exec('BEGIN');
  try {
    const btree = btreePages();
    for (const [pgno, data] of db.prepare('SELECT pgno, data FROM sqlite_dbpage').raw(true).iterate())
      if (btree.has(pgno) && dirtyGap(pgno, data) !== null) found.push([pgno, digest(data)]);
  } finally {
    db.exec('COMMIT');
  }
  return found;
}

function zeroGap(pgno, data, statements) {
  const gap = dirtyGap(pgno, data);
  if (gap === null) return 0;
  const page = Buffer.from(data);
  page.fill(0, gap[0], gap[1]);
  statements.write.run(page, pgno);
  return 1;
}

/** In the caller's transaction: the pages found, each if unchanged; the others go to \`changed\`. */
function zeroFound(pages, changed) {
  const statements = pageStatements();
  let zeroed = 0;
  for (const [pgno, expected] of pages) {
    const data = statements.read.get(pgno)?.[0];
    if (data !== undefined && digest(data) === expected) zeroed += zeroGap(pgno, data, statements);
    else changed.push(pgno);
  }
  return zeroed;
}

/** In the caller's transaction: pages that changed since they were found, if b-tree pages now. */
function zeroChanged(pages) {
  const btree = btreePages();
  const statements = pageStatements();
  let zeroed = 0;
  for (const pgno of pages) {
    const data = btree.has(pgno) ? statements.read.get(pgno)?.[0] : undefined;
    if (data !== undefined) zeroed += zeroGap(pgno, data, statements);
  }
  return zeroed;
}
`;
