#!/usr/bin/env python3
"""Tests of codegen/schema.py and of the schema files themselves (stdlib unittest).

    python3 codegen/tests/test_schema.py        # also run by ctest as `codegen_schema`
"""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CODEGEN = os.path.dirname(HERE)
sys.path.insert(0, CODEGEN)

import schema  # noqa: E402

CURRENT = '2026-10-21'
LEGACY = '2023-06-01'


def load_real():
    model, errors = schema.load()
    return model, errors


class RealSchema(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model, cls.errors = load_real()

    def type(self, name, version=CURRENT):
        found = self.model.find(name, version)
        self.assertEqual(len(found), 1, '%s under %s: %d definitions' % (name, version, len(found)))
        return found[0]

    def field(self, type_name, field_name, version=CURRENT):
        t = self.type(type_name, version)
        fs = [f for f in t.fields if f.name == field_name and (not f.versions or version in f.versions)]
        self.assertEqual(len(fs), 1, '%s.%s under %s' % (type_name, field_name, version))
        return fs[0]

    def has_field(self, type_name, field_name, version):
        t = self.type(type_name, version)
        return any(f.name == field_name and (not f.versions or version in f.versions) for f in t.fields)

    def union_values(self, name, version=CURRENT):
        u = self.type(name, version)
        return {v: m.type.name for m in u.members for v in m.values}

    def test_schema_is_valid(self):
        self.assertEqual(self.errors, [])
        self.assertEqual(self.model.current_version, CURRENT)
        self.assertEqual(self.model.versions, [LEGACY, CURRENT])

    def test_usage_keeps_cache_creation_and_server_tool_use(self):
        for fam in ('Beta', ''):
            cc = self.field(fam + 'Usage', 'cache_creation')
            self.assertEqual((cc.type.kind, cc.type.name), ('ref', fam + 'CacheCreation'))
            self.assertTrue(cc.nullable)
            stu = self.field(fam + 'Usage', 'server_tool_use')
            self.assertEqual(stu.type.name, fam + 'ServerToolUsage')
            names = {f.name for f in self.type(fam + 'CacheCreation').fields}
            self.assertEqual(names, {'ephemeral_5m_input_tokens', 'ephemeral_1h_input_tokens'})
            for f in self.type(fam + 'CacheCreation').fields:
                self.assertEqual(f.type.name, 'integer')
            self.assertIn('web_search_requests', {f.name for f in self.type(fam + 'ServerToolUsage').fields})

    def test_message_has_container_and_stop_details(self):
        for fam in ('Beta', ''):
            c = self.field(fam + 'Message', 'container')
            self.assertEqual(c.type.name, fam + 'Container')
            self.assertTrue(c.nullable)
            sd = self.field(fam + 'Message', 'stop_details')
            self.assertEqual(sd.type.name, fam + 'RefusalStopDetails')
            self.assertTrue(sd.nullable and not sd.optional)
            ss = self.field(fam + 'Message', 'stop_sequence')
            self.assertTrue(ss.nullable and not ss.optional, 'required but nullable: written as null')
            self.assertIn('id', {f.name for f in self.type(fam + 'Container').fields})

    def test_error_union_has_every_error_kind(self):
        kinds = {'invalid_request_error', 'authentication_error', 'billing_error', 'permission_error',
                 'not_found_error', 'rate_limit_error', 'timeout_error', 'api_error', 'overloaded_error'}
        for fam in ('Beta', ''):
            u = self.type(fam + 'ErrorObject')
            self.assertEqual(u.discriminator, 'type')
            self.assertEqual(set(self.union_values(fam + 'ErrorObject')), kinds)
            env = self.type(fam + 'ErrorResponse')
            self.assertEqual({f.name for f in env.fields}, {'type', 'error', 'request_id'})
            rid = self.field(fam + 'ErrorResponse', 'request_id')
            self.assertTrue(rid.nullable and not rid.optional)
        self.assertEqual(self.field('MessageBatchErroredResult', 'error').type.name, 'ErrorResponse')
        self.assertEqual(self.field('BetaMessageBatchErroredResult', 'error').type.name, 'BetaErrorResponse')

    def test_sampling_parameters_exist_only_under_2023_06_01(self):
        for p in ('MessageCreateParams', 'BetaMessageCreateParams'):
            for name in ('temperature', 'top_p', 'top_k'):
                self.assertFalse(self.has_field(p, name, CURRENT), '%s.%s under %s' % (p, name, CURRENT))
                f = self.field(p, name, LEGACY)
                self.assertEqual(f.versions, [LEGACY])
                self.assertTrue(f.optional)
            self.assertEqual(self.field(p, 'temperature', LEGACY).type.name, 'number')
            self.assertEqual(self.field(p, 'top_k', LEGACY).type.name, 'integer')
            self.assertTrue(self.has_field(p, 'max_tokens', CURRENT) and self.has_field(p, 'max_tokens', LEGACY))
            for header_param in ('user_profile_id', 'workspace_id', 'betas'):
                self.assertFalse(self.has_field(p, header_param, CURRENT), 'a batch request body has no %s' % header_param)

    def test_message_param_shape_per_version(self):
        for fam in ('Beta', ''):
            new = self.type(fam + 'MessageParam', CURRENT)
            self.assertEqual((new.kind, new.discriminator), ('union', 'role'))
            self.assertEqual(self.union_values(fam + 'MessageParam'), {
                'user': fam + 'UserMessageParam', 'assistant': fam + 'AssistantMessageParam',
                'system': fam + 'SystemMessageParam'})
            old = self.type(fam + 'MessageParam', LEGACY)
            self.assertEqual(old.kind, 'object')
            self.assertEqual(old.versions, [LEGACY])
            self.assertEqual(self.model.find(fam + 'UserMessageParam', LEGACY), [])

    def test_content_block_union_lists_every_response_block(self):
        expected = {
            'text', 'thinking', 'redacted_thinking', 'tool_use', 'server_tool_use', 'web_search_tool_result',
            'web_fetch_tool_result', 'advisor_tool_result', 'code_execution_tool_result',
            'bash_code_execution_tool_result', 'text_editor_code_execution_tool_result',
            'tool_search_tool_result', 'mcp_tool_use', 'mcp_tool_result', 'mcp_tool_listing',
            'container_upload', 'compaction', 'fallback'}
        values = self.union_values('BetaContentBlock')
        self.assertEqual(set(values), expected)
        for v, member in values.items():
            self.assertTrue(member.startswith('Beta') and member.endswith('Block'), member)
        # GA has the generally available subset.
        self.assertLessEqual(set(self.union_values('ContentBlock')), expected)
        self.assertIn('web_search_tool_result', self.union_values('ContentBlock'))

    def test_every_server_and_client_tool_version_is_in_the_tool_union(self):
        values = self.union_values('BetaToolUnion')
        for tag, name in {
                'web_search_20250305': 'BetaWebSearchTool20250305',
                'web_fetch_20250910': 'BetaWebFetchTool20250910',
                'code_execution_20250825': 'BetaCodeExecutionTool20250825',
                'bash_20250124': 'BetaToolBash20250124',
                'text_editor_20250728': 'BetaToolTextEditor20250728',
                'computer_20251124': 'BetaToolComputerUse20251124',
                'memory_20250818': 'BetaMemoryTool20250818',
                'tool_search_tool_bm25_20251119': 'BetaToolSearchToolBm25_20251119',
                'mcp_toolset': 'BetaMCPToolset'}.items():
            self.assertEqual(values.get(tag), name, tag)
        custom = [m for m in self.type('BetaToolUnion').members if m.type.name == 'BetaTool'][0]
        self.assertTrue(custom.when_absent, 'a tool without `type` is a custom tool')

    def test_citations_cover_every_location_kind(self):
        self.assertEqual(set(self.union_values('BetaTextCitation')), {
            'char_location', 'page_location', 'content_block_location', 'web_search_result_location',
            'search_result_location'})
        self.assertEqual(set(self.union_values('TextCitationParam')), set(self.union_values('TextCitation')))

    def test_batch_types_in_both_families(self):
        for fam in ('Beta', ''):
            b = self.type(fam + 'MessageBatch')
            self.assertEqual(self.field(fam + 'MessageBatch', 'created_at').type.name, 'datetime')
            for n in ('ended_at', 'cancel_initiated_at', 'archived_at', 'results_url'):
                f = self.field(fam + 'MessageBatch', n)
                self.assertTrue(f.nullable and not f.optional, n)
            self.assertEqual(b.root, 'response')
            self.assertEqual(set(self.union_values(fam + 'MessageBatchResult')),
                             {'succeeded', 'errored', 'canceled', 'expired'})
            req = self.type(fam + 'MessageBatchCreateParams.Request')
            self.assertEqual(self.field(fam + 'MessageBatchCreateParams.Request', 'params').type.name,
                             fam + 'MessageCreateParams')
            self.assertEqual({f.name for f in req.fields}, {'custom_id', 'params'})
            limit = self.field(fam + 'MessageBatchListParams', 'limit')
            self.assertEqual((limit.location, limit.default), ('query', 20))
            self.assertEqual(self.field(fam + 'MessageBatchCancelParams', 'message_batch_id').location, 'path')
            ws = self.field(fam + 'MessageBatchCreateParams', 'workspace_id')
            self.assertEqual((ws.location, ws.header), ('header', 'anthropic-workspace-id'))
            self.assertEqual(self.type(fam + 'DeletedMessageBatch').kind, 'object')
        betas = self.field('BetaMessageBatchCreateParams', 'betas')
        self.assertEqual(betas.header, 'anthropic-beta')

    def test_enums_from_the_server_are_open(self):
        for t in self.model.types:
            if t.kind == 'enum' and t.direction in ('response', 'both'):
                self.assertTrue(t.open, t.name)
        self.assertTrue(self.type('StopReason').open)
        self.assertIn('refusal', {v.value for v in self.type('BetaStopReason').values})
        self.assertTrue(self.type('Model').open and self.type('AnthropicBeta').open)

    def test_inline_unions_are_decidable(self):
        caller = self.field('BetaToolUseBlock', 'caller')
        self.assertEqual((caller.type.kind, caller.type.discriminator), ('union', 'type'))
        system = self.field('BetaMessageCreateParams', 'system')
        self.assertEqual([m.kind for m in system.type.members], ['scalar', 'list'])

    def test_every_type_has_a_doc_and_a_family(self):
        for t in self.model.types:
            self.assertTrue(t.doc, t.name)
            self.assertIn(t.family, ('ga', 'beta'))

    def test_dump_json_round_trips_through_json(self):
        out = subprocess.run([sys.executable, os.path.join(CODEGEN, 'schema.py'), '--dump-json'],
                             capture_output=True, text=True, check=True).stdout
        data = json.loads(out)
        self.assertEqual(data['current_version'], CURRENT)
        names = {t['name'] for t in data['types']}
        self.assertIn('BetaWebSearchToolResultBlock', names)
        usage = [t for t in data['types'] if t['name'] == 'BetaUsage'][0]
        cc = [f for f in usage['fields'] if f['wire_name'] == 'cache_creation'][0]
        self.assertEqual((cc['type']['name'], cc['nullable'], cc['optional']), ('BetaCacheCreation', True, False))


GOOD = textwrap.dedent('''\
    # a small valid schema
    @versions 2023-06-01 2026-10-21
    @current 2026-10-21
    @family beta
    @module beta.messages

    object BetaTextBlock  -- Text.
      text                 string
      type                 const "text"

    object BetaImageBlock  -- Image.
      type                 const "image"
      source               json

    union BetaBlock by type  -- A block.
      "text"               BetaTextBlock
      "image"              BetaImageBlock

    enum BetaStop open  -- Stop.
      end_turn

    object BetaMsg @root response  -- Message.
      content              list<BetaBlock>
      stop                 BetaStop | null
      temperature?         number  @only 2023-06-01
''')


def check(text, name='x.schema'):
    _, errors = schema.load(texts={name: text})
    return errors


class Malformed(unittest.TestCase):
    def assertError(self, text, line, fragment):
        errors = check(text)
        self.assertTrue(errors, 'no error for:\n' + text)
        prefix = 'x.schema:%d: ' % line
        self.assertTrue(any(e.startswith(prefix) and fragment in e for e in errors),
                        'expected %r at line %d, got:\n%s' % (fragment, line, '\n'.join(errors)))

    def test_good_is_good(self):
        self.assertEqual(check(GOOD), [])

    def line_of(self, text, needle):
        return [i for i, l in enumerate(text.splitlines(), 1) if needle in l][0]

    def test_missing_type(self):
        bad = GOOD.replace('list<BetaBlock>', 'list<BetaBlok>')
        self.assertError(bad, self.line_of(bad, 'BetaBlok'), 'unknown type BetaBlok')

    def test_duplicate_field(self):
        bad = GOOD.replace('  text                 string\n', '  text                 string\n  text   string\n')
        self.assertError(bad, self.line_of(bad, '  text   string'), 'duplicate field BetaTextBlock.text')

    def test_duplicate_type(self):
        bad = GOOD + '\nobject BetaTextBlock  -- Again.\n  a  string\n'
        self.assertError(bad, len(bad.splitlines()) - 1, 'duplicate type BetaTextBlock')

    def test_bad_discriminator(self):
        bad = GOOD.replace('  "text"               BetaTextBlock', '  "txt"                BetaTextBlock')
        self.assertError(bad, self.line_of(bad, '"txt"'), 'union says "txt", BetaTextBlock.type says "text"')

    def test_member_without_tag(self):
        bad = GOOD.replace('  type                 const "image"\n', '')
        self.assertError(bad, self.line_of(bad, '"image"'), "has no const 'type' member")

    def test_duplicate_discriminator_value(self):
        bad = GOOD.replace('  "image"              BetaImageBlock', '  "text"               BetaImageBlock')
        self.assertTrue(any('x.schema:' in e for e in check(bad)))

    def test_empty_enum(self):
        bad = GOOD.replace('  end_turn\n', '')
        self.assertError(bad, self.line_of(bad, 'enum BetaStop'), 'enum BetaStop has no values')

    def test_bad_version_mark(self):
        bad = GOOD.replace('@only 2023-06-01', '@only 2024-01-01')
        self.assertError(bad, self.line_of(bad, '@only'), "unknown API version '2024-01-01'")

    def test_version_only_field_must_be_optional(self):
        bad = GOOD.replace('temperature?', 'temperature')
        self.assertError(bad, self.line_of(bad, 'temperature'), 'must be optional')

    def test_closed_enum_from_the_server(self):
        bad = GOOD.replace('enum BetaStop open', 'enum BetaStop closed')
        self.assertError(bad, self.line_of(bad, 'enum BetaStop'), 'is closed but the server sends it')

    def test_bad_type_syntax(self):
        bad = GOOD.replace('list<BetaBlock>', 'list<BetaBlock')
        self.assertError(bad, self.line_of(bad, 'list<BetaBlock'), "expected >")

    def test_single_string_literal_needs_const(self):
        bad = GOOD.replace('const "text"', '"text"', 1)
        self.assertError(bad, self.line_of(bad, 'type                 "text"'), 'must be written `const "text"`')

    def test_unknown_line_and_flag(self):
        bad = GOOD + 'struct Foo\n'
        self.assertError(bad, len(bad.splitlines()), 'unknown line')
        bad = GOOD.replace('@only 2023-06-01', '@since 2023-06-01')
        self.assertError(bad, self.line_of(bad, '@since'), 'unknown flag @since')

    def test_missing_doc(self):
        bad = GOOD.replace('object BetaTextBlock  -- Text.', 'object BetaTextBlock')
        self.assertError(bad, self.line_of(bad, 'object BetaTextBlock'), 'has no doc')

    def test_ga_must_not_depend_on_beta(self):
        bad = GOOD + '\n@family ga\nobject Thing  -- GA.\n  block  BetaBlock\n'
        self.assertError(bad, len(bad.splitlines()), 'GA type Thing refers to beta type BetaBlock')

    def test_default_must_fit_the_type(self):
        bad = GOOD.replace('temperature?         number', 'temperature?         number = "hot"')
        self.assertError(bad, self.line_of(bad, 'temperature'), 'does not fit type number')

    def test_when_absent_required_for_optional_tag(self):
        bad = GOOD.replace('  type                 const "image"', '  type?                const "image"')
        self.assertError(bad, self.line_of(bad, '"image"              BetaImageBlock'), 'mark the member @when_absent')

    def test_same_name_allowed_under_disjoint_versions(self):
        ok = GOOD.replace('object BetaImageBlock  -- Image.', 'object BetaImageBlock @only 2026-10-21  -- Image.')
        ok += '\nobject BetaImageBlock @only 2023-06-01  -- Old image.\n  type  const "image"\n'
        self.assertEqual(check(ok), [])

    def test_undecidable_inline_union(self):
        bad = GOOD + '\nobject BetaA  -- A.\n  x  string\n\nobject BetaB  -- B.\n  y  string\n' \
                     '\nobject BetaHolder  -- H.\n  ab  BetaA | BetaB\n'
        self.assertError(bad, len(bad.splitlines()), 'cannot be told apart')

    def test_inline_union_of_tagged_objects_gets_type_discriminator(self):
        text = GOOD + '\nobject BetaHolder  -- H.\n  block  BetaTextBlock | BetaImageBlock | string\n'
        model, errors = schema.load(texts={'x.schema': text})
        self.assertEqual(errors, [])
        holder = model.find('BetaHolder')[0]
        self.assertEqual(holder.fields[0].type.discriminator, 'type')

    def test_cli_reports_file_and_line(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'bad.schema')
            with open(path, 'w') as fh:
                fh.write(GOOD.replace('list<BetaBlock>', 'list<Nope>'))
            r = subprocess.run([sys.executable, os.path.join(CODEGEN, 'schema.py'), '--check', path],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            self.assertRegex(r.stderr, r'bad\.schema:\d+: unknown type Nope')
        r = subprocess.run([sys.executable, os.path.join(CODEGEN, 'schema.py'), '--check'],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == '__main__':
    unittest.main()
