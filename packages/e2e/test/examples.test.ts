import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openMemory } from '@episodic/core';
import { startTestServer } from '@episodic/server/testing';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The repository's `examples/`, run as the README says (`node examples/<file>.mjs` after the Quick
 * start), each in a fresh folder for its `./data`. An example that stops running or prints something
 * else than its README shows fails here, not in a user's first five minutes.
 */
const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const run = promisify(execFile);
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const path = mkdtempSync(join(tmpdir(), 'episodic-example-'));
  folders.push(path);
  return path;
}

const example = (file: string, cwd: string, env: Record<string, string> = {}) =>
  run(process.execPath, [join(examples, file)], { cwd, env: { ...process.env, ...env } });

describe('the examples the READMEs run', () => {
  it('record-episode.mjs records an episode in ./data and finds it again', async () => {
    const cwd = folder();
    const { stdout } = await example('record-episode.mjs', cwd);
    expect(stdout).toContain('"status": "completed"');
    expect(stdout).toContain(
      'Full-text search finds it again: TypeError: «cannot» «read» «properties» «of» «undefined»',
    );
    expect(stdout).toContain('Stored in file:./data/memory.db');
  });

  it('record-episode.mjs finds its own episode again in a ./data that holds others', async () => {
    const cwd = folder();
    // Another episode that matches the search better (shorter, the words alone): it was printed.
    const other = await openMemory({ url: `file:${join(cwd, 'data', 'memory.db')}` });
    const { id } = await other.episodes.start({
      taskType: 'debugging',
      domain: 'other',
      context: 'cannot read properties of undefined',
    });
    await other.episodes.logStep(id, { action: 'run', result: 'cannot read properties of undefined' });
    await other.close();
    const { stdout } = await example('record-episode.mjs', cwd);
    expect(stdout).toContain(
      'Full-text search finds it again: TypeError: «cannot» «read» «properties» «of» «undefined»',
    );
  });

  it('ai-sdk-with-memory.mjs records a run, and its next run is shown the first', async () => {
    const cwd = folder();
    const first = await example('ai-sdk-with-memory.mjs', cwd);
    expect(first.stdout).toMatch(
      /episode [0-9a-f-]{36} completed: \[ 'runTests \{"file":"cart\.test\.ts"\} → ok' \]/u,
    );
    const second = await example('ai-sdk-with-memory.mjs', cwd);
    expect(second.stdout).toMatch(/The model was shown:\n[^\n]*Episodic/u);
    expect(second.stdout).toMatch(/cart\.test\.ts/u);
  });

  it('record-with-sdk.mjs records through a running server with a domain token, as the server README shows', async () => {
    await using server = await startTestServer();
    const token = await server.token({
      name: 'checkout-agent',
      scopes: ['read', 'write'],
      domains: ['shop'],
    });
    const { stdout } = await example('record-with-sdk.mjs', folder(), {
      EPISODIC_URL: server.url,
      EPISODIC_TOKEN: token,
    });
    const [readBack, retrieved] = stdout.split('\n');
    expect(readBack).toBe("completed [ '1. run_tests', '2. edit_file', '3. run_tests' ]");
    expect(retrieved).toMatch(
      /^\d\.\d{3} Checkout test fails with "TypeError: cannot read properties of undefined" \{ text: 1/u,
    );
  });
});
