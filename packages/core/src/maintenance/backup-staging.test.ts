import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../__fixtures__/temp-store.js';
import { openMemory } from '../open-memory.js';
import { verifyDatabase } from './verify-database.js';

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));

/** `backup-child.ts`, SIGKILLed right after the call `dieAt` names (`chmodSync:1`). */
function killedBackup(url: string, file: string, dieAt: string) {
  const preload = pathToFileURL(fixture('die-at-call.ts')).href;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', preload, fixture('backup-child.ts'), url, file],
    { cwd: packageRoot, env: { ...process.env, EPISODIC_DIE_AT: dieAt }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<void>((resolve, reject) =>
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`backup-child exited ${code}: ${stderr}`)),
    ),
  );
}

const root = tempDir();
afterAll(root.cleanup);

async function store(name: string) {
  const path = join(root.path, name, 'memory.db');
  const warnings: string[] = [];
  const memory = await openMemory({
    url: `file:${path}`,
    cache: false,
    logger: { warn: (message) => warnings.push(message) },
  });
  await memory.episodes.start({ taskType: 'testing', domain: 'd', context: 'FORGET-ME-7731' });
  return { path, url: `file:${path}`, memory, warnings, backups: join(root.path, name, 'backups') };
}

const partials = (folder: string) => readdirSync(folder).filter((name) => name.includes('.partial-'));

describe('a backup killed part-way', { timeout: 180_000 }, () => {
  it('leaves no file under its name; the next backup deletes its partial copy and says so', async () => {
    const { url, memory, warnings, backups } = await store('next-backup');
    const file = join(backups, 'b.db');
    try {
      // Right after `VACUUM INTO`, before the copy is verified and audited.
      await killedBackup(url, file, 'chmodSync:1');
      expect(existsSync(file)).toBe(false);
      const [left] = partials(backups);
      expect(left).toMatch(/^b\.db\.partial-\d+-[0-9a-f]{8}$/);
      expect((await memory.admin.backup(file)).ok).toBe(true);
      expect(warnings).toEqual([
        `Removed ${join(backups, left as string)}: the partial copy of a backup that was stopped before it finished.`,
      ]);
      expect(partials(backups)).toEqual([]);
      expect((await verifyDatabase(file)).counts.episodes).toBe(1);
    } finally {
      await memory.close();
    }
  });

  it('is deleted by the next forget, which names only the backups that finished', async () => {
    const { url, memory, warnings, backups } = await store('next-forget');
    try {
      // Killed once the backup got its name: whole and audited, so forget names it. Its staging
      // name (a second link to it) is deleted by the next backup, which is then killed too.
      await killedBackup(url, join(backups, 'named.db'), 'linkSync:1');
      await killedBackup(url, join(backups, 'cut.db'), 'chmodSync:1');
      expect(readdirSync(backups).sort()).toEqual([expect.stringMatching(/^cut\.db\.partial-/), 'named.db']);
      const [left] = partials(backups);
      const report = await memory.admin.forget({ domain: 'd' }, { purge: 'wait' });
      expect(report.unreachedCopies).toEqual([join(backups, 'named.db')]);
      expect(warnings).toEqual([
        `Removed ${join(backups, left as string)}: the partial copy of a backup that was stopped before it finished.`,
      ]);
      expect(readdirSync(backups)).toEqual(['named.db']);
      expect((await verifyDatabase(join(backups, 'named.db'))).counts.episodes).toBe(1);
    } finally {
      await memory.close();
    }
  });
});
