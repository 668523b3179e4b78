#!/usr/bin/env python3
"""Golden-file test of the generator: codegen/generate.py on the small fixed schema
golden/small.schema must write exactly the files under golden/expected/.

    python3 codegen/tests/test_generate.py            # ctest: codegen_golden
    python3 codegen/tests/test_generate.py --update   # after an intended generator change
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATOR = os.path.join(os.path.dirname(HERE), 'generate.py')
SCHEMA = os.path.join(HERE, 'golden', 'small.schema')
EXPECTED = os.path.join(HERE, 'golden', 'expected')


def generate(out):
    subprocess.run([sys.executable, GENERATOR, '--schema', SCHEMA, '--out', out], check=True)


def files_under(root):
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            with open(p, encoding='utf-8') as fh:
                out[os.path.relpath(p, root)] = fh.read()
    return out


class Golden(unittest.TestCase):
    def test_output_matches_golden_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            generate(tmp)
            got, want = files_under(tmp), files_under(EXPECTED)
            self.assertEqual(sorted(got), sorted(want))
            for rel in sorted(want):
                self.assertEqual(got[rel], want[rel], rel)

    def test_deterministic(self):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            generate(a)
            generate(b)
            self.assertEqual(files_under(a), files_under(b))

    def test_check_mode_reports_a_difference(self):
        with tempfile.TemporaryDirectory() as tmp:
            generate(tmp)
            args = [sys.executable, GENERATOR, '--schema', SCHEMA, '--out', tmp, '--check']
            self.assertEqual(subprocess.run(args).returncode, 0)
            victim = os.path.join(tmp, sorted(files_under(tmp))[0])
            with open(victim, 'a', encoding='utf-8') as fh:
                fh.write('// edited by hand\n')
            self.assertEqual(subprocess.run(args, stderr=subprocess.DEVNULL).returncode, 1)


if __name__ == '__main__':
    if '--update' in sys.argv:
        shutil.rmtree(EXPECTED, ignore_errors=True)
        generate(EXPECTED)
        print('updated', EXPECTED)
        sys.exit(0)
    unittest.main()
