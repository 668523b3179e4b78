"""Conan 2 recipe for anthropic-cpp, built from the checkout it sits in.

    conan create packaging/conan --build=missing            (from the repository's root)

then find_package(anthropic CONFIG REQUIRED) and anthropic::anthropic (CMakeDeps), or
pkg-config anthropic (PkgConfigDeps). The CMake options are packaging/cmake-options.txt, shared
with the vcpkg port and CI.
"""

import os
import re

from conan import ConanFile
from conan.tools.build import check_min_cppstd
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, load, rmdir

required_conan_version = ">=2.0"

# What the package is built from, relative to the repository's root.
_SOURCES = ("CMakeLists.txt", "LICENSE", "CHANGELOG.md", "cmake/*", "include/*", "src/*",
            "packaging/cmake-options.txt")


class AnthropicCppConan(ConanFile):
    name = "anthropic-cpp"
    description = "C++ SDK for Anthropic's Message Batches API"
    license = "MIT"
    url = "https://github.com/anthropic-cpp/anthropic-cpp"
    homepage = "https://github.com/anthropic-cpp/anthropic-cpp"
    topics = ("anthropic", "claude", "message-batches", "sdk")
    package_type = "library"
    settings = "os", "arch", "compiler", "build_type"
    options = {"shared": [True, False], "fPIC": [True, False]}
    default_options = {"shared": False, "fPIC": True}

    @property
    def _repository_root(self):
        return os.path.join(self.recipe_folder, "..", "..")

    def set_version(self):
        text = load(self, os.path.join(self._repository_root, "CMakeLists.txt"))
        self.version = re.search(r"project\(anthropic\s+VERSION\s+([0-9.]+)", text).group(1)

    def export_sources(self):
        for pattern in _SOURCES:
            copy(self, pattern, src=self._repository_root, dst=self.export_sources_folder)

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self):
        if self.options.shared:
            self.options.rm_safe("fPIC")

    def layout(self):
        cmake_layout(self)

    def requirements(self):
        self.requires("libcurl/[>=7.78.0 <9]")
        # Header-only, used inside the library only (never in its public headers).
        self.requires("nlohmann_json/[>=3.9.0 <4]")

    def validate(self):
        check_min_cppstd(self, 17)

    def generate(self):
        toolchain = CMakeToolchain(self)
        options = load(self, os.path.join(self.source_folder, "packaging", "cmake-options.txt"))
        for line in options.splitlines():
            match = re.fullmatch(r"-D([A-Za-z0-9_]+)=(.*)", line.strip())
            if match:
                toolchain.cache_variables[match.group(1)] = match.group(2)
        toolchain.generate()
        CMakeDeps(self).generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def package(self):
        copy(self, "LICENSE", src=self.source_folder, dst=os.path.join(self.package_folder, "licenses"))
        CMake(self).install()
        # Conan describes the package itself (package_info), for CMakeDeps and PkgConfigDeps.
        rmdir(self, os.path.join(self.package_folder, "lib", "cmake"))
        rmdir(self, os.path.join(self.package_folder, "lib", "pkgconfig"))
        rmdir(self, os.path.join(self.package_folder, "share"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "anthropic")
        self.cpp_info.set_property("pkg_config_name", "anthropic-cpp")

        library = self.cpp_info.components["anthropic"]
        library.set_property("cmake_target_name", "anthropic::anthropic")
        library.set_property("pkg_config_name", "anthropic")
        # A Debug build is libanthropicd (CMakeLists.txt: DEBUG_POSTFIX), beside the Release one.
        library.libs = ["anthropicd" if self.settings.build_type == "Debug" else "anthropic"]
        if not self.options.shared:
            library.defines = ["ANTHROPIC_STATIC_DEFINE"]
        if self.settings.os in ("Linux", "FreeBSD"):
            library.system_libs = ["pthread"]
        library.requires = ["libcurl::libcurl", "nlohmann_json::nlohmann_json"]

        # Header-only mocks for users' tests. Unlike the CMake package's `testing` component, the
        # Conan package does not require GoogleTest (a requirement is for the whole package):
        # link GTest::gmock (gtest's package) beside anthropic::testing.
        testing = self.cpp_info.components["testing"]
        testing.set_property("cmake_target_name", "anthropic::testing")
        testing.set_property("pkg_config_name", "anthropic-testing")
        testing.requires = ["anthropic"]
