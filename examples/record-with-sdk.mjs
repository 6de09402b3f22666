// Records an episode through a running Episodic server with the SDK, reads it back, and retrieves
// it for a new task. From the repository root, with the server running (`pnpm start`) and a token in
// EPISODIC_TOKEN (`node apps/server/dist/cli.js tokens create --name checkout-agent --domains shop`):
// `node examples/record-with-sdk.mjs`. The server is http://127.0.0.1:7777 unless EPISODIC_URL says
// otherwise.
import { createEpisodicClient } from '@episodic/sdk';

const url = process.env.EPISODIC_URL ?? 'http://127.0.0.1:7777';
const client = createEpisodicClient({ url, token: process.env.EPISODIC_TOKEN });

const episode = await client.startEpisode({
  taskType: 'debugging',
  domain: 'shop',
  context: 'Checkout test fails with "TypeError: cannot read properties of undefined"',
});
const error = 'TypeError: cannot read properties of undefined';
episode.step({ action: 'run_tests', result: error, success: false });
episode.step({ action: 'edit_file', result: 'await loadItems() before computing total', success: true });
episode.step({ action: 'run_tests', result: '42 passed', success: true });
await episode.complete({ status: 'completed' });

// Read it back.
const stored = await client.episodes.get.query({ episodeId: episode.id });
const steps = stored.steps.map((step) => `${step.stepNumber}. ${step.action}`);
console.log(stored.status, steps);
// completed [ '1. run_tests', '2. edit_file', '3. run_tests' ]

// Next time: what happened before that matters, and why it ranked.
const query = { text: 'checkout TypeError undefined', domain: 'shop' };
const { episodes } = await client.search.retrieve.query(query);
for (const { episode, score, why } of episodes) {
  console.log(score.toFixed(3), episode.context, { text: why.text?.rank, vector: why.vector?.similarity });
}
// 1.220 Checkout test fails with "TypeError: cannot read properties of undefined" { text: 1, vector: undefined }
// The server embeds an episode within a second of its completion: run it again, and the first
// episode ranks by meaning too (1.420, vector: 0.75…) above the one just recorded (1.217).
