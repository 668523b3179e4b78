# vcpkg port of anthropic-cpp, as an overlay port built from the checkout it sits in:
#
#   vcpkg install anthropic-cpp --overlay-ports=/path/to/anthropic-cpp/packaging/vcpkg
#
# then find_package(anthropic CONFIG REQUIRED) and anthropic::anthropic, or pkg-config anthropic.
# For a registry, replace the SOURCE_PATH line with the release archive:
#   vcpkg_from_github(OUT_SOURCE_PATH SOURCE_PATH REPO anthropic-cpp/anthropic-cpp
#                     REF "v${VERSION}" SHA512 <sha512 of the archive> HEAD_REF main)

get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)

# The options every packaged build uses (CI configures its shared-library stage with the same).
file(STRINGS "${SOURCE_PATH}/packaging/cmake-options.txt" ANTHROPIC_PACKAGE_OPTIONS REGEX "^-D")

vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS ${ANTHROPIC_PACKAGE_OPTIONS}
)
vcpkg_cmake_install()
vcpkg_copy_pdbs()
vcpkg_cmake_config_fixup(PACKAGE_NAME anthropic CONFIG_PATH lib/cmake/anthropic)
vcpkg_fixup_pkgconfig()

file(REMOVE_RECURSE
    "${CURRENT_PACKAGES_DIR}/debug/include"
    "${CURRENT_PACKAGES_DIR}/debug/share"
    # LICENSE and CHANGELOG.md: vcpkg keeps the license as share/anthropic-cpp/copyright.
    "${CURRENT_PACKAGES_DIR}/share/doc")

vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
