# Every dependency is a Debian bookworm package; scripts/setup.sh installs them.
# docs/architecture.md ("Dependencies") says why each one is here.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(LibtorrentRasterbar 2.0 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(spdlog REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(tomlplusplus REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(LMDB REQUIRED IMPORTED_TARGET lmdb)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)

# Debian's libtorrent target adds TORRENT_USE_ASSERTS to Debug builds, but the
# shared library was built without asserts: that mismatch changes class layouts
# (an ODR violation). Keep only the definitions the library was built with.
get_target_property(_lt_defs LibtorrentRasterbar::torrent-rasterbar INTERFACE_COMPILE_DEFINITIONS)
list(FILTER _lt_defs EXCLUDE REGEX "TORRENT_USE_ASSERTS")
set_target_properties(LibtorrentRasterbar::torrent-rasterbar PROPERTIES
  INTERFACE_COMPILE_DEFINITIONS "${_lt_defs}")

if(BC_BUILD_TESTS)
  find_package(doctest REQUIRED)
  include(doctest)
endif()
if(BC_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
