// Rolls the SDK's declarations, and the server and core types they use, into one
// dist/index.d.ts. An installed SDK must not need @episodic/server, @episodic/core (which
// pull in libSQL and LMDB) or @episodic/plugin just to type-check: `AppRouter` travels inside this file.
import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const bundled = join(dist, 'index.bundled.d.ts');

const config = ExtractorConfig.prepare({
  configObjectFullPath: join(root, 'api-extractor.json'),
  packageJsonFullPath: join(root, 'package.json'),
  configObject: {
    projectFolder: root,
    mainEntryPointFilePath: join(dist, 'index.d.ts'),
    bundledPackages: ['@episodic/server', '@episodic/core', '@episodic/plugin'],
    compiler: { tsconfigFilePath: join(root, 'tsconfig.build.json') },
    apiReport: { enabled: false },
    docModel: { enabled: false },
    tsdocMetadata: { enabled: false },
    dtsRollup: { enabled: true, untrimmedFilePath: bundled },
    messages: {
      extractorMessageReporting: { default: { logLevel: 'none' } },
      tsdocMessageReporting: { default: { logLevel: 'none' } },
      compilerMessageReporting: { default: { logLevel: 'error' } },
    },
  },
});

const result = Extractor.invoke(config, { localBuild: true, showVerboseMessages: false });
if (!result.succeeded) {
  process.stderr.write(`bundle-types: API Extractor failed with ${result.errorCount} error(s)\n`);
  process.exit(1);
}

function removeDeclarations(folder) {
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) removeDeclarations(path);
    else if (path !== bundled && /\.d\.ts(\.map)?$/.test(name)) rmSync(path);
  }
}
removeDeclarations(dist);
renameSync(bundled, join(dist, 'index.d.ts'));
