#!/usr/bin/env python3
"""Generates the C++ model types and their JSON codecs from the schema (codegen/schema/*.schema).

    python3 codegen/generate.py [--out DIR] [--schema FILE...] [--family ga|beta]... [--check]

Writes, under DIR (default: the repository root):

    include/anthropic/<family path>/generated/<family>_models.gen.hpp   public: the types, docs,
                                                                        to_json / from_json
    src/generated/<family>_codecs.gen.hpp                               private: codec declarations
    src/generated/<family>_codecs_<n>.gen.cpp                           the codecs, split in parts
                                                                        that compile in parallel

Everything in those files comes from the schema and the tables below; nothing there is edited by
hand. Hand-written code builds on the generated types (factories declared through EXTRA_MEMBERS
and defined in src/, the batch resource types listed in HANDWRITTEN). Output is deterministic:
`--check` regenerates into memory and exits 1 when a checked-in file differs (CI runs it).

Python 3 standard library only.
"""

import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import schema  # noqa: E402  (codegen/schema.py)

# ---------------------------------------------------------------------------------------------
# Tables: the decisions the schema leaves to the C++ side.

# Types not generated: the batch resource types, still hand-written in include/anthropic/models/
# (one C++ type for both families, the beta names aliases; their service predates the generator),
# and the results line, kept as a flattened struct (`result.type`, `result.message`,
# `result.error`) with its own codec on top of the generated message and error types.
SKIP = {
    'BetaMessageBatch', 'BetaMessageBatchRequestCounts', 'BetaDeletedMessageBatch',
    'BetaMessageBatchesPage', 'BetaMessageBatchCreateParams', 'BetaMessageBatchCreateParams.Request',
    'BetaMessageBatchRetrieveParams', 'BetaMessageBatchListParams', 'BetaMessageBatchDeleteParams',
    'BetaMessageBatchCancelParams', 'BetaMessageBatchResultsParams',
    'BetaMessageBatchIndividualResponse', 'BetaMessageBatchResult',
    'MessageBatch', 'MessageBatchRequestCounts', 'DeletedMessageBatch', 'MessageBatchesPage',
    'MessageBatchCreateParams', 'MessageBatchCreateParams.Request', 'MessageBatchRetrieveParams',
    'MessageBatchListParams', 'MessageBatchDeleteParams', 'MessageBatchCancelParams',
    'MessageBatchResultsParams', 'MessageBatchIndividualResponse', 'MessageBatchResult',
}

# Two definitions share a name under disjoint API versions: the one generated. The message param
# keeps the `{role, content}` object shape (the same JSON as the 2026-10-21 union by role), so
# that `BetaMessageParam::user("Hello")` stays a value type with factories.
VERSION_PICK = {'BetaMessageParam': 'object', 'MessageParam': 'object'}

# Inline enums hoisted to namespace level: (type, field) -> name.
HOISTED = {('BetaMessageParam', 'role'): 'Role', ('MessageParam', 'role'): 'Role',
           ('BetaUsage', 'service_tier'): 'BetaServiceTier'}

# Member order on encode: the discriminator (`type`) first (the decoders find a union's tag at
# once), then these members in this order (the order of the API reference's examples and of our
# wire captures, kept byte for byte), then the rest in schema order.
ENCODE_FIRST = {
    'BetaMessageCreateParams': ['model', 'max_tokens', 'messages', 'system', 'metadata',
                                'stop_sequences', 'temperature', 'top_k', 'top_p', 'tools',
                                'tool_choice', 'thinking', 'cache_control', 'service_tier'],
    'BetaMessageParam': ['role', 'content'],
    'BetaTool': ['name', 'description', 'input_schema', 'cache_control', 'strict'],
    'BetaToolUseBlockParam': ['id', 'name', 'input', 'cache_control'],
    'BetaRequestDocumentBlock': ['source', 'title', 'context', 'citations', 'cache_control'],
    'BetaToolResultBlockParam': ['tool_use_id', 'content', 'is_error', 'cache_control'],
    'BetaTextBlockParam': ['text', 'cache_control', 'citations'],
    'BetaImageBlockParam': ['source', 'cache_control'],
    'BetaBase64ImageSource': ['media_type', 'data'],
    'BetaBase64PDFSource': ['media_type', 'data'],
    'BetaPlainTextSource': ['media_type', 'data'],
    'BetaThinkingBlockParam': ['thinking', 'signature'],
    'BetaToolChoiceTool': ['name', 'disable_parallel_tool_use'],
    'BetaThinkingConfigEnabled': ['budget_tokens', 'display'],
    'BetaMessage': ['id', 'type', 'role', 'model', 'content', 'stop_reason', 'stop_sequence',
                    'usage'],
    'BetaTextBlock': ['text', 'citations'],
    'BetaUsage': ['input_tokens', 'output_tokens', 'cache_creation_input_tokens',
                  'cache_read_input_tokens'],
}

# The GA types are written in the same member order as their beta counterparts (the GA name is
# the beta one without `Beta`, but for the renamed ones listed here).
GA_COUNTERPART = {'BetaRequestDocumentBlock': 'DocumentBlockParam'}
for _beta, _first in list(ENCODE_FIRST.items()):
    ENCODE_FIRST[GA_COUNTERPART.get(_beta, _beta[len('Beta'):])] = list(_first)


def _factory_members(p, document, src):
    """Declarations of the hand-written factories of one family: `p` is the type name prefix
    ('Beta' or ''), `document` the request document block, `src` the file defining them."""
    return {
        p + 'MessageParam': [
            '// Hand-written factories (%s).' % src,
            '/// A user turn whose content is `text` (sent as a JSON string: one text block).',
            'ANTHROPIC_EXPORT static %sMessageParam user(std::string text);' % p,
            '/// A user turn made of `blocks` (text, images, documents, tool results, ...).',
            'ANTHROPIC_EXPORT static %sMessageParam user(std::vector<%sContentBlockParam> blocks);' % (p, p),
            '/// An assistant turn whose content is `text`: a prefill, or an earlier reply.',
            'ANTHROPIC_EXPORT static %sMessageParam assistant(std::string text);' % p,
            '/// An assistant turn made of `blocks` (an earlier reply with its tool calls).',
            'ANTHROPIC_EXPORT static %sMessageParam assistant(std::vector<%sContentBlockParam> blocks);' % (p, p),
        ],
        p + 'ImageBlockParam': [
            '// Hand-written factories (%s).' % src,
            '/// An image given inline: `data` is base64 text, `media_type` e.g. "image/png".',
            'ANTHROPIC_EXPORT static %sImageBlockParam base64(std::string media_type, std::string data);' % p,
            '/// An image the API fetches from `url`.',
            'ANTHROPIC_EXPORT static %sImageBlockParam url(std::string url);' % p,
            '/// An image uploaded earlier through the Files API, by its id.',
            'ANTHROPIC_EXPORT static %sImageBlockParam file(std::string file_id);' % p,
        ],
        document: [
            '// Hand-written factories (%s).' % src,
            '/// A PDF given inline as base64 text (`media_type` "application/pdf" is implied).',
            'ANTHROPIC_EXPORT static %s pdf_base64(std::string data);' % document,
            '/// A plain-text document (`media_type` "text/plain" is implied).',
            'ANTHROPIC_EXPORT static %s plain_text(std::string text);' % document,
            '/// A PDF the API fetches from `url`.',
            'ANTHROPIC_EXPORT static %s pdf_url(std::string url);' % document,
            '/// A document uploaded earlier through the Files API, by its id.',
            'ANTHROPIC_EXPORT static %s file(std::string file_id);' % document,
        ],
        p + 'Tool.InputSchema': [
            '// Hand-written (%s).' % src,
            '/// From a whole JSON Schema object: members other than `type`, `properties` and',
            '/// `required` land in extra_fields. Throws `AnthropicInvalidDataException` when it',
            '/// does not decode as one (not an object, or a `type` other than "object").',
            'ANTHROPIC_EXPORT static %sTool_InputSchema from_raw(const RawJson& schema);' % p,
        ],
        p + 'TextBlockParam': [
            '// Hand-written factory (%s).' % src,
            '/// A text block with just its text (no citations, no cache breakpoint).',
            'ANTHROPIC_EXPORT static %sTextBlockParam of(std::string text);' % p,
        ],
    }


# The doc of every decoder declaration (one member group per namespace).
DECODER_DOC = ('/// Decodes `text` into `value`; what `anthropic::from_json<T>(text)` calls (found by\n'
               '/// argument-dependent lookup): call that instead. Throws\n'
               '/// `AnthropicInvalidDataException` naming the path of the offending value.')

# Declarations of hand-written members (defined in src/, named beside each).
EXTRA_MEMBERS = {}
EXTRA_MEMBERS.update(_factory_members('Beta', 'BetaRequestDocumentBlock',
                                      'src/beta/beta_message_param.cpp'))
EXTRA_MEMBERS.update(_factory_members('', 'DocumentBlockParam', 'src/message_param.cpp'))

FAMILY_NS = {
    ('beta', False): 'anthropic::beta', ('beta', True): 'anthropic::beta::messages',
    ('ga', False): 'anthropic', ('ga', True): 'anthropic::messages',
}
BATCH_MODULES = {'beta.batches', 'batches'}

CPP_KEYWORDS = set('''alignas alignof and and_eq asm auto bitand bitor bool break case catch char
char16_t char32_t class compl concept const consteval constexpr constinit const_cast continue
co_await co_return co_yield decltype default delete do double dynamic_cast else enum explicit
export extern false float for friend goto if inline int long mutable namespace new noexcept not
not_eq nullptr operator or or_eq private protected public register reinterpret_cast requires
return short signed sizeof static static_assert static_cast struct switch template this
thread_local throw true try typedef typeid typename union unsigned using virtual void volatile
wchar_t while xor xor_eq str is_known known_values stdin stdout stderr errno assert EOF NULL
unix linux major minor'''.split())

SCALARS = {'string': 'std::string', 'boolean': 'bool', 'integer': 'std::int64_t',
           'number': 'double', 'datetime': '::anthropic::Timestamp', 'json': '::anthropic::RawJson'}


def pascal(name):
    return ''.join(p[:1].upper() + p[1:] for p in re.split(r'[^A-Za-z0-9]+', name) if p)


def ident(value):
    s = re.sub(r'[^A-Za-z0-9_]', '_', value)
    if not s or s[0].isdigit():
        s = 'v' + s
    if s in CPP_KEYWORDS:
        s += '_'
    return s


def c_string(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def doc_line(doc):
    return ' '.join((doc or '').split())


def simplify(text, ns, nested=()):
    """Shortens fully qualified names in declarations written inside namespace `ns` (and
    inside a struct whose nested type names are `nested`): `::ns::X` -> `X` unless X is shadowed."""
    def repl(m):
        name = m.group(1)
        return m.group(0) if name in nested else name
    text = re.sub(r'::%s::(\w+)\b(?!::\w+::)' % re.escape(ns), repl, text)
    text = re.sub(r'::anthropic::(RawJson|Box|OpenEnum|Timestamp)\b',
                  lambda m: m.group(0) if m.group(1) in nested else m.group(1), text)
    return text


class Gen:
    def __init__(self, model, families):
        self.model = model
        self.families = families
        self.types = {}
        for t in model['types']:
            if t['name'] in self.types:
                if VERSION_PICK.get(t['name']) != t['kind']:
                    continue
            elif t['name'] in VERSION_PICK and VERSION_PICK[t['name']] != t['kind']:
                # the other definition comes later
                if any(o['name'] == t['name'] and o['kind'] == VERSION_PICK[t['name']]
                       for o in model['types']):
                    continue
            self.types[t['name']] = t
        self.selected = self._select()
        # Objects whose tag has several spellings (a union lists them all): the tag field
        # defaults to the first (versioned) one.
        self.multi_tag = set()
        for t in self.types.values():
            if t['kind'] == 'union' and t.get('discriminator'):
                for m in t['members']:
                    if len(m.get('values') or []) > 1 and m['type']['kind'] == 'ref':
                        self.multi_tag.add((m['type']['name'], t['discriminator']))
        self.nested = {}   # type name -> list of nested declarations (text)
        self.enums = []    # every enum emitted: (qualified cpp name, values, namespace-level?)
        self.variants = {}  # cpp variant type -> spec (for codecs)
        self.inline_ns = {}  # namespace-level inline types: ns -> list of (name, text)

    # ----- selection

    def _select(self):
        chosen = set()
        todo = [n for n, t in self.types.items() if t['family'] in self.families and n not in SKIP]
        while todo:
            n = todo.pop()
            if n in chosen:
                continue
            if n in SKIP:
                raise SystemExit('generate.py: %s refers to a skipped type' % n)
            chosen.add(n)
            for ref in self._refs(self.types[n]):
                todo.append(ref)
        return chosen

    def _refs(self, t):
        out = []

        def walk(e):
            if e['kind'] == 'ref':
                out.append(e['name'])
            for k in ('item', 'value'):
                if isinstance(e.get(k), dict):
                    walk(e[k])
            for m in e.get('members') or []:
                walk(m)
        for f in t.get('fields') or []:
            walk(f['type'])
        for m in t.get('members') or []:
            walk(m['type'])
        if t['kind'] == 'alias':
            walk(t['target'])
        return out

    # ----- names

    def ns(self, t):
        return FAMILY_NS[(t['family'], t['module'] in BATCH_MODULES)]

    def cname(self, name):
        return name.replace('.', '_')

    def qual(self, name):
        t = self.types[name]
        return '::%s::%s' % (self.ns(t), self.cname(name))

    # ----- type expressions

    def expr(self, e, owner, field, ns, item=False):
        """The C++ type of a type expression (inline enums/unions get nested declarations)."""
        k = e['kind']
        if k == 'scalar':
            return SCALARS[e['name']]
        if k == 'ref':
            return self.qual(e['name'])
        if k == 'list':
            return 'std::vector<%s>' % self.expr(e['item'], owner, field, ns, item=True)
        if k == 'map':
            if e['item']['kind'] == 'scalar' and e['item']['name'] == 'json':
                return '::anthropic::RawJson'
            return 'std::map<std::string, %s>' % self.expr(e['item'], owner, field, ns, item=True)
        if k == 'const':
            return 'bool' if isinstance(e['value'], bool) else 'std::string'
        if k == 'enum':
            return self.inline_enum(e, owner, field, ns, item)
        if k == 'union':
            return self.inline_union(e, owner, field, ns, item)
        raise SystemExit('generate.py: unknown type kind %s' % k)

    def nested_name(self, owner, field, item):
        base = pascal(field) + ('Item' if item else '')
        return base

    def inline_enum(self, e, owner, field, ns, item):
        hoist = HOISTED.get((owner, field)) if owner else None
        if owner and not hoist and owner in self.types and self.types[owner]['kind'] == 'object':
            name = self.nested_name(owner, field, item)
            q = '%s::%s' % (self.qual(owner), name)
            text = self.enum_text(name, [v for v in e['values']], 'Values of `%s`.' % field, q,
                                  open_=e.get('open', True))
            self.nested.setdefault(owner, []).append((name, text, q, e['values']))
            return q
        name = hoist or (self.cname(owner) + pascal(field) + ('Item' if item else ''))
        q = '::%s::%s' % (ns, name)
        if not any(n == name for n, _ in self.inline_ns.get(ns, [])):
            text = self.enum_text(name, e['values'], 'Values of `%s.%s`.' % (owner, field), q,
                                  indent='', open_=e.get('open', True))
            self.inline_ns.setdefault(ns, []).append((name, text))
            self.enums.append((q, e['values']))
        return q

    def inline_union(self, e, owner, field, ns, item):
        members = self.union_members(e['members'], owner, field, ns)
        v = self.variant(members, e.get('discriminator'), [None] * len(members), None)
        if owner and owner in self.types and self.types[owner]['kind'] == 'object':
            name = self.nested_name(owner, field, item)
            self.nested.setdefault(owner, []).append(
                (name, '  /// One of the shapes of `%s`; RawJson for one the SDK does not know.\n'
                       '  using %s = %s;\n' % (field, name, v), None, None))
            return '%s::%s' % (self.qual(owner), name)
        return v

    def union_members(self, members, owner, field, ns):
        out = []
        for m in members:
            c = self.expr(m, owner, field, ns)
            out.append((c, m))
        return out

    def variant(self, members, discriminator, values, when_absent):
        seen = []
        spec = []
        for (c, m), vals in zip(members, values):
            if c in seen:
                continue
            seen.append(c)
            spec.append((c, m, vals))
        cpp = 'std::variant<%s, ::anthropic::RawJson>' % ', '.join(seen)
        if cpp not in self.variants:
            self.variants[cpp] = {'members': spec, 'discriminator': discriminator,
                                  'when_absent': when_absent}
        return cpp

    def enum_text(self, name, values, doc, qualified, indent='  ', open_=True):
        vals = [v['value'] if isinstance(v, dict) else v for v in values]
        used = set()
        idents = []
        for v in vals:
            i = ident(v)
            while i in used or i == name:
                i += '_'
            used.add(i)
            idents.append(i)
        self.enum_consts.append((qualified, list(zip(idents, vals))))
        if not open_:
            self.closed_enums.add(qualified)
        lines = []
        lines.append('/// %s' % doc_line(doc))
        lines.append('class %s : public ::anthropic::OpenEnum<%s> {' % (name, name))
        lines.append(' public:')
        lines.append('  /// The empty string: no value (what a default-constructed field holds).')
        lines.append('  %s() = default;' % name)
        lines.append('  /// Any wire string, named here or not; kept as is.')
        lines.append('  %s(std::string value) : OpenEnum(std::move(value)) {}  // NOLINT: implicit' % name)
        lines.append('  /// Any wire string, named here or not; kept as is.')
        lines.append('  %s(const char* value) : OpenEnum(std::string(value)) {}  // NOLINT: implicit' % name)
        for i, v in zip(idents, values):
            vdoc = doc_line(v.get('doc')) if isinstance(v, dict) else ''
            wire = v['value'] if isinstance(v, dict) else v
            lines.append('  /// %s' % (vdoc + (' ' if vdoc else '') + '(`%s`)' % json.dumps(wire)
                                       if vdoc else 'The wire value `%s`.' % json.dumps(wire)))
            lines.append('  static const %s %s;' % (name, i))
        lines.append('  /// The wire values named above, in the schema\'s order.')
        lines.append('  static constexpr std::array<std::string_view, %d> known_values() {' % len(vals))
        lines.append('    return {%s};' % ', '.join(c_string(v) for v in vals))
        lines.append('  }')
        lines.append('};')
        return '\n'.join(indent + l if l else l for l in lines) + '\n'

    # ----- storage of a field

    def is_boxed(self, e):
        k = e['kind']
        if k == 'ref':
            t = self.types[e['name']]
            if t['kind'] == 'alias':
                return self.is_boxed(t['target'])
            return t['kind'] in ('object', 'union')
        return k in ('list', 'union', 'map') and not (
            k == 'map' and e['item']['kind'] == 'scalar' and e['item']['name'] == 'json')

    def field_storage(self, f, owner, ns):
        """(cpp member type or None, mode) with mode: const, const_opt, plain, nullable, optional."""
        e = f['type']
        if e['kind'] == 'const':
            return (None, 'const_opt' if f['optional'] else 'const')
        c = self.expr(e, owner, f['wire_name'], ns)
        if not f['optional'] and not f['nullable']:
            return (c, 'plain')
        wrapper = '::anthropic::Box<%s>' % c if self.is_boxed(e) else 'std::optional<%s>' % c
        return (wrapper, 'optional' if f['optional'] else 'nullable')

    # ----- emission

    def run(self):
        self.enum_consts = []
        fams = {}
        for n in sorted(self.selected):
            fams.setdefault(self.types[n]['family'], []).append(n)
        files = {}
        order = ['ga', 'beta']
        for fam in order:
            if fam not in fams:
                continue
            files.update(self.emit_family(fam, sorted(fams[fam], key=self.sort_key)))
        return files

    def sort_key(self, n):
        t = self.types[n]
        return (t['file'], t['line'])

    def family_paths(self, fam):
        if fam == 'beta':
            return ('include/anthropic/beta/generated/beta_models.gen.hpp',
                    'anthropic/beta/generated/beta_models.gen.hpp', 'src/generated/beta_codecs')
        return ('include/anthropic/generated/models.gen.hpp',
                'anthropic/generated/models.gen.hpp', 'src/generated/ga_codecs')

    def emit_family(self, fam, names):
        self.enum_consts = []
        self.closed_enums = set()
        self.nested = {}
        self.inline_ns = {}
        self.variants = {}
        header_path, header_include, codec_base = self.family_paths(fam)
        objects = [n for n in names if self.types[n]['kind'] == 'object']
        unions = [n for n in names if self.types[n]['kind'] == 'union']
        enums = [n for n in names if self.types[n]['kind'] == 'enum']
        aliases = [n for n in names if self.types[n]['kind'] == 'alias']

        # Field storage first (registers nested/inline types and variants).
        fields = {}
        for n in objects:
            t = self.types[n]
            ns = self.ns(t)
            fields[n] = [(f,) + self.field_storage(f, n, ns) for f in t['fields']]
        union_cpp = {}
        for n in unions:
            t = self.types[n]
            ns = self.ns(t)
            members = [(self.expr(m['type'], n, 'member', ns), m['type']) for m in t['members']]
            vals = [m.get('values') for m in t['members']]
            wa = None
            for m, (c, _) in zip(t['members'], members):
                if m.get('when_absent'):
                    wa = c
            union_cpp[n] = self.variant(members, t.get('discriminator'), vals, wa)
        alias_cpp = {}
        for n in aliases:
            t = self.types[n]
            alias_cpp[n] = self.expr(t['target'], n, '', self.ns(t))

        # Topological order of the objects (members held by value need complete types).
        order = self.topo(objects, fields, union_cpp, alias_cpp)

        h = []
        h.append('// Generated by codegen/generate.py from codegen/schema/*.schema. Do not edit:')
        h.append('// change the schema (or the generator) and run `cmake --build <dir> --target')
        h.append('// anthropic_generate`.')
        h.append('#pragma once')
        h.append('')
        if fam == 'beta' and any(self.types[n]['family'] == 'ga' for n in self.selected):
            h.append('#include <anthropic/generated/models.gen.hpp>')
        for inc in ('anthropic/box.hpp', 'anthropic/export.hpp', 'anthropic/json.hpp',
                    'anthropic/open_enum.hpp', 'anthropic/raw_json.hpp', 'anthropic/timestamp.hpp'):
            h.append('#include <%s>' % inc)
        h.append('')
        for inc in ('array', 'cstdint', 'map', 'optional', 'string', 'string_view', 'utility',
                    'variant', 'vector'):
            h.append('#include <%s>' % inc)
        h.append('')
        by_ns = {}
        for n in names:
            by_ns.setdefault(self.ns(self.types[n]), []).append(n)
        ns_list = sorted(set(by_ns) | set(self.inline_ns), key=lambda s: (s.count('::'), s))

        # 1. forward declarations, enums, inline namespace-level enums
        for ns in ns_list:
            h.append('namespace %s {' % ns)
            h.append('')
            for n in by_ns.get(ns, []):
                if self.types[n]['kind'] == 'object':
                    h.append('struct %s;' % self.cname(n))
            h.append('')
            for n in by_ns.get(ns, []):
                t = self.types[n]
                if t['kind'] == 'enum':
                    q = '::%s::%s' % (ns, n)
                    doc = t['doc'] + ('' if t['open'] else
                                      ' (request-side: the values the API accepts today; another'
                                      ' string is refused before sending, so send a newer value'
                                      ' through `extra_fields`)')
                    h.append(self.enum_text(n, t['values'], doc, q, indent='', open_=t['open']))
                    self.enums.append((q, t['values']))
            for name, text in self.inline_ns.get(ns, []):
                h.append(text)
            h.append('}  // namespace %s' % ns)
            h.append('')
        # 2. unions and aliases, in dependency order
        ua = self.topo_aliases(unions + aliases, union_cpp, alias_cpp)
        for n in ua:
            t = self.types[n]
            ns = self.ns(t)
            h.append('namespace %s {' % ns)
            if t['kind'] == 'union':
                h.append('/// %s RawJson holds a member the SDK does not know, whole.' % doc_line(t['doc']))
                h.append(simplify('using %s = %s;' % (n, union_cpp[n]), ns))
            else:
                d = doc_line(t.get('doc')) or 'Another name of `%s`.' % alias_cpp[n]
                if t.get('deprecated'):
                    d += ' (Deprecated name.)'
                h.append('/// %s' % d)
                h.append(simplify('using %s = %s;' % (n, alias_cpp[n]), ns))
            h.append('}  // namespace %s' % ns)
        h.append('')
        # 3. structs
        for n in order:
            t = self.types[n]
            ns = self.ns(t)
            h.append('namespace %s {' % ns)
            h.append('')
            h.append('/// %s' % doc_line(t['doc']))
            h.append('struct %s {' % self.cname(n))
            body_start = len(h)
            for (name, text, q, vals) in self.nested.get(n, []):
                h.append(text.rstrip('\n'))
            for d in self.types.values():
                if d['name'].startswith(n + '.') and d['name'] in self.selected:
                    h.append('  /// %s' % (doc_line(d.get('doc')) or 'Nested type.'))
                    h.append('  using %s = %s;' % (d['name'][len(n) + 1:], self.qual(d['name'])))
            for f, cpp, mode in fields[n]:
                fdoc = doc_line(f.get('doc'))
                if mode == 'const':
                    continue
                member = ident(f['wire_name'])
                if mode == 'const_opt':
                    h.append('  /// Whether `%s` (always %s) is sent; kept from decode.' %
                             (f['wire_name'], json.dumps(f['type']['value'])))
                    h.append('  bool %s_present = false;' % member)
                    continue
                notes = []
                if f.get('versions'):
                    notes.append('API %s only' % ', '.join(f['versions']))
                if f.get('deprecated'):
                    notes.append('deprecated')
                if mode == 'optional':
                    notes.append('omitted when empty')
                elif mode == 'nullable':
                    notes.append('`null` when empty')
                if f.get('has_default') or 'default' in f:
                    notes.append('API default %s' % json.dumps(f.get('default')))
                if not fdoc:
                    # No doc in the schema: say what the generator knows.
                    fdoc = 'The `%s` member%s.' % (f['wire_name'], ' (required)' if mode == 'plain' else '')
                line = fdoc
                if notes:
                    line = (line + ' ' if line else '') + '(' + '; '.join(notes) + ')'
                if line:
                    h.append('  /// %s' % line)
                init = ''
                if mode == 'plain' and (n, f['wire_name']) in self.multi_tag:
                    init = '{%s}' % c_string(f['type']['values'][0])  # a tag: its first spelling
                elif mode == 'plain' and cpp in ('std::int64_t', 'double'):
                    init = ' = 0'
                elif mode == 'plain' and cpp == 'bool':
                    init = ' = false'
                h.append('  %s %s%s;' % (cpp, member, init or '{}'))
            h.append('  /// Members the SDK does not model (and optional members sent as `null`), as a')
            h.append('  /// JSON object: kept verbatim on decode; on encode added, replacing a modelled')
            h.append('  /// member of the same name.')
            h.append('  std::optional<::anthropic::RawJson> extra_fields{};')
            for line in EXTRA_MEMBERS.get(n, []):
                h.append('  ' + line)
            nested_names = {x[0] for x in self.nested.get(n, [])}
            nested_names |= {d[len(n) + 1:] for d in self.types if d.startswith(n + '.')}
            body = '\n'.join(h[body_start:])
            body = body.replace('%s::' % self.qual(n), '')
            body = simplify(body, ns, nested_names)
            del h[body_start:]
            h.append(body)
            h.append('};')
            h.append('')
            h.append('}  // namespace %s' % ns)
            h.append('')
        # 4. enum constants
        h.append('// Named values of the enums.')
        for q, consts in self.enum_consts:
            for i, v in consts:
                h.append('inline const %s %s::%s{%s};' % (q[2:], q[2:], i, c_string(v)))
        h.append('')
        # 5. to_json / from_json
        all_enums = [q for q, _ in self.enum_consts]
        h.append('namespace anthropic {')
        h.append('')
        h.append('// Encoders of every generated model type (compact JSON; see anthropic/json.hpp).')
        h.append('///@{')
        h.append('/// The value as compact JSON in the wire\'s shape: `extra_fields` merged, optional')
        h.append('/// members left empty omitted, a union member kept as RawJson written back whole.')
        h.append('/// Throws `AnthropicInvalidRequestException` for a value JSON cannot carry: an')
        h.append('/// `extra_fields` or a RawJson union member that is not an object, a non-finite number.')
        for n in order:
            h.append('ANTHROPIC_EXPORT std::string to_json(const %s& value);' % self.qual(n))
        for v in sorted(self.variants):
            h.append('ANTHROPIC_EXPORT std::string to_json(const %s& value);' % v)
        for q in all_enums:
            h.append('ANTHROPIC_EXPORT std::string to_json(const %s& value);' % q)
        h.append('///@}')
        h.append('')
        h.append('// Decoders behind anthropic::from_json<T> (found by argument-dependent lookup).')
        h.append('///@{')
        h.append(DECODER_DOC)
        for v in sorted(self.variants):
            h.append('ANTHROPIC_EXPORT void anthropic_from_json(std::string_view text, %s& value);' % v)
        for q in all_enums:
            h.append('ANTHROPIC_EXPORT void anthropic_from_json(std::string_view text, %s& value);' % q)
        h.append('///@}')
        h.append('')
        h.append('}  // namespace anthropic')
        h.append('')
        for ns in ns_list:
            objs = [n for n in order if self.ns(self.types[n]) == ns]
            if not objs:
                continue
            h.append('namespace %s {' % ns)
            h.append('///@{')
            h.append(DECODER_DOC)
            for n in objs:
                h.append('ANTHROPIC_EXPORT void anthropic_from_json(std::string_view text, %s& value);' %
                         self.cname(n))
            h.append('///@}')
            h.append('}  // namespace %s' % ns)
            h.append('')
        files = {header_path: '\n'.join(h).rstrip('\n') + '\n'}
        files.update(self.emit_codecs(fam, header_include, codec_base, order, fields))
        return files

    def deps_of_expr(self, e, out):
        """Types that must be complete for a member of this expression held by value."""
        k = e['kind']
        if k == 'ref':
            t = self.types[e['name']]
            if t['kind'] == 'object':
                out.add(e['name'])
            elif t['kind'] == 'union':
                for m in t['members']:
                    self.deps_of_expr(m['type'], out)
            elif t['kind'] == 'alias':
                self.deps_of_expr(t['target'], out)
        elif k == 'union':
            for m in e['members']:
                self.deps_of_expr(m, out)

    def topo(self, objects, fields, union_cpp, alias_cpp):
        deps = {}
        for n in objects:
            d = set()
            for f, cpp, mode in fields[n]:
                if mode in ('plain',) or (mode in ('optional', 'nullable') and
                                          not self.is_boxed(f['type'])):
                    self.deps_of_expr(f['type'], d)
            d.discard(n)
            deps[n] = sorted(x for x in d if x in self.selected and
                             self.types[x]['family'] == self.types[n]['family'])
        out, state = [], {}

        def visit(n, stack):
            if state.get(n) == 2:
                return
            if state.get(n) == 1:
                raise SystemExit('generate.py: cycle of by-value members: %s' % ' -> '.join(stack + [n]))
            state[n] = 1
            for d in deps[n]:
                visit(d, stack + [n])
            state[n] = 2
            out.append(n)
        for n in objects:
            visit(n, [])
        return out

    def topo_aliases(self, names, union_cpp, alias_cpp):
        sel = set(names)
        deps = {}
        for n in names:
            refs = set(self._refs(self.types[n]))
            deps[n] = sorted(r for r in refs if r in sel)
        out, state = [], {}

        def visit(n):
            if state.get(n):
                return
            state[n] = 1
            for d in deps[n]:
                visit(d)
            out.append(n)
        for n in names:
            visit(n)
        return out

    # ----- codecs

    def emit_codecs(self, fam, header_include, base, order, fields):
        files = {}
        decl = []
        decl.append('// Generated by codegen/generate.py. Do not edit.')
        decl.append('#pragma once')
        decl.append('')
        decl.append('#include "json/model_codec.hpp"')
        if fam == 'beta':
            if any(self.types[n]['family'] == 'ga' for n in self.selected):
                decl.append('#include "generated/ga_codecs.gen.hpp"')
        decl.append('')
        decl.append('#include <%s>' % header_include)
        decl.append('')
        decl.append('namespace anthropic::internal::json::model {')
        decl.append('')
        for n in order:
            q = self.qual(n)
            decl.append('template <>')
            decl.append('struct Codec<%s> {' % q)
            decl.append('  static void write(Writer& w, const %s& v);' % q)
            decl.append('  static void read(Decoder& d, %s& v, const Path& self);' % q)
            decl.append('};')
        # A union's encoder is the std::variant template of model_codec_templates.hpp.
        for v in sorted(self.variants):
            decl.append('template <>')
            decl.append('struct Codec<%s> {' % v)
            decl.append('  static void read(Decoder& d, %s& v, const Path& self);' % v)
            decl.append('};')
        for q, _ in self.enum_consts:
            decl.append('template <>')
            decl.append('struct Codec<%s> {' % q)
            if q in self.closed_enums:
                # A request-side enum the API checks: only the values it accepts today pass.
                what = c_string(q[len('::anthropic::'):] if q.startswith('::anthropic::') else q)
                decl.append('  static void write(Writer& w, const %s& v) {' % q)
                decl.append('    check_request_enum(v, %s);' % what)
                decl.append('    w.str(v.str());')
                decl.append('  }')
                decl.append('  static void read(Decoder& d, %s& v, const Path& self) {' % q)
                decl.append('    std::string s;')
                decl.append('    read_value(d, s, self);')
                decl.append('    v = %s(std::move(s));' % q)
                decl.append('    if (!d.any_enum_value && !v.is_known()) {')
                decl.append('      d.not_accepted(self, v.str(), %s::known_values());' % q)
                decl.append('    }')
                decl.append('  }')
            else:
                decl.append('  static void write(Writer& w, const %s& v) { w.str(v.str()); }' % q)
                decl.append('  static void read(Decoder& d, %s& v, const Path& self) {' % q)
                decl.append('    std::string s;')
                decl.append('    read_value(d, s, self);')
                decl.append('    v = %s(std::move(s));' % q)
                decl.append('  }')
            decl.append('};')
        decl.append('')
        decl.append('}  // namespace anthropic::internal::json::model')
        decl.append('')
        decl.append('#include "json/model_codec_templates.hpp"')
        files[base + '.gen.hpp'] = '\n'.join(decl) + '\n'

        parts = 4 if len(order) > 60 else 1
        chunks = [order[i::parts] for i in range(parts)]
        chunks = [sorted(c, key=lambda n: order.index(n)) for c in chunks]
        variants = sorted(self.variants)
        for i, chunk in enumerate(chunks):
            c = []
            c.append('// Generated by codegen/generate.py. Do not edit.')
            c.append('#include "%s"' % (base[len('src/'):] + '.gen.hpp'))
            c.append('')
            c.append('namespace anthropic::internal::json::model {')
            c.append('')
            for n in chunk:
                c.extend(self.object_codec(n, fields[n]))
            if i == 0:
                for v in variants:
                    c.extend(self.variant_codec(v, self.variants[v]))
            c.append('}  // namespace anthropic::internal::json::model')
            c.append('')
            c.append('namespace anthropic {')
            c.append('')
            for n in chunk:
                c.extend(self.public_codec(n, self.qual(n), self.ns(self.types[n]), self.cname(n),
                                           n.replace('.', '::')))
            if i == 0:
                for v in variants:
                    c.extend(self.public_codec(None, v, None, None, 'union'))
                for q, _ in self.enum_consts:
                    c.extend(self.public_codec(None, q, None, None, q.split('::')[-1]))
            c.append('}  // namespace anthropic')
            files['%s_%d.gen.cpp' % (base, i + 1)] = '\n'.join(c) + '\n'
        return files

    def public_codec(self, n, q, ns, cname, doc_name):
        out = []
        out.append('std::string to_json(const %s& value) { return internal::json::model::encode_document(value); }' % q)
        if n is not None and ns != 'anthropic':
            out.append('namespace %s {' % ns[len('anthropic::'):])
            out.append('void anthropic_from_json(std::string_view text, %s& value) {' % cname)
            out.append('  internal::json::model::decode_document(text, %s, value);' % c_string(doc_name))
            out.append('}')
            out.append('}  // namespace %s' % ns[len('anthropic::'):])
        else:
            out.append('void anthropic_from_json(std::string_view text, %s& value) {' % q)
            out.append('  internal::json::model::decode_document(text, %s, value);' % c_string(doc_name))
            out.append('}')
        out.append('')
        return out

    def object_codec(self, n, fields):
        q = self.qual(n)
        o = []
        # encoder
        # The members are written by one template, instantiated twice: with `ObjectOut` when
        # the value carries extra_fields (merged in place), and with the branch-light
        # `PlainObjectOut` otherwise (the common case, and the one the create path is timed on).
        o.append('void Codec<%s>::write(Writer& w, const %s& v) {' % (q, q))
        o.append('  const auto write_members = [&]([[maybe_unused]] auto& o) {')
        members_start = len(o)
        first = ENCODE_FIRST.get(n, [])

        def rank(item):
            wn = item[0]['wire_name']
            if wn == 'type':
                return (0, 0)
            if wn in first:
                return (1, first.index(wn))
            return (2, 0)
        for f, cpp, mode in sorted(fields, key=rank):
            wn = f['wire_name']
            m = ident(wn)
            key = c_string(',"%s":' % wn)
            if mode == 'const':
                o.append('  if (o.key(%s)) w.lit(%s);' % (key, c_string(json.dumps(f['type']['value']))))
            elif mode == 'const_opt':
                o.append('  if (o.key(%s, v.%s_present)) w.lit(%s);' %
                         (key, m, c_string(json.dumps(f['type']['value']))))
            elif mode == 'plain':
                o.append('  if (o.key(%s)) write_value(w, v.%s);' % (key, m))
            elif mode == 'nullable':
                o.append('  if (o.key(%s)) {' % key)
                o.append('    if (v.%s) {' % m)
                o.append('      write_value(w, *v.%s);' % m)
                o.append('    } else {')
                o.append('      w.lit("null");')
                o.append('    }')
                o.append('  }')
            else:
                o.append('  if (o.key(%s, v.%s.has_value())) write_value(w, *v.%s);' % (key, m, m))
        o[members_start:] = ['  ' + line for line in o[members_start:]]
        o.append('  };')
        o.append('  if (v.extra_fields) {')
        o.append('    ObjectOut o(w, v.extra_fields);')
        o.append('    write_members(o);')
        o.append('    o.finish();')
        o.append('  } else {')
        o.append('    PlainObjectOut o(w);')
        o.append('    write_members(o);')
        o.append('    o.finish();')
        o.append('  }')
        o.append('}')
        o.append('')
        # decoder
        required = [f for f, cpp, mode in fields if mode == 'plain']
        o.append('void Codec<%s>::read(Decoder& d, %s& v, const Path& self) {' % (q, q))
        o.append('  d.begin_object(self);')
        o.append('  ExtraSink extra;')
        if required:
            o.append('  std::uint64_t seen = 0;')
        o.append('  bool first = true;')
        o.append('  std::string_view k;')
        o.append('  while (d.r.next_key(first, k)) {')
        if fields:
            # Find the member by length first: one switch, then at most a few fixed-size compares.
            by_len = {}
            for i, (f, cpp, mode) in enumerate(fields):
                by_len.setdefault(len(f['wire_name'].encode()), []).append((i, f['wire_name']))
            o.append('    int member = -1;')
            o.append('    switch (k.size()) {')
            for length in sorted(by_len):
                chain = ' : '.join('key_is(k, %s) ? %d' % (c_string(wn), i) for i, wn in by_len[length])
                o.append('      case %d: member = %s : -1; break;' % (length, chain))
            o.append('      default: break;')
            o.append('    }')
            o.append('    switch (member) {')
        bit = {}
        for index, (f, cpp, mode) in enumerate(fields):
            wn = f['wire_name']
            m = ident(wn)
            key = c_string(wn)
            path = 'Path{&self, %s}' % key
            o.append('    case %d: {' % index)
            if mode == 'const':
                o.append('      d.check_const(%s, %s);' % (path, 'true' if f['type']['value'] is True else
                                                          'false' if f['type']['value'] is False else
                                                          c_string(f['type']['value'])))
            elif mode == 'const_opt':
                o.append('      if (d.peek_null()) {')
                o.append('        extra.add_null(d, k);')
                o.append('      } else {')
                o.append('        d.check_const(%s, %s);' % (path, 'true' if f['type']['value'] is True else
                                                            'false' if f['type']['value'] is False else
                                                            c_string(f['type']['value'])))
                o.append('        v.%s_present = true;' % m)
                o.append('      }')
            elif mode == 'plain':
                b = len(bit)
                bit[wn] = b
                o.append('      read_value(d, v.%s, %s);' % (m, path))
                o.append('      seen |= std::uint64_t{1} << %d;' % b)
            elif mode == 'nullable':
                o.append('      if (d.peek_null()) {')
                o.append('        d.r.read_null();')
                o.append('        v.%s.reset();' % m)
                o.append('      } else {')
                o.append('        read_value(d, v.%s.emplace(), %s);' % (m, path))
                o.append('      }')
            else:
                o.append('      if (d.peek_null()) {')
                o.append('        extra.add_null(d, k);')
                o.append('      } else {')
                o.append('        read_value(d, v.%s.emplace(), %s);' % (m, path))
                o.append('      }')
            o.append('      break;')
            o.append('    }')
        if fields:
            o.append('    default:')
            o.append('      extra.add(d, k);')
            o.append('    }')
        else:
            o.append('    extra.add(d, k);')
        o.append('  }')
        o.append('  extra.finish(v.extra_fields);')
        if len(bit) > 64:
            raise SystemExit('generate.py: more than 64 required fields in %s' % n)
        for wn, b in bit.items():
            o.append('  if (!(seen & (std::uint64_t{1} << %d))) d.missing(self, %s);' % (b, c_string(wn)))
        o.append('}')
        o.append('')
        return o

    def json_kind(self, e):
        k = e['kind']
        if k == 'scalar':
            return {'string': 'string', 'datetime': 'string', 'boolean': 'boolean',
                    'integer': 'number', 'number': 'number', 'json': None}[e['name']]
        if k == 'const':
            return 'boolean' if isinstance(e['value'], bool) else 'string'
        if k == 'enum':
            return 'string'
        if k == 'list':
            return 'array'
        if k in ('map', 'union'):
            return 'object'
        if k == 'ref':
            t = self.types[e['name']]
            if t['kind'] == 'enum':
                return 'string'
            if t['kind'] == 'alias':
                return self.json_kind(t['target'])
            if t['kind'] == 'union' and not t.get('discriminator'):
                return None
            return 'object'
        return None

    def tag_values(self, e, vals):
        if vals:
            return vals
        # An inline discriminated union: the member object's const tag.
        if e['kind'] == 'ref':
            t = self.types[e['name']]
            if t['kind'] == 'object':
                for f in t['fields']:
                    if f['wire_name'] == self._disc:
                        if f['type']['kind'] == 'const':
                            return [f['type']['value']]
                        if f['type']['kind'] == 'enum':
                            return list(f['type']['values'])
            if t['kind'] == 'union':
                out = []
                for m in t['members']:
                    out += self.tag_values(m['type'], m.get('values'))
                return out
        return []

    def variant_codec(self, cpp, spec):
        o = []
        o.append('void Codec<%s>::read(Decoder& d, %s& v, const Path& self) {' % (cpp, cpp))
        members = spec['members']
        raw_index = len(members)
        if spec['discriminator']:
            self._disc = spec['discriminator']
            o.append('  std::string& tag = d.tag;  // compared before any nested read reuses it')
            o.append('  const Decoder::Tag found = d.peek_tag(self, %s, tag);' % c_string(spec['discriminator']))
            o.append('  if (found == Decoder::Tag::found) {')
            for i, (c, m, vals) in enumerate(members):
                tags = self.tag_values(m, vals)
                if not tags:
                    continue
                cond = ' || '.join('equals(tag, %s)' % c_string(t) for t in tags)
                o.append('    if (%s) {' % cond)
                o.append('      read_value(d, v.emplace<%d>(), self);' % i)
                o.append('      return;')
                o.append('    }')
            if spec['when_absent']:
                idx = [c for c, _, _ in members].index(spec['when_absent'])
                o.append('  } else if (found == Decoder::Tag::absent) {')
                o.append('    read_value(d, v.emplace<%d>(), self);' % idx)
                o.append('    return;')
            o.append('  }')
        else:
            o.append('  switch (d.r.peek()) {')
            done = set()
            for i, (c, m, vals) in enumerate(members):
                k = self.json_kind(m)
                if k is None or k in done:
                    continue
                done.add(k)
                o.append('    case Reader::Kind::%s:' % k)
                o.append('      read_value(d, v.emplace<%d>(), self);' % i)
                o.append('      return;')
            o.append('    default:')
            o.append('      break;')
            o.append('  }')
        o.append('  read_value(d, v.emplace<%d>(), self);' % raw_index)
        o.append('}')
        o.append('')
        return o


def generate(model, families=('ga', 'beta')):
    return Gen(model, set(families)).run()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default=ROOT, help='output root (default: the repository)')
    ap.add_argument('--schema', nargs='*', help='schema files (default: codegen/schema/*.schema)')
    ap.add_argument('--family', action='append',
                    help='family to generate (default: ga and beta)')
    ap.add_argument('--check', action='store_true', help='exit 1 when a file under --out differs')
    args = ap.parse_args(argv)
    m, errors = schema.load(args.schema or None)
    if errors:
        for e in errors:
            print(e, file=sys.stderr)
        return 1
    model = json.loads(json.dumps(schema._jsonable(m)))
    files = generate(model, args.family or ['ga', 'beta'])
    bad = 0
    for rel, text in sorted(files.items()):
        path = os.path.join(args.out, rel)
        if args.check:
            try:
                with open(path, encoding='utf-8') as fh:
                    same = fh.read() == text
            except OSError:
                same = False
            if not same:
                print('generate.py: %s is out of date (run the anthropic_generate target)' % rel,
                      file=sys.stderr)
                bad = 1
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        old = None
        if os.path.exists(path):
            with open(path, encoding='utf-8') as fh:
                old = fh.read()
        if old != text:
            with open(path, 'w', encoding='utf-8') as fh:
                fh.write(text)
    return bad


if __name__ == '__main__':
    sys.exit(main())
