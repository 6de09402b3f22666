import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const packageJson = fileURLToPath(new URL('../../package.json', import.meta.url));
const { bin } = JSON.parse(readFileSync(packageJson, 'utf8')) as { bin: Record<string, string> };

/** The `episodic-mcp` bin as published (the package's `test` script builds it first). */
export const episodicMcp = fileURLToPath(new URL(`../../${bin['episodic-mcp']}`, import.meta.url));
if (!existsSync(episodicMcp))
  throw new Error(`${episodicMcp} is missing: run \`pnpm build\` in apps/mcp first`);
