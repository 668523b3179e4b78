"""Checks conanfile.py without Conan (CI has none): loads it against stub `conan` modules, runs
generate() and package_info(), and checks that the recipe configures with exactly the options in
packaging/cmake-options.txt, takes the project's version, and names the Debug library
libanthropicd.

    python3 packaging/conan/check_recipe.py
"""

import os
import re
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


class _Toolchain:
    last = None

    def __init__(self, conanfile):
        self.cache_variables = {}
        _Toolchain.last = self

    def generate(self):
        pass


class _Component:
    def __init__(self):
        self.properties, self.libs, self.defines, self.system_libs, self.requires = {}, [], [], [], []

    def set_property(self, name, value):
        self.properties[name] = value


class _Components(dict):
    def __missing__(self, name):
        self[name] = _Component()
        return self[name]


class _CppInfo(_Component):
    def __init__(self):
        super().__init__()
        self.components = _Components()


def _stub_modules():
    def module(name, **attributes):
        mod = types.ModuleType(name)
        mod.__dict__.update(attributes)
        sys.modules[name] = mod

    class ConanFile:
        pass

    def load(_, path):
        with open(path, encoding="utf-8") as f:
            return f.read()

    def nothing(*_, **__):
        return None

    module("conan", ConanFile=ConanFile)
    module("conan.tools")
    module("conan.tools.build", check_min_cppstd=nothing)
    module("conan.tools.cmake", CMake=nothing, CMakeDeps=lambda _: types.SimpleNamespace(generate=nothing),
           CMakeToolchain=_Toolchain, cmake_layout=nothing)
    module("conan.tools.files", copy=nothing, load=load, rmdir=nothing)


def main():
    _stub_modules()
    sys.path.insert(0, HERE)
    import conanfile  # noqa: E402 (the stubs come first)

    recipe = conanfile.AnthropicCppConan()
    recipe.recipe_folder = HERE
    recipe.source_folder = ROOT
    recipe.set_version()
    with open(os.path.join(ROOT, "CMakeLists.txt"), encoding="utf-8") as f:
        project_version = re.search(r"^  VERSION ([0-9.]+)$", f.read(), re.M).group(1)
    assert recipe.version == project_version, (recipe.version, project_version)

    recipe.generate()
    with open(os.path.join(ROOT, "packaging", "cmake-options.txt"), encoding="utf-8") as f:
        expected = dict(re.fullmatch(r"-D([A-Za-z0-9_]+)=(.*)", line.strip()).groups()
                        for line in f if line.startswith("-D"))
    assert _Toolchain.last.cache_variables == expected, (_Toolchain.last.cache_variables, expected)

    for build_type, shared, lib in (("Debug", False, "anthropicd"), ("Release", True, "anthropic")):
        recipe.settings = types.SimpleNamespace(build_type=build_type, os="Linux")
        recipe.options = types.SimpleNamespace(shared=shared)
        recipe.cpp_info = _CppInfo()
        recipe.package_info()
        library = recipe.cpp_info.components["anthropic"]
        assert library.libs == [lib], (build_type, library.libs)
        assert library.properties["cmake_target_name"] == "anthropic::anthropic"
        assert ("ANTHROPIC_STATIC_DEFINE" in library.defines) == (not shared)
        assert recipe.cpp_info.components["testing"].properties["cmake_target_name"] == "anthropic::testing"
    print(f"conan recipe: version {recipe.version}, options {' '.join(sorted(expected))}: ok")


if __name__ == "__main__":
    main()
