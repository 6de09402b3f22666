import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withTempDir } from '../temp-dir.js';
import { codingAgentSplit, loadCodingAgentRuns } from './coding-agent.js';

const submission = [
  'diff --git a/pkg/core/parser.py b/pkg/core/parser.py',
  'index 1111111..2222222 100644',
  '--- a/pkg/core/parser.py',
  '+++ b/pkg/core/parser.py',
  '@@ -1,1 +1,1 @@',
  '-old',
  '+new',
  'diff --git a/pkg/tests/test_parser.py b/pkg/tests/test_parser.py',
  'index 3333333..4444444 100644',
  '--- a/pkg/tests/test_parser.py',
  '+++ b/pkg/tests/test_parser.py',
  '@@ -1,1 +1,1 @@',
  '-a',
  '+b',
  'diff --git a/reproduce.py b/reproduce.py',
  'new file mode 100644',
  'index 0000000..5555555',
  '--- /dev/null',
  '+++ b/reproduce.py',
  '@@ -0,0 +1,1 @@',
  '+print(1)',
  '',
].join('\n');

const trajectory = {
  instance_id: 'acme__widgets-42',
  trajectory_format: 'mini-swe-agent-1',
  info: { exit_status: 'Submitted', submission },
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    {
      role: 'user',
      content:
        '<pr_description>\nConsider the following PR description:\nParser drops the last token.\n</pr_description>\n\n<instructions>…</instructions>',
    },
    { role: 'assistant', content: 'THOUGHT: Look at the parser.\n\n```bash\ncat pkg/core/parser.py\n```' },
    { role: 'user', content: '<returncode>0</returncode>\n<output>\nold\n</output>' },
    { role: 'assistant', content: 'THOUGHT: Run it.\n\n```bash\npython reproduce.py\n```' },
    {
      role: 'user',
      content:
        '<returncode>1</returncode>\n<output>\nTraceback (most recent call last):\nValueError: bad token\n</output>',
    },
    { role: 'assistant', content: 'Two at once.\n```bash\nls\n```\n```bash\npwd\n```' },
    {
      role: 'user',
      content: 'Please always provide EXACTLY ONE action in triple backticks, found 2 actions.',
    },
    { role: 'assistant', content: 'THOUGHT: Tests.\n\n```bash\npytest pkg/tests\n```' },
    {
      role: 'user',
      content:
        'The last command <command>pytest pkg/tests</command> timed out and has been killed.\nThe output of the command was:\n <output>\n\n</output>',
    },
    {
      role: 'assistant',
      content:
        'THOUGHT: Done.\n\n```bash\necho COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && git add -A && git diff --cached\n```',
    },
    { role: 'user', content: submission },
  ],
};

function writeDataset(folder: string): void {
  const runDir = join(folder, 'trajs', 'acme__widgets-42');
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, 'acme__widgets-42.traj.json'), JSON.stringify(trajectory));
  mkdirSync(join(folder, 'trajs', 'sb-cli-reports'));
  writeFileSync(
    join(folder, 'trajs', 'sb-cli-reports', 'swe-bench_verified__test__run.json'),
    JSON.stringify({ resolved_ids: ['acme__widgets-42'], unresolved_ids: [] }),
  );
}

describe('loadCodingAgentRuns', () => {
  it('reads the issue, the label, the library files changed and one step per action', async () => {
    await withTempDir('coding-agent', async (folder) => {
      writeDataset(folder);
      const [run, ...others] = loadCodingAgentRuns(folder);
      expect(others).toEqual([]);
      expect(run).toMatchObject({
        instanceId: 'acme__widgets-42',
        repo: 'acme/widgets',
        issueText: 'Parser drops the last token.',
        resolved: true,
        changedFiles: ['pkg/core/parser.py'],
      });
      expect(run?.steps.map((step) => [step.kind, step.success, step.action])).toEqual([
        ['command', true, 'cat pkg/core/parser.py'],
        ['command', false, 'python reproduce.py'],
        ['format_error', false, 'Two at once.\n```bash\nls\n```\n```bash\npwd\n```'],
        ['timeout', false, 'pytest pkg/tests'],
        ['submit', true, 'echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && git add -A && git diff --cached'],
      ]);
      expect(run?.steps[0]?.thought).toBe('Look at the parser.');
      expect(run?.steps[1]?.result).toContain('<returncode>1</returncode>');
      expect(run?.steps[1]?.result).toContain('ValueError: bad token');
    });
  });

  it('splits by a fixed hash of the instance id, about half each way', () => {
    const ids = Array.from({ length: 400 }, (_, index) => `owner__repo-${index}`);
    const dev = ids.filter((id) => codingAgentSplit(id) === 'dev').length;
    expect(dev).toBeGreaterThan(160);
    expect(dev).toBeLessThan(240);
    expect(ids.map(codingAgentSplit)).toEqual(ids.map(codingAgentSplit));
  });
});
