# Installation and Debian packages (issue #15, docs/operations.md).
#
# Four packages, one per CPack component: branchcast-tracker,
# branchcast-reflector, branchcast-endpoint and branchcast-tools. Each
# program's CMakeLists calls bc_install_program(TARGET COMPONENT): the binary
# goes to /usr/bin, a man page generated from its --help to
# /usr/share/man/man1, and the program learns its version (--version).
# `cpack -G DEB` in the build directory (scripts/build-debs.sh) makes the
# .debs; dependencies come from dpkg-shlibdeps, so they name bookworm's
# runtime libraries and nothing else.
include(GNUInstallDirs)

find_program(BC_HELP2MAN help2man)
if(NOT BC_HELP2MAN)
  message(STATUS "help2man not found: no man pages (apt-get install help2man)")
endif()

# The systemd units and the files under /etc are absolute on purpose: a
# package puts them there whatever the install prefix (bookworm keeps units
# in /lib/systemd/system until the /usr merge moratorium ends).
set(BC_UNIT_DIR /lib/systemd/system)
set(BC_CONF_DIR /etc/branchcast)

function(bc_install_program target component)
  target_compile_definitions(${target} PRIVATE BC_VERSION="${PROJECT_VERSION}")
  install(TARGETS ${target} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT ${component})
  if(NOT BC_HELP2MAN)
    return()
  endif()
  set(page ${CMAKE_BINARY_DIR}/man/${target}.1.gz)
  add_custom_command(OUTPUT ${page}
    COMMAND ${PROJECT_SOURCE_DIR}/packaging/man/make-man.sh ${BC_HELP2MAN} $<TARGET_FILE:${target}> ${PROJECT_VERSION} ${page}
    DEPENDS ${target} ${PROJECT_SOURCE_DIR}/packaging/man/make-man.sh
    COMMENT "man page ${target}.1.gz (help2man)" VERBATIM)
  add_custom_target(${target}-man ALL DEPENDS ${page})
  install(FILES ${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT ${component})
endfunction()

# What each role's package carries besides its program: the unit, its file
# under /etc/branchcast (listed as the package's conffile below) and the
# maintainer scripts (packaging/debian/ROLE/).
foreach(role tracker reflector endpoint)
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/systemd/branchcast-${role}.service
          DESTINATION ${BC_UNIT_DIR} COMPONENT ${role})
endforeach()
# The tracker reads its file in /etc; a reflector's and an endpoint's live
# configuration is written by init/enroll into their state directory, so
# theirs are examples (every key, unit, default), not read.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/etc/tracker.toml DESTINATION ${BC_CONF_DIR} COMPONENT tracker
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/etc/reflector.toml.example DESTINATION ${BC_CONF_DIR}
        COMPONENT reflector)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/etc/endpoint.toml.example DESTINATION ${BC_CONF_DIR}
        COMPONENT endpoint)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME branchcast)
# The upgrade test builds an older tree as a lower version (0.0~prev1).
set(BC_PACKAGE_VERSION "${PROJECT_VERSION}" CACHE STRING "Debian package version (default: the project's)")
set(CPACK_PACKAGE_VERSION ${BC_PACKAGE_VERSION})
set(CPACK_PACKAGE_VENDOR "branchcast")
set(CPACK_PACKAGE_CONTACT "branchcast maintainers <branchcast@localhost>")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "branchcast maintainers <branchcast@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://localhost/branchcast")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL tracker reflector endpoint tools)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(summary_tracker "branchcast tracker: layers, branches, enrollment, rollouts")
set(summary_reflector "branchcast reflector: a branch's cache and seed of OS image layers")
set(summary_endpoint "branchcast endpoint agent: downloads, verifies and applies OS image layers")
set(summary_tools "branchcast tools: bcctl, bc-layer, bc-netsim, bc-probe")
set(detail_tracker "The central server of branchcast: the layer store and origin seed, the admin API,\n enrollment, node certificates and the BitTorrent tracker. Runs as the system\n user branchcast-tracker (unit branchcast-tracker.service).")
set(detail_reflector "A branch server's cache: downloads each layer once over the WAN and seeds it\n to the branch's endpoints. Runs as the system user branchcast-reflector.")
set(detail_endpoint "The agent of a machine: fetches its desired stack of layers from peers,\n verifies every byte and applies it to its target root with rollback.")
set(detail_tools "Administrator and test tools: bc-layer builds, signs and applies layers;\n bc-netsim emulates branch networks; bc-probe measures RTT.")
foreach(c tracker reflector endpoint tools)
  string(TOUPPER ${c} C)
  set(CPACK_DEBIAN_${C}_PACKAGE_NAME branchcast-${c})
  set(CPACK_COMPONENT_${C}_DESCRIPTION "${summary_${c}}\n ${detail_${c}}")
  set(CPACK_DEBIAN_${C}_PACKAGE_SECTION net)
endforeach()
# The roles make their users with adduser; the tracker's postinst makes its
# signing key with bc-layer keygen (so the tools come along, same version).
set(CPACK_DEBIAN_TRACKER_PACKAGE_DEPENDS "adduser, branchcast-tools (= ${BC_PACKAGE_VERSION})")
set(CPACK_DEBIAN_REFLECTOR_PACKAGE_DEPENDS "adduser")
# The console draws its charts with Debian's Chart.js when it is there (docs/console.md).
set(CPACK_DEBIAN_TRACKER_PACKAGE_RECOMMENDS "libjs-chart.js")
foreach(role tracker reflector endpoint)
  string(TOUPPER ${role} R)
  set(dir ${PROJECT_SOURCE_DIR}/packaging/debian/${role})
  # dpkg keeps an administrator's edits of a conffile across upgrades and
  # removes it only at purge; CPack lists none by itself.
  if(role STREQUAL tracker)
    set(conffile ${BC_CONF_DIR}/tracker.toml)
  else()
    set(conffile ${BC_CONF_DIR}/${role}.toml.example)
  endif()
  file(WRITE ${CMAKE_BINARY_DIR}/packaging/${role}/conffiles "${conffile}\n")
  set(CPACK_DEBIAN_${R}_PACKAGE_CONTROL_EXTRA
      "${dir}/postinst;${dir}/prerm;${dir}/postrm;${CMAKE_BINARY_DIR}/packaging/${role}/conffiles")
endforeach()
include(CPack)
