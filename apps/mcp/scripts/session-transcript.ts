/**
 * A real session, for the README: starts the built `episodic-mcp` (run `pnpm build` first) over
 * stdio on a fresh data dir, records three earlier debugging sessions, then plays a new agent's
 * session and prints every call and answer as it happened. `pnpm --filter @episodic/mcp transcript`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'episodic-mcp-transcript-'));
const client = new Client({ name: 'transcript', version: '1.0.0' });
const domain = 'shop-api';
const missing = (file: string) =>
  `Error: Cannot find module '../config/local.json'\nRequire stack:\n- /home/dev/shop-api/src/${file}\n- /home/dev/shop-api/test/setup.js`;

async function call(name: string, args: Record<string, unknown>, show = true): Promise<string> {
  const result = await client.callTool({ name, arguments: args });
  const text = (result.content as { text: string }[]).map((part) => part.text).join('\n');
  if (show)
    process.stdout.write(
      `→ ${name} ${JSON.stringify(args)}\n← ${result.isError ? '(error) ' : ''}${text}\n\n`,
    );
  return text;
}

const idIn = (text: string, kind: string) => new RegExp(`${kind} ([0-9a-f-]+)`).exec(text)?.[1] as string;

/** Earlier sessions, recorded quietly: what the new agent's memory holds. */
async function earlierSessions(): Promise<void> {
  const sessions = [
    {
      task: 'CI fails on the orders test suite',
      file: 'db.js',
      extra: {
        action: 'read_file src/db.js',
        result: 'loads ../config/local.json at start-up',
        success: true,
      },
    },
    {
      task: 'Tests crash after pulling main',
      file: 'mailer.js',
      extra: {
        action: 'git log -3 --stat',
        result: 'config/local.json was removed from the repo (now in .gitignore)',
        success: true,
      },
    },
    {
      task: 'npm test broken in a new worktree',
      file: 'db.js',
      extra: { action: 'npm install', result: 'added 412 packages', success: true },
    },
  ];
  for (const session of sessions) {
    const id = idIn(
      await call('memory_start_episode', { task: session.task, taskType: 'debugging', domain }, false),
      'episode',
    );
    await call(
      'memory_log_steps',
      {
        episodeId: id,
        steps: [
          { action: 'npm test', result: missing(session.file), success: false, durationMs: 2100 },
          session.extra,
          { action: 'cp config/example.json config/local.json', result: '', success: true, durationMs: 12 },
          { action: 'npm test', result: 'Tests: 42 passed, 42 total', success: true, durationMs: 8400 },
        ],
      },
      false,
    );
    await call('memory_complete_episode', { episodeId: id, status: 'completed' }, false);
  }
  const feature = idIn(
    await call(
      'memory_start_episode',
      { task: 'Add rate limiting to POST /orders', taskType: 'code_generation', domain },
      false,
    ),
    'episode',
  );
  await call(
    'memory_log_steps',
    {
      episodeId: feature,
      steps: [
        { action: 'read_file src/routes/orders.js', result: 'express router, no middleware', success: true },
        {
          action: 'edit_file src/routes/orders.js',
          result: 'added express-rate-limit, 20 req/min per key',
          success: true,
        },
        { action: 'npm test', result: 'Tests: 44 passed, 44 total', success: true },
      ],
    },
    false,
  );
  await call(
    'memory_complete_episode',
    { episodeId: feature, status: 'completed', waitForLearning: true },
    false,
  );
}

try {
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [bin, '--data-dir', dataDir],
      stderr: 'ignore',
    }),
  );
  await earlierSessions();
  process.stdout.write(`tools: ${(await client.listTools()).tools.map((tool) => tool.name).join(', ')}\n\n`);
  const task = 'npm test fails on a fresh checkout of shop-api';
  await call('memory_recall', { task, domain, maxChars: 1800 });
  const episodeId = idIn(
    await call('memory_start_episode', { task, taskType: 'debugging', domain }),
    'episode',
  );
  await call('memory_log_steps', {
    episodeId,
    steps: [{ action: 'npm test', result: missing('payments.js'), success: false }],
  });
  const seen = await call('memory_seen_error', { error: missing('payments.js'), domain, limit: 1 });
  await call('memory_log_steps', {
    episodeId,
    steps: [
      { action: 'cp config/example.json config/local.json', success: true },
      { action: 'npm test', result: 'Tests: 44 passed, 44 total', success: true },
    ],
  });
  await call('memory_pattern_feedback', { patternId: idIn(seen, 'pattern'), episodeId, helped: true });
  await call('memory_complete_episode', { episodeId, status: 'completed', waitForLearning: true });
  const resource = await client.readResource({ uri: `episode://${episodeId}` });
  const text = (resource.contents[0] as { text: string }).text;
  process.stdout.write(`read episode://${episodeId}\n← ${text.split('\n').slice(0, 12).join('\n')}\n  …\n`);
} finally {
  await client.close();
  rmSync(dataDir, { recursive: true, force: true });
}
