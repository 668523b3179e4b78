// A whole Message Batches lifecycle with the official TypeScript SDK (@anthropic-ai/sdk), against
// a running anthropic-batch-emulator, for both client.messages.batches (GA) and
// client.beta.messages.batches (beta). Run by run_lifecycle.sh (ctest: official_sdk_lifecycle).
//
//   node lifecycle.mjs --sdk-dir DIR --base-url URL
//
// DIR is the folder `npm install --prefix DIR @anthropic-ai/sdk@VERSION` installed into. The API
// key is ANTHROPIC_API_KEY. The emulator should run with a short --processing-ms (the script
// waits for each batch to end, up to 30 s). Prints one line per step; any failed check throws
// (node:assert/strict), which exits non-zero with the check's message. No dependency besides the
// SDK.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

function usage() {
  console.error('usage: node lifecycle.mjs --sdk-dir DIR --base-url URL');
  process.exit(2);
}
const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i];
  const value = process.argv[i + 1];
  if (value === undefined || !key.startsWith('--')) usage();
  args[key.slice(2)] = value;
}
const sdkDir = args['sdk-dir'];
const baseURL = args['base-url'];
const apiKey = process.env.ANTHROPIC_API_KEY;
if (!sdkDir || !baseURL) usage();
assert.ok(apiKey, 'ANTHROPIC_API_KEY must be set');

const sdkRoot = path.resolve(sdkDir, 'node_modules/@anthropic-ai/sdk');
const sdk = await import(pathToFileURL(path.join(sdkRoot, 'index.mjs')).href);
const { default: Anthropic, NotFoundError } = sdk;
const sdkVersion = createRequire(import.meta.url)(path.join(sdkRoot, 'package.json')).version;
console.log(`sdk: @anthropic-ai/sdk ${sdkVersion}, emulator at ${baseURL}`);

// Every request the SDK makes goes through this fetch, which records what it sends.
let wire = [];
const recordingFetch = (url, init = {}) => {
  const u = new URL(String(url));
  const headers = new Headers(init.headers);
  wire.push({ method: init.method ?? 'GET', path: u.pathname, query: u.search, headers });
  return fetch(url, init);
};

// No retries: a transient error must not hide an emulator that answers wrongly.
const client = new Anthropic({ apiKey, baseURL, maxRetries: 0, fetch: recordingFetch });

const model = 'claude-sonnet-4-5';
const user = (text) => [{ role: 'user', content: text }];

/// The requests of the lifecycle batch and the result type each must end with. `version` is the
/// anthropic-version the SDK sends: from 2026-10-21 on, `temperature` is refused per request.
function lifecycleRequests(prefix, version) {
  const strict = /^\d{4}-\d{2}-\d{2}$/.test(version) && version >= '2026-10-21';
  return [
    { custom_id: `${prefix}-a`, params: { model, max_tokens: 64, messages: user('Hello') }, expect: 'succeeded' },
    { custom_id: `${prefix}-b`, params: { model, max_tokens: 64, messages: user('Second') }, expect: 'succeeded' },
    { custom_id: `${prefix}-c`, params: { model, max_tokens: 4, messages: user('A longer one that is cut') }, expect: 'succeeded' },
    // Invalid params (max_tokens must be >= 1): the create succeeds, this request ends errored.
    { custom_id: `${prefix}-bad-max-tokens`, params: { model, max_tokens: 0, messages: user('Hi') }, expect: 'errored' },
    {
      custom_id: `${prefix}-temperature`,
      params: { model, max_tokens: 64, temperature: 0.5, messages: user('Warm') },
      expect: strict ? 'errored' : 'succeeded',
    },
  ];
}

async function waitEnded(batches, id, label) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const batch = await batches.retrieve(id);
    if (batch.processing_status === 'ended') return batch;
    assert.ok(
      ['in_progress', 'canceling'].includes(batch.processing_status),
      `${label}: unexpected processing_status ${batch.processing_status}`,
    );
    assert.ok(Date.now() < deadline, `${label}: batch ${id} did not end within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function describeWire(records) {
  const seen = new Map();
  for (const r of records) {
    const h = r.headers;
    const auth = h.has('x-api-key')
      ? 'x-api-key'
      : h.has('authorization')
        ? `authorization: ${h.get('authorization').split(' ')[0]} …`
        : 'none';
    const line =
      `${r.method} ${r.path.replace(/msgbatch_[A-Za-z0-9]+/, '{id}')}` +
      ` query=${JSON.stringify(r.query.replace(/(after_id|before_id)=[^&]+/g, '$1=…'))}` +
      ` anthropic-version=${h.get('anthropic-version')} auth=${auth}` +
      ` anthropic-beta=${h.get('anthropic-beta') ?? '(none)'} accept=${h.get('accept')}`;
    seen.set(line, (seen.get(line) ?? 0) + 1);
  }
  return [...seen].map(([line, n]) => `    ${line}${n > 1 ? ` (x${n})` : ''}`).join('\n');
}

async function lifecycle(label, batches) {
  wire = [];
  const step = (text) => console.log(`${label}: ${text}`);

  // The version the SDK sends decides which requests the emulator refuses; learn it from a call.
  await batches.list({ limit: 1 });
  const version = wire[0].headers.get('anthropic-version');
  assert.ok(version, `${label}: the SDK sent no anthropic-version header`);

  // A one-request batch first, so that the listing below spans more than one page.
  const filler = await batches.create({
    requests: [{ custom_id: `${label}-filler`, params: { model, max_tokens: 8, messages: user('x') } }],
  });

  // create
  const requests = lifecycleRequests(`${label}-${Date.now()}`, version);
  const created = await batches.create({
    requests: requests.map(({ custom_id, params }) => ({ custom_id, params })),
  });
  assert.equal(created.type, 'message_batch', `${label}: create returned type ${created.type}`);
  assert.match(created.id, /^msgbatch_/, `${label}: create returned id ${created.id}`);
  assert.equal(created.processing_status, 'in_progress', `${label}: a new batch is not in_progress`);
  assert.equal(created.request_counts.processing, requests.length,
    `${label}: request_counts.processing of a new batch`);
  assert.match(created._request_id ?? '', /^req_/, `${label}: create response without a request-id header`);
  step(`create -> ${created.id} (${requests.length} requests, in_progress, request-id ${created._request_id})`);

  // retrieve
  const retrieved = await batches.retrieve(created.id);
  assert.equal(retrieved.id, created.id, `${label}: retrieve returned another batch`);
  assert.equal(retrieved.created_at, created.created_at, `${label}: retrieve changed created_at`);
  step(`retrieve -> ${retrieved.processing_status}`);
  if (label === 'beta') {
    // The beta resource's `betas` param becomes an anthropic-beta header, which must not hurt.
    const withBeta = await batches.retrieve(created.id, { betas: ['message-batches-2024-09-24'] });
    assert.equal(withBeta.id, created.id, `${label}: retrieve with betas returned another batch`);
    assert.equal(wire.at(-1).headers.get('anthropic-beta'), 'message-batches-2024-09-24',
      `${label}: betas did not become an anthropic-beta header`);
    step('retrieve with betas: [message-batches-2024-09-24] -> sent as anthropic-beta, accepted');
  }

  // list, auto-paginating: one batch a page, so the SDK has to follow the cursor (after_id)
  const listed = [];
  const before = wire.length;
  for await (const batch of batches.list({ limit: 1 })) listed.push(batch.id);
  const pages = wire.slice(before).filter((r) => r.method === 'GET' && r.path === '/v1/messages/batches');
  for (const id of [created.id, filler.id]) {
    assert.equal(listed.filter((x) => x === id).length, 1,
      `${label}: list did not return ${id} exactly once (got ${JSON.stringify(listed)})`);
  }
  assert.ok(listed.indexOf(created.id) < listed.indexOf(filler.id), `${label}: list is not newest first`);
  assert.equal(new Set(listed).size, listed.length, `${label}: list returned a batch twice`);
  assert.ok(pages.length >= 2, `${label}: the listing of ${listed.length} batches, one a page, took ${pages.length} page(s)`);
  assert.ok(pages.slice(1).every((r) => r.query.includes('after_id=')), `${label}: a later page without after_id`);
  step(`list (for await, limit 1) -> ${listed.length} batches over ${pages.length} pages, found it once`);

  // wait until ended
  const ended = await waitEnded(batches, created.id, label);
  const expectedCounts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
  for (const r of requests) expectedCounts[r.expect] += 1;
  assert.deepEqual(ended.request_counts, expectedCounts, `${label}: request_counts of the ended batch`);
  assert.ok(ended.ended_at, `${label}: an ended batch has no ended_at`);
  assert.ok(ended.results_url, `${label}: an ended batch has no results_url`);
  step(`wait -> ended, request_counts ${JSON.stringify(ended.request_counts)}`);

  // results, with the SDK's own JSONL decoder
  const seen = new Map();
  for await (const line of await batches.results(created.id)) {
    assert.ok(!seen.has(line.custom_id), `${label}: results repeat custom_id ${line.custom_id}`);
    seen.set(line.custom_id, line.result);
  }
  assert.equal(seen.size, requests.length, `${label}: results have ${seen.size} lines, expected ${requests.length}`);
  for (const r of requests) {
    const result = seen.get(r.custom_id);
    assert.ok(result, `${label}: no result for ${r.custom_id}`);
    assert.equal(result.type, r.expect, `${label}: ${r.custom_id} ended ${result.type}, expected ${r.expect}`);
    if (r.expect === 'succeeded') {
      assert.equal(result.message.type, 'message', `${label}: ${r.custom_id}: message.type`);
      assert.ok(Array.isArray(result.message.content) && result.message.content.length > 0,
        `${label}: ${r.custom_id}: the message has no content`);
      assert.equal(result.message.content[0].type, 'text', `${label}: ${r.custom_id}: content[0].type`);
    } else if (r.expect === 'errored') {
      assert.equal(result.error.type, 'error', `${label}: ${r.custom_id}: error envelope type`);
      assert.equal(result.error.error.type, 'invalid_request_error', `${label}: ${r.custom_id}: error.type`);
      const field = r.params.max_tokens === 0 ? 'max_tokens' : 'temperature';
      assert.match(result.error.error.message, new RegExp(`^${field}`),
        `${label}: ${r.custom_id}: error message ${JSON.stringify(result.error.error.message)}`);
    }
  }
  const types = [...seen.values()].map((r) => r.type);
  step(`results -> ${seen.size} lines, each custom_id once (${types.filter((t) => t === 'succeeded').length} succeeded, ${types.filter((t) => t === 'errored').length} errored)`);

  // a second batch, canceled right away
  const second = await batches.create({
    requests: [1, 2, 3].map((i) => ({ custom_id: `${label}-cancel-${i}`, params: { model, max_tokens: 16, messages: user(`n${i}`) } })),
  });
  const canceled = await batches.cancel(second.id);
  assert.equal(canceled.id, second.id, `${label}: cancel returned another batch`);
  assert.ok(['canceling', 'ended'].includes(canceled.processing_status),
    `${label}: cancel left processing_status ${canceled.processing_status}`);
  assert.ok(canceled.cancel_initiated_at, `${label}: a canceled batch has no cancel_initiated_at`);
  step(`create + cancel -> ${second.id} ${canceled.processing_status}`);
  const secondEnded = await waitEnded(batches, second.id, label);
  const c = secondEnded.request_counts;
  assert.equal(c.succeeded + c.errored + c.canceled + c.expired, 3, `${label}: counts of the canceled batch`);
  assert.ok(c.canceled >= 1, `${label}: no request of the batch canceled at once ended canceled`);
  const canceledResults = [];
  for await (const line of await batches.results(second.id)) canceledResults.push(line);
  assert.deepEqual(canceledResults.map((l) => l.custom_id).sort(), [1, 2, 3].map((i) => `${label}-cancel-${i}`),
    `${label}: the canceled batch's results`);
  assert.equal(canceledResults.filter((l) => l.result.type === 'canceled').length, c.canceled,
    `${label}: canceled results vs request_counts.canceled`);
  step(`canceled batch -> ended, request_counts ${JSON.stringify(c)}, results agree`);

  // delete, then retrieving it is a 404 (NotFoundError)
  const deleted = await batches.delete(created.id);
  assert.deepEqual(deleted, { id: created.id, type: 'message_batch_deleted' }, `${label}: delete response`);
  await assert.rejects(batches.retrieve(created.id), (err) => {
    assert.ok(err instanceof NotFoundError,
      `${label}: retrieve after delete threw ${err?.constructor?.name}: ${err?.message}`);
    assert.equal(err.status, 404);
    return true;
  }, `${label}: retrieve after delete did not throw`);
  const after = [];
  for await (const batch of batches.list({ limit: 100 })) after.push(batch.id);
  assert.ok(!after.includes(created.id), `${label}: the deleted batch is still listed`);
  assert.ok(after.includes(second.id), `${label}: the canceled batch is not listed`);
  step(`delete -> message_batch_deleted; retrieve -> NotFoundError (404); no longer listed`);

  // What went over the wire: every request carries a version and a credential.
  for (const r of wire) {
    assert.ok(r.headers.get('anthropic-version'), `${label}: ${r.method} ${r.path} without anthropic-version`);
    assert.ok(r.headers.has('x-api-key') || r.headers.has('authorization'),
      `${label}: ${r.method} ${r.path} without a credential`);
  }
  step(`wire (${wire.length} requests):\n${describeWire(wire)}`);
}

await lifecycle('GA', client.messages.batches);
await lifecycle('beta', client.beta.messages.batches);
console.log('ok: GA and beta lifecycles passed');
