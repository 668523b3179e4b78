#!/usr/bin/env python3
"""Parser and validator of the model schema (codegen/schema/*.schema); format in codegen/README.md.

    python3 codegen/schema.py --check          # exit 0 if the schema is well-formed, 1 with FILE:LINE errors
    python3 codegen/schema.py --dump-json      # the whole model as JSON (the generator's input)
    python3 codegen/schema.py --check FILE...  # other files instead of codegen/schema/*.schema

Standard library only. `load(paths)` returns (Model, errors) for use from Python.
"""

from __future__ import annotations

import argparse
import dataclasses
import glob
import json
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'schema')

SCALARS = ('string', 'integer', 'number', 'boolean', 'datetime', 'json')
FAMILIES = ('ga', 'beta')
TYPE_NAME = re.compile(r'^[A-Z][A-Za-z0-9_]*(\.[A-Z][A-Za-z0-9_]*)*$')
WIRE_NAME = re.compile(r'^[A-Za-z_$][A-Za-z0-9_$-]*$')
VERSION = re.compile(r'^\d{4}-\d{2}-\d{2}$')
# Flags and how many arguments each takes.
TYPE_FLAGS = {'only': 1, 'deprecated': 0, 'ts': 1, 'root': 1}
FIELD_FLAGS = {'only': 1, 'deprecated': 0, 'header': 1, 'path': 0, 'query': 0}
MEMBER_FLAGS = {'when_absent': 0, 'only': 1, 'deprecated': 0}
VALUE_FLAGS = {'only': 1, 'deprecated': 0}


# ---------------------------------------------------------------------------------------------
# Model

@dataclass
class TypeExpr:
    """A type as written on a field, alias or union member.

    kind: scalar (name: string|integer|number|boolean|json), ref (name), list (item), map (item:
    values of a JSON object keyed by string), const (value: the only JSON value allowed), enum
    (values: an inline set of strings), union (members: an inline undiscriminated choice).
    nullable: JSON null is also allowed (only on the outermost expression).
    """
    kind: str
    name: Optional[str] = None
    item: Optional['TypeExpr'] = None
    value: object = None
    values: Optional[List[str]] = None
    members: Optional[List['TypeExpr']] = None
    nullable: bool = False
    open: Optional[bool] = None    # inline enum: computed, open unless only requests use it
    discriminator: Optional[str] = None  # inline union of tagged objects: computed (`type`)

    def text(self) -> str:
        if self.kind in ('scalar', 'ref'):
            s = self.name
        elif self.kind == 'list':
            s = 'list<%s>' % self.item.text()
        elif self.kind == 'map':
            s = 'map<%s>' % self.item.text()
        elif self.kind == 'const':
            s = 'const %s' % json.dumps(self.value)
        elif self.kind == 'enum':
            s = ' | '.join(json.dumps(v) for v in self.values)
        else:
            s = ' | '.join(m.text() for m in self.members)
        return s + (' | null' if self.nullable else '')


@dataclass
class Field:
    name: str                      # wire name
    type: TypeExpr
    optional: bool                 # the key may be absent
    nullable: bool                 # the value may be null
    file: str
    line: int
    doc: str = ''
    default: object = None         # JSON value the server assumes when the key is absent
    has_default: bool = False
    versions: List[str] = field(default_factory=list)   # empty: every API version
    deprecated: bool = False
    location: str = 'body'         # body | header | path | query
    header: Optional[str] = None   # HTTP header name when location == header


@dataclass
class UnionMember:
    type: TypeExpr
    file: str
    line: int
    values: List[str] = field(default_factory=list)     # discriminator values selecting it
    nested: bool = False           # `*`: a union with the same discriminator, values from its members
    when_absent: bool = False      # also chosen when the discriminator is absent or null
    doc: str = ''
    versions: List[str] = field(default_factory=list)
    deprecated: bool = False


@dataclass
class EnumValue:
    value: str
    file: str
    line: int
    doc: str = ''
    versions: List[str] = field(default_factory=list)
    deprecated: bool = False


@dataclass
class TypeDef:
    name: str
    kind: str                      # object | union | enum | alias
    family: str                    # ga | beta
    module: str
    file: str
    line: int
    doc: str = ''
    versions: List[str] = field(default_factory=list)
    deprecated: bool = False
    ts: Optional[Dict[str, str]] = None     # {'module': ..., 'name': ...} when the TS name differs
    root: Optional[str] = None     # request | response: where the generator starts
    direction: str = 'none'        # computed: request | response | both | none
    fields: List[Field] = field(default_factory=list)          # object
    discriminator: Optional[str] = None                        # union
    members: List[UnionMember] = field(default_factory=list)   # union
    open: Optional[bool] = None                                # enum
    values: List[EnumValue] = field(default_factory=list)      # enum
    target: Optional[TypeExpr] = None                          # alias


@dataclass
class Exclusion:
    name: str
    reason: str
    file: str
    line: int


@dataclass
class Model:
    versions: List[str] = field(default_factory=list)
    current_version: Optional[str] = None
    types: List[TypeDef] = field(default_factory=list)
    excluded: List[Exclusion] = field(default_factory=list)

    def find(self, name: str, version: Optional[str] = None) -> List[TypeDef]:
        return [t for t in self.types if t.name == name and
                (version is None or not t.versions or version in t.versions)]


class SchemaError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Parsing

_TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_.]*|-?\d+(?:\.\d+)?|[|<>])')


def _tokens(text: str) -> List[str]:
    out, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        m = _TOKEN.match(text, i)
        if not m:
            raise SchemaError('unexpected %r in type %r' % (text[i], text))
        out.append(m.group(1))
        i = m.end()
    return out


def parse_type(text: str) -> TypeExpr:
    toks = _tokens(text)
    pos = [0]

    def peek():
        return toks[pos[0]] if pos[0] < len(toks) else None

    def take(expected=None):
        tok = peek()
        if tok is None or (expected is not None and tok != expected):
            raise SchemaError('expected %s in type %r' % (expected or 'a type', text))
        pos[0] += 1
        return tok

    def alternatives() -> TypeExpr:
        alts = [alt()]
        while peek() == '|':
            take()
            alts.append(alt())
        nullable = any(a == 'null' for a in alts)
        alts = [a for a in alts if a != 'null']
        if sum(1 for a in alts if a == 'null') > 1:
            raise SchemaError('null given twice in %r' % text)
        if not alts:
            raise SchemaError('a type cannot be only null: %r' % text)
        strings = [a for a in alts if isinstance(a, str)]
        if strings:
            if len(strings) != len(alts):
                raise SchemaError('string literals mixed with other types in %r' % text)
            if len(strings) == 1:
                raise SchemaError('a single string literal must be written `const "%s"`: %r' % (strings[0], text))
            if len(set(strings)) != len(strings):
                raise SchemaError('duplicate string literal in %r' % text)
            t = TypeExpr('enum', values=strings)
        elif len(alts) == 1:
            t = alts[0]
        else:
            t = TypeExpr('union', members=alts)
        if nullable:
            if t.nullable:
                raise SchemaError('null given twice in %r' % text)
            t.nullable = True
        return t

    def alt():
        tok = take()
        if tok == 'null':
            return 'null'
        if tok.startswith('"'):
            return json.loads(tok)
        if tok == 'const':
            lit = take()
            if lit.startswith('"'):
                return TypeExpr('const', value=json.loads(lit))
            if lit in ('true', 'false'):
                return TypeExpr('const', value=(lit == 'true'))
            if re.fullmatch(r'-?\d+(\.\d+)?', lit):
                return TypeExpr('const', value=json.loads(lit))
            raise SchemaError('const needs a literal in %r' % text)
        if tok in ('list', 'map') and peek() == '<':
            take('<')
            inner = alternatives()
            take('>')
            return TypeExpr(tok, item=inner)
        if tok in SCALARS:
            return TypeExpr('scalar', name=tok)
        if TYPE_NAME.match(tok):
            return TypeExpr('ref', name=tok)
        raise SchemaError('unknown type %r in %r' % (tok, text))

    t = alternatives()
    if peek() is not None:
        raise SchemaError('unexpected %r after the type in %r' % (peek(), text))
    return t


def _split_doc(text: str) -> Tuple[str, str]:
    """`body -- doc`: the first ` -- ` outside double quotes starts the doc."""
    in_str = False
    i = 0
    while i < len(text):
        c = text[i]
        if c == '\\' and in_str:
            i += 2
            continue
        if c == '"':
            in_str = not in_str
        elif not in_str and text.startswith(' -- ', i):
            return text[:i].rstrip(), text[i + 4:].strip()
        elif not in_str and i == 0 and text.startswith('-- '):
            return '', text[3:].strip()
        i += 1
    return text.rstrip(), ''


def _split_flags(text: str) -> Tuple[str, List[str]]:
    """Split `stuff @flag arg @flag` at the first ` @` outside quotes."""
    in_str = False
    for i, c in enumerate(text):
        if c == '"':
            in_str = not in_str
        elif c == '@' and not in_str and (i == 0 or text[i - 1].isspace()):
            return text[:i].rstrip(), text[i:].split()
    return text.rstrip(), []


def _parse_flags(words: List[str], allowed: Dict[str, int]) -> Dict[str, object]:
    flags: Dict[str, object] = {}
    i = 0
    while i < len(words):
        w = words[i]
        if not w.startswith('@') or len(w) == 1:
            raise SchemaError('expected a @flag, got %r' % w)
        name = w[1:]
        if name not in allowed:
            raise SchemaError('unknown flag @%s here (allowed: %s)' % (
                name, ', '.join('@' + k for k in sorted(allowed)) or 'none'))
        if name in flags:
            raise SchemaError('flag @%s given twice' % name)
        n = allowed[name]
        args = words[i + 1:i + 1 + n]
        if len(args) != n or any(a.startswith('@') for a in args):
            raise SchemaError('flag @%s takes %d argument(s)' % (name, n))
        flags[name] = args[0] if n == 1 else True
        i += 1 + n
    return flags


def _versions(flag) -> List[str]:
    return [v for v in str(flag).split(',') if v] if flag else []


class _Parser:
    def __init__(self, model: Model, errors: List[str]):
        self.model = model
        self.errors = errors

    def error(self, path, line, msg):
        self.errors.append('%s:%d: %s' % (path, line, msg))

    def parse_file(self, path: str, text: str):
        family: Optional[str] = None
        module = os.path.splitext(os.path.basename(path))[0]
        current: Optional[TypeDef] = None
        for lineno, raw in enumerate(text.splitlines(), 1):
            if '\t' in raw:
                self.error(path, lineno, 'tab character; indent with spaces')
                continue
            stripped = raw.strip()
            if not stripped or stripped.startswith('#'):
                continue
            try:
                if raw[0] == ' ':
                    if current is None:
                        raise SchemaError('indented line outside a type')
                    self.parse_member(current, path, lineno, stripped)
                    continue
                current = None
                body, doc = _split_doc(stripped)
                words = body.split()
                head = words[0]
                if head == '@family':
                    if len(words) != 2 or words[1] not in FAMILIES:
                        raise SchemaError('@family takes one of: %s' % ', '.join(FAMILIES))
                    family = words[1]
                elif head == '@module':
                    if len(words) != 2:
                        raise SchemaError('@module takes one name')
                    module = words[1]
                elif head == '@versions':
                    if len(words) < 2 or not all(VERSION.match(v) for v in words[1:]):
                        raise SchemaError('@versions takes API versions (YYYY-MM-DD)')
                    if self.model.versions:
                        raise SchemaError('@versions given twice')
                    self.model.versions = words[1:]
                elif head == '@current':
                    if len(words) != 2 or not VERSION.match(words[1]):
                        raise SchemaError('@current takes one API version')
                    if self.model.current_version:
                        raise SchemaError('@current given twice')
                    self.model.current_version = words[1]
                elif head == 'exclude':
                    if len(words) != 2:
                        raise SchemaError('exclude takes one name or NAME* pattern')
                    if not doc:
                        raise SchemaError('exclude needs a reason after --')
                    self.model.excluded.append(Exclusion(words[1], doc, path, lineno))
                elif head in ('object', 'union', 'enum', 'alias'):
                    if family is None:
                        raise SchemaError('type before @family')
                    current = self.parse_header(head, body, doc, family, module, path, lineno)
                    self.model.types.append(current)
                else:
                    raise SchemaError('unknown line; expected object, union, enum, alias, exclude or @directive')
            except SchemaError as e:
                self.error(path, lineno, str(e))

    def parse_header(self, kind, body, doc, family, module, path, lineno) -> TypeDef:
        main, flag_words = _split_flags(body)
        flags = _parse_flags(flag_words, TYPE_FLAGS)
        words = main.split()
        if len(words) < 2:
            raise SchemaError('%s needs a name' % kind)
        name = words[1]
        if not TYPE_NAME.match(name):
            raise SchemaError('bad type name %r' % name)
        t = TypeDef(name=name, kind=kind, family=family, module=module, file=path, line=lineno, doc=doc,
                    versions=_versions(flags.get('only')), deprecated=bool(flags.get('deprecated')))
        if 'ts' in flags:
            mod, _, tsname = str(flags['ts']).partition(':')
            if not mod or not tsname:
                raise SchemaError('@ts takes MODULE:Name')
            t.ts = {'module': mod, 'name': tsname}
        if 'root' in flags:
            if flags['root'] not in ('request', 'response'):
                raise SchemaError('@root takes request or response')
            t.root = str(flags['root'])
        rest = words[2:]
        if kind == 'object':
            if rest:
                raise SchemaError('unexpected %r after the object name' % ' '.join(rest))
        elif kind == 'union':
            if rest:
                if len(rest) != 2 or rest[0] != 'by' or not WIRE_NAME.match(rest[1]):
                    raise SchemaError('expected `union NAME [by MEMBER]`')
                t.discriminator = rest[1]
        elif kind == 'enum':
            if len(rest) != 1 or rest[0] not in ('open', 'closed'):
                raise SchemaError('expected `enum NAME open|closed`')
            t.open = rest[0] == 'open'
        else:
            if len(rest) < 2 or rest[0] != '=':
                raise SchemaError('expected `alias NAME = TYPE`')
            t.target = parse_type(' '.join(rest[1:]))
        return t

    def parse_member(self, t: TypeDef, path, lineno, text):
        body, doc = _split_doc(text)
        if t.kind == 'alias':
            raise SchemaError('an alias has no members')
        if t.kind == 'object':
            main, flag_words = _split_flags(body)
            flags = _parse_flags(flag_words, FIELD_FLAGS)
            parts = main.split(None, 1)
            if len(parts) < 2:
                raise SchemaError('expected `NAME[?] TYPE`')
            name, rest = parts
            optional = name.endswith('?')
            name = name.rstrip('?')
            if not WIRE_NAME.match(name):
                raise SchemaError('bad field name %r' % name)
            default, has_default = None, False
            m = re.search(r'\s=\s', rest)
            if m:
                rest, dtext = rest[:m.start()], rest[m.end():].strip()
                try:
                    default = json.loads(dtext)
                except ValueError:
                    raise SchemaError('default %r is not a JSON literal' % dtext)
                has_default = True
            ty = parse_type(rest)
            f = Field(name=name, type=ty, optional=optional, nullable=ty.nullable, file=path, line=lineno,
                      doc=doc, default=default, has_default=has_default,
                      versions=_versions(flags.get('only')), deprecated=bool(flags.get('deprecated')))
            locs = [k for k in ('header', 'path', 'query') if k in flags]
            if len(locs) > 1:
                raise SchemaError('a field has one location; got %s' % ', '.join('@' + k for k in locs))
            if locs:
                f.location = locs[0]
                if locs[0] == 'header':
                    f.header = str(flags['header'])
            t.fields.append(f)
        elif t.kind == 'union':
            main, flag_words = _split_flags(body)
            flags = _parse_flags(flag_words, MEMBER_FLAGS)
            um = UnionMember(type=None, file=path, line=lineno, doc=doc,
                             versions=_versions(flags.get('only')), deprecated=bool(flags.get('deprecated')),
                             when_absent=bool(flags.get('when_absent')))
            if t.discriminator:
                if main.startswith('*'):
                    um.nested = True
                    tytext = main[1:].strip()
                else:
                    m = re.match(r'^((?:"(?:[^"\\]|\\.)*"\s*\|\s*)*"(?:[^"\\]|\\.)*")\s+(\S.*)$', main)
                    if not m:
                        raise SchemaError('expected `"VALUE" Type` (or `* UnionType`) in a union by %s' % t.discriminator)
                    um.values = [json.loads(v.strip()) for v in re.findall(r'"(?:[^"\\]|\\.)*"', m.group(1))]
                    tytext = m.group(2)
                um.type = parse_type(tytext)
            else:
                if um.when_absent:
                    raise SchemaError('@when_absent needs a discriminated union')
                um.type = parse_type(main)
            t.members.append(um)
        else:
            main, flag_words = _split_flags(body)
            flags = _parse_flags(flag_words, VALUE_FLAGS)
            value = main.strip()
            if value.startswith('"'):
                value = json.loads(value)
            elif not value or ' ' in value:
                raise SchemaError('enum value must be one word or a "quoted string"')
            t.values.append(EnumValue(value=value, file=path, line=lineno, doc=doc,
                                      versions=_versions(flags.get('only')),
                                      deprecated=bool(flags.get('deprecated'))))


# ---------------------------------------------------------------------------------------------
# Validation

def _walk(t: TypeExpr):
    yield t
    if t.item is not None:
        yield from _walk(t.item)
    for m in t.members or []:
        yield from _walk(m)


def _type_exprs(t: TypeDef):
    if t.kind == 'object':
        for f in t.fields:
            yield f.type, f.file, f.line
    elif t.kind == 'union':
        for m in t.members:
            yield m.type, m.file, m.line
    elif t.kind == 'alias':
        yield t.target, t.file, t.line


def _disjoint(a: List[str], b: List[str]) -> bool:
    return bool(a) and bool(b) and not set(a) & set(b)


def validate(model: Model, errors: List[str]):
    def err(path, line, msg):
        errors.append('%s:%d: %s' % (path, line, msg))

    # Versions.
    if not model.versions:
        errors.append('%s: no `@versions` directive in any schema file' % SCHEMA_DIR)
    if model.current_version and model.current_version not in model.versions:
        errors.append('@current %s is not among @versions' % model.current_version)

    def check_versions(vs, path, line):
        for v in vs:
            if not VERSION.match(v) or v not in model.versions:
                err(path, line, 'unknown API version %r in @only (declared: %s)' % (v, ' '.join(model.versions)))

    # Names: unique, unless the definitions exist under disjoint API versions.
    by_name: Dict[str, List[TypeDef]] = {}
    for t in model.types:
        for other in by_name.get(t.name, []):
            if not _disjoint(t.versions, other.versions):
                err(t.file, t.line, 'duplicate type %s (first at %s:%d)' % (t.name, other.file, other.line))
        by_name.setdefault(t.name, []).append(t)
        check_versions(t.versions, t.file, t.line)
        if not t.doc:
            err(t.file, t.line, '%s has no doc (`-- one line`)' % t.name)
        if '.' in t.name and t.name.split('.')[0] not in {x.name for x in model.types}:
            pass  # checked below once every type is known

    names = set(by_name)
    for t in model.types:
        if '.' in t.name and t.name.rsplit('.', 1)[0] not in names:
            err(t.file, t.line, 'nested type %s has no enclosing type %s' % (t.name, t.name.rsplit('.', 1)[0]))

    def resolve(name: str) -> Optional[TypeDef]:
        defs = by_name.get(name)
        if not defs:
            return None
        cur = [d for d in defs if not d.versions or model.current_version in d.versions]
        return (cur or defs)[0]

    # References, and the GA family never depending on beta types.
    for t in model.types:
        for expr, path, line in _type_exprs(t):
            for e in _walk(expr):
                if e.kind == 'ref':
                    target = resolve(e.name)
                    if target is None:
                        err(path, line, 'unknown type %s' % e.name)
                    elif t.family == 'ga' and target.family == 'beta':
                        err(path, line, 'GA type %s refers to beta type %s' % (t.name, e.name))
                if e.kind == 'map' and e.item is None:
                    err(path, line, 'map needs a value type')

    for t in model.types:
        if t.kind == 'object':
            seen: Dict[str, Field] = {}
            for f in t.fields:
                prev = seen.get(f.name)
                if prev and not _disjoint(prev.versions, f.versions):
                    err(f.file, f.line, 'duplicate field %s.%s (first at line %d)' % (t.name, f.name, prev.line))
                seen.setdefault(f.name, f)
                check_versions(f.versions, f.file, f.line)
                if f.versions and not f.optional:
                    err(f.file, f.line, '%s.%s exists only under %s, so it must be optional (`%s?`)' % (
                        t.name, f.name, ','.join(f.versions), f.name))
                if f.location == 'header' and not f.header:
                    err(f.file, f.line, '@header needs the HTTP header name')
                if f.location in ('header', 'query') and not f.optional:
                    err(f.file, f.line, '%s parameter %s must be optional' % (f.location, f.name))
                if f.has_default:
                    if not f.optional:
                        err(f.file, f.line, 'default on required field %s.%s' % (t.name, f.name))
                    _check_default(f, resolve, lambda m, f=f: err(f.file, f.line, m))
            if not t.fields and t.kind == 'object':
                pass  # empty objects are legal ({"type": ...} free shapes are rare but exist)
        elif t.kind == 'enum':
            if not t.values:
                err(t.file, t.line, 'enum %s has no values' % t.name)
            seen_v = {}
            for v in t.values:
                if v.value in seen_v:
                    err(v.file, v.line, 'duplicate enum value %r in %s (first at line %d)' % (v.value, t.name, seen_v[v.value]))
                seen_v.setdefault(v.value, v.line)
                check_versions(v.versions, v.file, v.line)
        elif t.kind == 'union':
            _validate_union(t, resolve, err, check_versions)
        elif t.kind == 'alias':
            pass

    _compute_directions(model, resolve)
    _check_choices(model, resolve, err)
    for t in model.types:
        if t.kind == 'enum' and t.open is False and t.direction in ('response', 'both'):
            err(t.file, t.line, 'enum %s is closed but the server sends it (reachable from a response); make it open' % t.name)
    for t in model.types:
        if t.kind == 'object':
            for f in t.fields:
                if f.location != 'body' and t.root != 'request':
                    err(f.file, f.line, '@%s field %s outside a request root type' % (f.location, f.name))


def _check_default(f: Field, resolve, err):
    t, d = f.type, f.default
    if t.kind == 'ref':
        target = resolve(t.name)
        if target is not None and target.kind == 'enum':
            if d not in [v.value for v in target.values]:
                err('default %r is not a value of %s' % (d, target.name))
            return
    ok = ((t.kind == 'scalar' and t.name == 'string' and isinstance(d, str)) or
          (t.kind == 'scalar' and t.name == 'integer' and isinstance(d, int) and not isinstance(d, bool)) or
          (t.kind == 'scalar' and t.name == 'number' and isinstance(d, (int, float)) and not isinstance(d, bool)) or
          (t.kind == 'scalar' and t.name == 'boolean' and isinstance(d, bool)) or
          (t.kind == 'scalar' and t.name == 'json') or
          (t.kind == 'enum' and d in t.values) or
          (t.kind == 'const' and d == t.value))
    if not ok:
        err('default %s does not fit type %s' % (json.dumps(d), t.text()))


def _tag_values(obj: TypeDef, key: str) -> Tuple[Optional[List[object]], bool]:
    """The values an object's discriminator member may take, and whether it may be absent."""
    for f in obj.fields:
        if f.name == key:
            if f.type.kind == 'const':
                return [f.type.value], f.optional or f.nullable
            if f.type.kind == 'enum':
                return list(f.type.values), f.optional or f.nullable
            return None, f.optional
    return None, True


def _union_values(u: TypeDef, resolve, depth=0) -> List[object]:
    vals: List[object] = []
    if depth > 10:
        return vals
    for m in u.members:
        if m.nested and m.type.kind == 'ref':
            inner = resolve(m.type.name)
            if inner is not None and inner.kind == 'union':
                vals.extend(_union_values(inner, resolve, depth + 1))
        else:
            vals.extend(m.values)
    return vals


def _validate_union(t: TypeDef, resolve, err, check_versions):
    if not t.members:
        err(t.file, t.line, 'union %s has no members' % t.name)
        return
    seen_types = {}
    for m in t.members:
        key = m.type.text()
        if key in seen_types:
            err(m.file, m.line, 'duplicate member %s in %s (first at line %d)' % (key, t.name, seen_types[key]))
        seen_types.setdefault(key, m.line)
        check_versions(m.versions, m.file, m.line)
    if not t.discriminator:
        if len(t.members) < 2:
            err(t.file, t.line, 'union %s has one member; write an alias' % t.name)
        return
    key = t.discriminator
    seen_values: Dict[object, int] = {}
    absent = []
    for m in t.members:
        if m.type.kind != 'ref' or m.type.nullable:
            err(m.file, m.line, 'members of a union by %s must name a type' % key)
            continue
        target = resolve(m.type.name)
        if target is None:
            continue  # reported as unknown type
        if m.nested:
            if target.kind != 'union' or target.discriminator != key:
                err(m.file, m.line, '`*` member %s must be a union by %s' % (m.type.name, key))
                continue
            values = _union_values(target, resolve)
        else:
            if target.kind != 'object':
                err(m.file, m.line, 'member %s of a union by %s must be an object (or `*` for a union)' % (m.type.name, key))
                continue
            tags, may_be_absent = _tag_values(target, key)
            if tags is None:
                err(m.file, m.line, 'member %s has no const %r member to match the discriminator' % (m.type.name, key))
                continue
            if sorted(map(str, tags)) != sorted(map(str, m.values)):
                err(m.file, m.line, 'discriminator %s of member %s: union says %s, %s.%s says %s' % (
                    key, m.type.name, ' | '.join(json.dumps(v) for v in m.values), m.type.name, key,
                    ' | '.join(json.dumps(v) for v in tags)))
            if m.when_absent and not may_be_absent:
                err(m.file, m.line, '@when_absent on %s, but its %s member is required' % (m.type.name, key))
            if may_be_absent and not m.when_absent:
                err(m.file, m.line, '%s.%s may be absent; mark the member @when_absent' % (m.type.name, key))
            values = m.values
            if m.when_absent:
                absent.append(m)
        for v in values:
            if v in seen_values:
                err(m.file, m.line, 'discriminator value %s appears twice in %s (first at line %d)' % (
                    json.dumps(v), t.name, seen_values[v]))
            seen_values.setdefault(v, m.line)
    if len(absent) > 1:
        err(absent[1].file, absent[1].line, 'more than one @when_absent member in %s' % t.name)


def _json_kind(e: TypeExpr, resolve, depth=0) -> str:
    if e.kind == 'list':
        return 'array'
    if e.kind in ('map',):
        return 'object'
    if e.kind == 'enum':
        return 'string'
    if e.kind == 'const':
        return {str: 'string', bool: 'boolean'}.get(type(e.value), 'number')
    if e.kind == 'scalar':
        return {'string': 'string', 'datetime': 'string', 'integer': 'number', 'number': 'number',
                'boolean': 'boolean', 'json': 'any'}[e.name]
    if e.kind == 'union':
        return 'any'
    t = resolve(e.name)
    if t is None or depth > 10:
        return 'any'
    if t.kind == 'object':
        return 'object'
    if t.kind == 'enum':
        return 'string'
    if t.kind == 'alias':
        return _json_kind(t.target, resolve, depth + 1)
    return 'any'  # a union: may be several kinds


def _check_choices(model: Model, resolve, err):
    """An undiscriminated union must be decidable: members differ by JSON kind, and objects that
    share the kind `object` all carry a const `type` tag (then `type` is the inline discriminator)."""
    def check(members: List[TypeExpr], path, line, what) -> Optional[str]:
        by_kind: Dict[str, List[TypeExpr]] = {}
        for m in members:
            by_kind.setdefault(_json_kind(m, resolve), []).append(m)
        disc = None
        for kind, ms in by_kind.items():
            if len(ms) < 2:
                continue
            if kind == 'object':
                objs = [resolve(m.name) if m.kind == 'ref' else None for m in ms]
                tags = [(_tag_values(o, 'type')[0] if o is not None and o.kind == 'object' else None) for o in objs]
                if all(tags):
                    flat = [v for ts in tags for v in ts]
                    if len(flat) == len(set(map(str, flat))):
                        disc = 'type'
                        continue
            err(path, line, '%s: members %s are all JSON %s and cannot be told apart' % (
                what, ', '.join(m.text() for m in ms), kind))
        return disc

    for t in model.types:
        if t.kind == 'union' and not t.discriminator:
            check([m.type for m in t.members], t.file, t.line, 'union %s' % t.name)
        for expr, path, line in _type_exprs(t):
            for e in _walk(expr):
                if e.kind == 'union':
                    e.discriminator = check(e.members, path, line, 'inline union in %s' % t.name)


def _refs(t: TypeDef):
    for expr, _, _ in _type_exprs(t):
        for e in _walk(expr):
            if e.kind == 'ref':
                yield e.name


def _compute_directions(model: Model, resolve):
    by_name: Dict[str, List[TypeDef]] = {}
    for t in model.types:
        by_name.setdefault(t.name, []).append(t)

    def reach(kind):
        seen = set()
        stack = [t for t in model.types if t.root == kind]
        while stack:
            t = stack.pop()
            if id(t) in seen:
                continue
            seen.add(id(t))
            for r in _refs(t):
                stack.extend(by_name.get(r, []))
        return seen

    req, resp = reach('request'), reach('response')
    for t in model.types:
        a, b = id(t) in req, id(t) in resp
        t.direction = 'both' if a and b else 'request' if a else 'response' if b else 'none'
        # Inline enums follow the rule for named ones: closed only where the server never sends them.
        for expr, _, _ in _type_exprs(t):
            for e in _walk(expr):
                if e.kind == 'enum':
                    e.open = t.direction != 'request'


# ---------------------------------------------------------------------------------------------
# Entry points

def default_paths() -> List[str]:
    return sorted(glob.glob(os.path.join(SCHEMA_DIR, '*.schema')))


def load(paths: Optional[List[str]] = None, texts: Optional[Dict[str, str]] = None) -> Tuple[Model, List[str]]:
    """Parse and validate. `texts` maps a display path to file contents (for tests)."""
    model, errors = Model(), []
    parser = _Parser(model, errors)
    if texts is not None:
        for path, text in texts.items():
            parser.parse_file(path, text)
    else:
        for path in paths or default_paths():
            display = os.path.relpath(path)
            with open(path, encoding='utf-8') as fh:
                parser.parse_file(display, fh.read())
    validate(model, errors)
    return model, errors


def _jsonable(obj):
    if dataclasses.is_dataclass(obj):
        out = {}
        for f in dataclasses.fields(obj):
            v = getattr(obj, f.name)
            if v is None or v == [] or (f.name == 'has_default' and not v):
                continue
            if f.name == 'name' and isinstance(obj, Field):
                out['wire_name'] = v
            out[f.name] = _jsonable(v)
        if isinstance(obj, Field):
            out.setdefault('optional', obj.optional)
            out.setdefault('nullable', obj.nullable)
            out.setdefault('versions', obj.versions)
        if isinstance(obj, TypeDef):
            out.setdefault('versions', obj.versions)
        return out
    if isinstance(obj, list):
        return [_jsonable(x) for x in obj]
    return obj


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description='Check or dump the model schema (codegen/schema/*.schema).')
    ap.add_argument('--check', action='store_true', help='validate; print FILE:LINE errors; exit 1 on any')
    ap.add_argument('--dump-json', action='store_true', help='print the model as JSON')
    ap.add_argument('files', nargs='*', help='schema files (default: codegen/schema/*.schema)')
    args = ap.parse_args(argv)
    if not args.check and not args.dump_json:
        args.check = True
    paths = args.files or default_paths()
    if not paths:
        print('schema.py: no schema files', file=sys.stderr)
        return 1
    model, errors = load(paths)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print('schema.py: %d error(s)' % len(errors), file=sys.stderr)
        return 1
    if args.dump_json:
        json.dump(_jsonable(model), sys.stdout, indent=1)
        sys.stdout.write('\n')
    else:
        objs = [t for t in model.types if t.kind == 'object']
        print('schema OK: %d types (%d objects, %d unions, %d enums, %d aliases), %d fields, %d exclusions' % (
            len(model.types), len(objs), sum(t.kind == 'union' for t in model.types),
            sum(t.kind == 'enum' for t in model.types), sum(t.kind == 'alias' for t in model.types),
            sum(len(t.fields) for t in objs), len(model.excluded)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
