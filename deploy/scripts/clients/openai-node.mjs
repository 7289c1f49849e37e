// A reference client for client-cpu-compare.sh: the official `openai` Node client in a closed loop of STREAMS
// streaming requests against the bench simulator. After WARM_UP_SECONDS it measures MEASURE_SECONDS: its process CPU per
// received token, and its TTFT minus the simulator's own (GET /sim/requests) for the requests sent in the window.
import OpenAI from 'openai';
import { readFile } from 'node:fs/promises';

const port = process.env.SIM_PORT;
const streams = Number(process.env.STREAMS);
const warmUpSeconds = Number(process.env.WARM_UP_SECONDS);
const seconds = Number(process.env.MEASURE_SECONDS);
const maxTokens = Number(process.env.MAX_TOKENS);
const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'unused-by-the-simulator', maxRetries: 0, timeout: 60_000 });

let tokens = 0;
let measuring = false;
let stopped = false;
const ttftMicros = new Map(); // simulator request id -> send to first content token, for requests sent while measuring

async function closedLoop() {
  while (!stopped) {
    const timed = measuring;
    const sent = process.hrtime.bigint();
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'bench-model', messages: [{ role: 'user', content: 'Say something.' }], max_tokens: maxTokens, stream: true })
      .withResponse();
    const id = response.headers.get('x-sim-request-id');
    let first = true;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.content) {
        tokens++;
        if (first && timed) ttftMicros.set(id, Number(process.hrtime.bigint() - sent) / 1000);
        first = false;
      }
    }
  }
}

const after = (s) => new Promise((resolve) => setTimeout(resolve, s * 1000)); // the bench's clock, not a synchronisation
const loops = Array.from({ length: streams }, closedLoop);
await after(warmUpSeconds);
measuring = true;
const cpu0 = process.cpuUsage();
const tokens0 = tokens;
const t0 = process.hrtime.bigint();
await after(seconds);
const cpu = process.cpuUsage(cpu0);
const window = Number(process.hrtime.bigint() - t0) / 1e9;
const received = tokens - tokens0;
stopped = true;
await Promise.all(loops);

const truth = await (await fetch(`http://127.0.0.1:${port}/sim/requests`)).json();
const bias = [];
for (const r of truth.requests) {
  const client = ttftMicros.get(String(r.id));
  if (client !== undefined && r.server_ttft_micros !== undefined) bias.push((client - r.server_ttft_micros) / 1000);
}
bias.sort((a, b) => a - b);
const pct = (p) => bias[Math.min(bias.length - 1, Math.floor((bias.length * p) / 100))];
const { version } = JSON.parse(await readFile(new URL('./node_modules/openai/package.json', import.meta.url)));
console.log(JSON.stringify({
  client: `openai-node ${version} (node ${process.versions.node})`, streams, seconds: window, tokens: received,
  user_micros: cpu.user, kernel_micros: cpu.system, bias_ms: { n: bias.length, p50: pct(50) ?? null, p99: pct(99) ?? null },
}));
