// Streams and fetches completions from the tokensiege simulator with the official `openai` npm client:
// proof that a real OpenAI client library accepts the simulator's framing. Exits non-zero on any mismatch.
import OpenAI from 'openai';
import assert from 'node:assert/strict';

const port = process.env.SIM_PORT;
const model = 'qwen3.6-35b-a3b-4bit';
const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'not-needed-by-the-simulator' });

const models = await client.models.list();
assert.ok(models.data.some((m) => m.id === model), 'model listed by /v1/models');

const stream = await client.chat.completions.create({
  model, messages: [{ role: 'user', content: 'Hello from the openai client' }],
  max_tokens: 20, temperature: 0, stream: true, stream_options: { include_usage: true },
});
let text = '';
let usage = null;
let chunks = 0;
let finish = null;
for await (const chunk of stream) {
  chunks++;
  if (chunk.choices.length > 0) {
    text += chunk.choices[0].delta?.content ?? '';
    finish = chunk.choices[0].finish_reason ?? finish;
  }
  if (chunk.usage) usage = chunk.usage;
}
assert.equal(usage?.completion_tokens, 20, 'usage.completion_tokens');
assert.equal(finish, 'length');
assert.ok(text.trim().split(/\s+/).length === 20, `20 words streamed, got: ${text}`);

const whole = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 8 });
assert.equal(whole.usage.completion_tokens, 8);
assert.ok(whole.choices[0].message.content.length > 0);

await assert.rejects(client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }),
  (e) => e.status === 404);

const { version } = JSON.parse(await (await import('node:fs/promises')).readFile(new URL('./node_modules/openai/package.json', import.meta.url)));
console.log(`openai-node ${version}: streamed ${chunks} chunks (${usage.completion_tokens} tokens), non-streaming and 404 OK`);
