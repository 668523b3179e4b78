#!/usr/bin/env node
// Inventory of the official TypeScript SDK's Messages declarations, compared with our schema.
//
//   node codegen/tools/ts_inventory.mjs SDK_DIR [--ts-json] [--schema-json FILE] [--verbose] [--strict]
//
// SDK_DIR is the installed package (…/node_modules/@anthropic-ai/sdk). The `typescript` package
// (5.x: the classic compiler API; 7.x has none) is resolved next to SDK_DIR's node_modules, then
// from this script's own resolution paths; set TYPESCRIPT_DIR to point at it explicitly.
//
// Without --ts-json it runs `python3 codegen/schema.py --dump-json` (or reads --schema-json) and
// prints what the schema lacks and what it has extra, type by type and field by field, then a
// summary. Exit status is 0 unless --strict is given and something is missing or mismatched
// (for CI); excluded.schema / EXCLUDED.md say which gaps are deliberate.

import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FILES = [
  'resources/messages/messages.d.ts',
  'resources/messages/batches.d.ts',
  'resources/beta/messages/messages.d.ts',
  'resources/beta/messages/batches.d.ts',
  'resources/shared.d.ts',
  'resources/beta/beta.d.ts',
];

function usage(msg) {
  if (msg) console.error(`ts_inventory: ${msg}`);
  console.error('usage: node codegen/tools/ts_inventory.mjs SDK_DIR [--ts-json] [--schema-json FILE] [--verbose] [--strict]');
  process.exit(2);
}

const args = process.argv.slice(2);
let sdkDir = null, tsJson = false, schemaJson = null, verbose = false, strict = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--ts-json') tsJson = true;
  else if (a === '--verbose') verbose = true;
  else if (a === '--strict') strict = true;
  else if (a === '--schema-json') schemaJson = args[++i] ?? usage('--schema-json needs a file');
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else if (!sdkDir) sdkDir = a;
  else usage(`unexpected argument ${a}`);
}
if (!sdkDir) usage('missing SDK_DIR');
sdkDir = path.resolve(sdkDir);

function loadTypescript() {
  const candidates = [];
  if (process.env.TYPESCRIPT_DIR) candidates.push(path.resolve(process.env.TYPESCRIPT_DIR));
  // SDK_DIR is …/node_modules/@anthropic-ai/sdk: look in that node_modules first.
  candidates.push(path.resolve(sdkDir, '..', '..', 'typescript'));
  for (const c of candidates) {
    if (fs.existsSync(path.join(c, 'package.json'))) {
      const ts = createRequire(path.join(c, 'package.json'))(c);
      if (typeof ts.createSourceFile === 'function') return ts;
    }
  }
  try {
    const ts = createRequire(import.meta.url)('typescript');
    if (typeof ts.createSourceFile === 'function') return ts;
  } catch { /* fall through */ }
  console.error('ts_inventory: the typescript 5.x compiler API was not found; `npm install typescript@5` next to the SDK or set TYPESCRIPT_DIR');
  process.exit(2);
}
const ts = loadTypescript();

// ---- TypeScript side -------------------------------------------------------------------------

function isNullable(typeNode) {
  if (!typeNode || !ts.isUnionTypeNode(typeNode)) return false;
  return typeNode.types.some(
    (t) => t.kind === ts.SyntaxKind.NullKeyword ||
      (ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword));
}

// The declaration's own comment, for --ts-json readers (we never copy it into the schema).
function docOf(node) {
  const c = node.jsDoc?.[0]?.comment;
  return typeof c === 'string' ? c : Array.isArray(c) ? c.map((p) => p.text ?? '').join('') : '';
}

function memberOf(sf, m) {
  if (ts.isPropertySignature(m)) {
    const name = m.name.getText(sf).replace(/^['"]|['"]$/g, '');
    return {
      name,
      optional: !!m.questionToken,
      nullable: isNullable(m.type),
      type: m.type ? m.type.getText(sf).replace(/\s+/g, ' ') : 'any',
      deprecated: ts.getJSDocTags(m).some((t) => t.tagName.text === 'deprecated'),
      doc: docOf(m),
    };
  }
  if (ts.isIndexSignatureDeclaration(m)) {
    return { name: '[index]', optional: true, nullable: false, type: m.getText(sf).replace(/\s+/g, ' ') };
  }
  return null;
}

function collect(sf, rel, statements, prefix, out) {
  for (const st of statements) {
    const exported = prefix !== '' ||
      (st.modifiers ?? []).some((mod) => mod.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    const deprecated = ts.getJSDocTags(st).some((t) => t.tagName.text === 'deprecated');
    if (ts.isInterfaceDeclaration(st)) {
      const name = prefix + st.name.text;
      const heritage = (st.heritageClauses ?? []).flatMap((h) => h.types.map((t) => t.getText(sf)));
      out.push({
        file: rel, name, kind: 'interface', extends: heritage, deprecated,
        members: st.members.map((m) => memberOf(sf, m)).filter(Boolean),
      });
    } else if (ts.isTypeAliasDeclaration(st)) {
      out.push({
        file: rel, name: prefix + st.name.text, kind: 'alias', deprecated,
        type: st.type.getText(sf).replace(/\s+/g, ' '),
        nullable: isNullable(st.type),
      });
    } else if (ts.isModuleDeclaration(st) && st.body && ts.isModuleBlock(st.body)) {
      const ns = st.name.text;
      // The trailing `export declare namespace Messages { export { ... } }` re-export blocks
      // declare nothing new.
      collect(sf, rel, st.body.statements, `${prefix}${ns}.`, out);
    }
  }
}

function inventory() {
  const out = [];
  for (const rel of FILES) {
    const file = path.join(sdkDir, rel);
    if (!fs.existsSync(file)) { console.error(`ts_inventory: missing ${file}`); process.exit(2); }
    const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    collect(sf, rel, sf.statements, '', out);
  }
  return out;
}

// Interfaces that extend others: fold the parents' members in (our schema flattens inheritance).
function flatten(decls) {
  // Parents are looked up in the same file: both families declare `MessageCreateParamsBase`.
  const byName = new Map(decls.map((d) => [`${d.file}:${d.name}`, d]));
  const memo = new Map();
  function membersOf(d, seen = new Set()) {
    if (memo.has(d)) return memo.get(d);
    const own = new Map(d.members.map((m) => [m.name, m]));
    const all = new Map();
    for (const h of d.extends ?? []) {
      const parentName = h.replace(/^\w+API\./, '').replace(/<.*$/, '');
      const p = byName.get(`${d.file}:${parentName}`);
      if (p && p.kind === 'interface' && !seen.has(p.name)) {
        for (const m of membersOf(p, new Set([...seen, d.name]))) all.set(m.name, m);
      }
    }
    for (const [k, v] of own) all.set(k, v);
    const r = [...all.values()];
    memo.set(d, r);
    return r;
  }
  for (const d of decls) if (d.kind === 'interface') d.allMembers = membersOf(d);
  return decls;
}

const decls = flatten(inventory());

if (tsJson) {
  process.stdout.write(JSON.stringify(decls, null, 1) + '\n');
  process.exit(0);
}

// ---- Schema side -----------------------------------------------------------------------------

const here = path.dirname(fileURLToPath(import.meta.url));
const repoCodegen = path.resolve(here, '..');
let model;
if (schemaJson) {
  model = JSON.parse(fs.readFileSync(schemaJson, 'utf8'));
} else {
  const text = execFileSync('python3', [path.join(repoCodegen, 'schema.py'), '--dump-json'],
    { encoding: 'utf8', maxBuffer: 256 << 20 });
  model = JSON.parse(text);
}

// Schema types are keyed by the TypeScript module and name they stand for: the file's `@module`
// and the type's name, or its `@ts MODULE:Name` when our name differs (the un-prefixed beta
// names such as `BatchCreateParams` exist in both families). A type that exists only under an
// older API version (`@only 2023-06-01`) has no counterpart in the 1.x declarations.
const current = model.current_version;
const inCurrent = (x) => !x.versions || x.versions.length === 0 || x.versions.includes(current);
const schemaByTsKey = new Map();
for (const t of model.types) {
  if (!inCurrent(t)) continue;
  const key = t.ts ? `${t.ts.module}:${t.ts.name}` : `${t.module}:${t.name}`;
  schemaByTsKey.set(key, t);
}
function moduleOf(rel) {
  if (rel.includes('beta/messages/batches')) return 'beta.batches';
  if (rel.includes('beta/messages/messages')) return 'beta.messages';
  if (rel.includes('beta/beta')) return 'beta';
  if (rel.includes('messages/batches')) return 'batches';
  if (rel.includes('messages/messages')) return 'messages';
  return 'shared';
}
function findSchemaType(d) {
  return schemaByTsKey.get(`${moduleOf(d.file)}:${d.name}`);
}

// `exclude` patterns: a name, MODULE:Name, or a glob with `*` (any run of characters).
const excluded = (model.excluded ?? []).map((e) => {
  const re = new RegExp('^' + e.name.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return re;
});
function isExcluded(d) {
  const qualified = `${moduleOf(d.file)}:${d.name}`;
  return excluded.some((re) => re.test(d.name) || re.test(qualified));
}

// A coarse shape of a type, comparable across both sides: its string literals, whether it is a
// list, and which scalar kinds appear. It catches a lost enum value, a missing list or a wrong
// scalar without having to map every type name.
function shape(literals, list, kinds, names) {
  return `[${[...new Set(literals)].sort().join(',')}]${list ? ' list' : ''} {${[...new Set(kinds)].sort().join(',')}}` +
    ` <${[...new Set(names)].sort().join(',')}>`;
}
const tsNameOf = new Map(model.types.map((t) => [t.name, t.ts ? t.ts.name : t.name]));
const TS_WORDS = new Set(['Array', 'string', 'number', 'boolean', 'unknown', 'null', 'true', 'false', 'key', 'k', 'readonly', 'any']);
function tsShape(text) {
  const literals = [...text.matchAll(/'([^']*)'/g)].map((m) => m[1]);
  const bare = text.replace(/'[^']*'/g, '').replace(/\[\w+: string\]/g, '');
  const kinds = [];
  if (/\bstring\b/.test(bare) && !/string & \{\}/.test(bare)) kinds.push('string');
  if (/\bnumber\b/.test(bare)) kinds.push('number');
  if (/\bboolean\b|\btrue\b|\bfalse\b/.test(bare)) kinds.push('boolean');
  const names = [...bare.matchAll(/[A-Za-z_][\w.]*/g)].map((m) => m[0])
    .filter((w) => !TS_WORDS.has(w)).map((w) => w.replace(/^(\w+API|Shared)\./, ''));
  return shape(literals, /Array<|\[\]/.test(text), kinds, names);
}
function schemaShape(t) {
  const literals = [], kinds = [], names = [];
  let list = false;
  (function walk(e) {
    if (!e) return;
    if (e.kind === 'list') list = true;
    if (e.kind === 'ref') names.push(tsNameOf.get(e.name) ?? e.name);
    if (e.kind === 'const') { if (typeof e.value === 'string') literals.push(e.value); else kinds.push('boolean'); }
    if (e.kind === 'enum') literals.push(...e.values);
    if (e.kind === 'scalar') {
      const k = { string: 'string', datetime: 'string', integer: 'number', number: 'number', boolean: 'boolean' }[e.name];
      if (k) kinds.push(k);
    }
    walk(e.item);
    for (const m of e.members ?? []) walk(m);
  })(t);
  return shape(literals, list, kinds, names);
}

let tsTypes = 0, tsFields = 0, haveTypes = 0, haveFields = 0, exclTypes = 0, exclFields = 0;
const lacksTypes = [], lacksFields = [], extraFields = [], mismatches = [], legacyFields = [];
const matched = new Set();

for (const d of decls) {
  // Re-export shims inside `namespace Messages { export {...} }` have no declarations; the
  // `namespace MessageCreateParams { type X = MessagesAPI.X }` aliases point back at top-level names.
  if (d.kind === 'alias' && /^\w+API\.\w+$/.test(d.type) && d.name.includes('.')) continue;
  const fields = d.kind === 'interface' ? d.allMembers.filter((m) => m.name !== '[index]') : [];
  tsTypes++; tsFields += fields.length;
  if (isExcluded(d)) { exclTypes++; exclFields += fields.length; continue; }
  const s = findSchemaType(d);
  if (!s) { lacksTypes.push(`${moduleOf(d.file)}:${d.name} (${d.kind}, ${fields.length} fields)`); continue; }
  matched.add(s.name);
  haveTypes++;
  if (d.kind !== 'interface') {
    // Aliases: compare the union's members, the enum's values or the alias target.
    let b;
    if (s.kind === 'enum') b = shape(s.values.map((v) => v.value), false, [], []);
    else if (s.kind === 'union') b = schemaShape({ kind: 'union', members: s.members.map((m) => m.type) });
    else if (s.kind === 'alias') b = schemaShape(s.target);
    else if (s.kind === 'object') continue; // Page<T> is modelled as an object
    if (/^Extract</.test(d.type)) continue; // computed from another type; the schema spells out the result
    const a = tsShape(d.type.replace(/\bnull\b/g, ''));
    if (b !== undefined && a !== b) mismatches.push(`${s.name}: shape TS ${a} vs schema ${b}`);
    continue;
  }
  if (s.kind !== 'object') { mismatches.push(`${d.name}: TypeScript interface, schema ${s.kind}`); continue; }
  const schemaFields = new Map(s.fields.map((f) => [f.wire_name, f]));
  for (const m of fields) {
    const f = schemaFields.get(m.name);
    if (!f) {
      if (isExcluded({ name: `${s.name}.${m.name}`, file: d.file })) { exclFields++; continue; }
      lacksFields.push(`${s.name}.${m.name}: ${m.type}${m.optional ? ' (optional)' : ''}`);
      continue;
    }
    haveFields++;
    schemaFields.delete(m.name);
    if (f.optional !== m.optional) mismatches.push(`${s.name}.${m.name}: optional TS=${m.optional} schema=${f.optional}`);
    if (f.nullable !== m.nullable) mismatches.push(`${s.name}.${m.name}: nullable TS=${m.nullable} schema=${f.nullable}`);
    const a = tsShape(m.type), b = schemaShape(f.type);
    if (a !== b) mismatches.push(`${s.name}.${m.name}: shape TS ${a} vs schema ${b}   (TS: ${m.type})`);
  }
  for (const [name, f] of schemaFields) {
    if (!inCurrent(f)) { legacyFields.push(`${s.name}.${name} (@only ${f.versions.join(',')})`); continue; }
    if (isExcluded({ name: `${s.name}.${name}`, file: d.file })) continue;
    extraFields.push(`${s.name}.${name}${f.location && f.location !== 'body' ? ` (@${f.location}: not in the TS interface)` : ''}`);
  }
}
const extraTypes = model.types.filter((t) => inCurrent(t) && !matched.has(t.name)).map((t) => t.name);
const legacyTypes = model.types.filter((t) => !inCurrent(t)).map((t) => `${t.name} (@only ${t.versions.join(',')})`);

function section(title, list) {
  console.log(`\n## ${title}: ${list.length}`);
  for (const x of (verbose ? list : list.slice(0, 200))) console.log(`  ${x}`);
  if (!verbose && list.length > 200) console.log(`  ... ${list.length - 200} more (--verbose)`);
}
section('Types in TypeScript that the schema lacks (not excluded)', lacksTypes);
section('Fields in TypeScript that the schema lacks', lacksFields);
section('Mismatches (optional, nullable, or shape: literals, list, scalar kinds, type names)', mismatches);
section('Schema types with no TypeScript counterpart (current version)', extraTypes);
section('Schema fields with no TypeScript counterpart (current version)', extraFields);
section('Schema types and fields for older API versions only (from the 0.x declarations)', [...legacyTypes, ...legacyFields]);
console.log('\n## Summary');
console.log(`  TypeScript declarations: ${tsTypes} types, ${tsFields} fields (after folding \`extends\`)`);
console.log(`  deliberately excluded (codegen/schema/excluded.schema): ${exclTypes} types, ${exclFields} fields`);
console.log(`  in scope: ${tsTypes - exclTypes} types, ${tsFields - exclFields} fields`);
console.log(`  covered by the schema: ${haveTypes} types, ${haveFields} fields`);
console.log(`  missing: ${lacksTypes.length} types, ${lacksFields.length} fields; mismatches: ${mismatches.length}`);
console.log(`  schema total: ${model.types.length} types, ${model.types.reduce((n, t) => n + (t.fields ? t.fields.length : 0), 0)} fields`);
if (strict && (lacksTypes.length || lacksFields.length || mismatches.length)) process.exit(1);
