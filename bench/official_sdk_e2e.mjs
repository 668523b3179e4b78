// The end-to-end workloads of bench_e2e.cpp, run with the official TypeScript SDK
// (@anthropic-ai/sdk 0.137.0, the last release on the beta wire form) against
// anthropic-bench-server. Used by bench/compare_official_sdk.sh.
//
//   node official_sdk_e2e.mjs --sdk-dir DIR --base-url URL --workload create|results|retrieve
//                             [--count N]
//
// DIR is the folder `npm install --prefix DIR @anthropic-ai/sdk@0.137.0` installed into.
// Prints the same JSON line as anthropic-bench-e2e:
//   {"workload":...,"seconds":...,"peak_rss_mb":...,"items":...,"connections":...}
// `seconds` times exactly what the C++ side times:
//   create    building the N request objects (default 100,000) + beta.messages.batches.create
//   results   beta.messages.batches.results(id) + iterating all N decoded lines (default 100,000);
//             this SDK first retrieves the batch to learn its results_url (one more request)
//   retrieve  N sequential beta.messages.batches.retrieve(id) calls (default 1,000)
// Module loading and the client's construction are outside the timed region. `peak_rss_mb` is
// process.resourceUsage().maxRSS; `build_seconds` the part of `seconds` spent building the
// requests (create; 0 otherwise); compare_official_sdk.sh measures both SDKs' peak RSS the same
// external way (/usr/bin/time) instead.

import path from 'node:path';
import { pathToFileURL } from 'node:url';

function usage() {
  console.error(
    'usage: node official_sdk_e2e.mjs --sdk-dir DIR --base-url URL ' +
      '--workload create|results|retrieve [--count N]',
  );
  process.exit(2);
}

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i];
  const value = process.argv[i + 1];
  if (value === undefined || !key.startsWith('--')) usage();
  args[key.slice(2)] = value;
}
const { workload } = args;
const baseURL = args['base-url'];
if (!args['sdk-dir'] || !baseURL || !['create', 'results', 'retrieve'].includes(workload)) usage();
const n = Number(args.count ?? (workload === 'retrieve' ? 1000 : 100000));

const sdkEntry = path.resolve(args['sdk-dir'], 'node_modules/@anthropic-ai/sdk/index.mjs');
const { default: Anthropic } = await import(pathToFileURL(sdkEntry).href);

// Same as anthropic::bench::padded / typical_request in bench_data.hpp.
const padded = (i) => String(i).padStart(6, '0');

async function serverConnections() {
  const response = await fetch(`${baseURL}/__stats`);
  if (!response.ok) throw new Error(`GET /__stats: ${response.status}`);
  return (await response.json()).connections;
}

const client = new Anthropic({ apiKey: 'sk-ant-bench', baseURL });
const batches = client.beta.messages.batches;
const connectionsBefore = await serverConnections();

let items = 0;
let check = 0;
const start = process.hrtime.bigint();
let built = start; // create: when the request objects are built
if (workload === 'create') {
  const requests = [];
  for (let i = 0; i < n; ++i) {
    const id = padded(i);
    requests.push({
      custom_id: `r${id}`,
      params: {
        model: 'claude-sonnet-4-5',
        max_tokens: 1024,
        messages: [{ role: 'user', content: `Classify ${id}` }],
      },
    });
  }
  built = process.hrtime.bigint();
  const batch = await batches.create({ requests });
  items = batch.request_counts.processing;
  check = batch.id.length;
} else if (workload === 'results') {
  const stream = await batches.results('msgbatch_bench_results', {}, { query: { count: n } });
  for await (const line of stream) {
    ++items;
    check += line.result.message.content[0].text.length;
  }
} else {
  for (let i = 0; i < n; ++i) {
    const batch = await batches.retrieve('msgbatch_bench_retrieve');
    check += batch.id.length;
    ++items;
  }
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const connections = (await serverConnections()) - connectionsBefore;
const peakRssMb = process.resourceUsage().maxRSS / 1024;

if (items !== n) {
  console.error(`official_sdk_e2e: expected ${n} items, got ${items}`);
  process.exit(1);
}
console.log(
  JSON.stringify({
    workload,
    seconds: Number(seconds.toFixed(4)),
    peak_rss_mb: Number(peakRssMb.toFixed(1)),
    items,
    connections,
    build_seconds: Number((Number(built - start) / 1e9).toFixed(4)),
    check,
  }),
);
