# Installing cohours (`cmake --install`) and its Debian package (CPack,
# scripts/package.sh; docs/operations.md "Install from the package").
#
# Paths that the unit names are worked out when installing, not when
# configuring, so one build installs under /usr/local by default and under
# /usr in the .deb (CPACK_PACKAGING_INSTALL_PREFIX) without a second build.
include(GNUInstallDirs)
# Installing (and cpack) builds nothing itself: scripts/package.sh builds
# only what is installed, so packaging a build with tests does not build
# every test first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(TARGETS cohours cohoursd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The systemd unit, with ExecStart at the installed cohoursd.
set(cohours_unit_dir lib/systemd/system)
install(CODE "
  set(COHOURS_INSTALL_BINDIR \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
  configure_file(\"${CMAKE_SOURCE_DIR}/daemon/cohoursd.service.in\"
                 \"${CMAKE_BINARY_DIR}/packaging/cohoursd.service\" @ONLY)
  file(INSTALL \"${CMAKE_BINARY_DIR}/packaging/cohoursd.service\"
       DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${cohours_unit_dir}\"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
")

# Man pages, hand-written in troff (packaging/), with the version filled in
# and compressed as Debian wants them.
find_program(COHOURS_GZIP gzip)
foreach(page cohours.1 cohoursd.8)
  string(REGEX REPLACE ".*\\." "" section ${page})
  configure_file(${CMAKE_SOURCE_DIR}/packaging/${page} ${CMAKE_BINARY_DIR}/packaging/${page} @ONLY)
  if(COHOURS_GZIP)
    add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/packaging/${page}.gz
      COMMAND ${COHOURS_GZIP} -9n -c ${CMAKE_BINARY_DIR}/packaging/${page} > ${CMAKE_BINARY_DIR}/packaging/${page}.gz
      DEPENDS ${CMAKE_BINARY_DIR}/packaging/${page}
      COMMENT "man page ${page}")
    list(APPEND cohours_man_pages ${CMAKE_BINARY_DIR}/packaging/${page}.gz)
    install(FILES ${CMAKE_BINARY_DIR}/packaging/${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  else()
    install(FILES ${CMAKE_BINARY_DIR}/packaging/${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  endif()
endforeach()
add_custom_target(man_pages ALL DEPENDS ${cohours_man_pages})

# Bash completion: one script, read by bash-completion for both programs.
install(FILES ${CMAKE_SOURCE_DIR}/packaging/cohours.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME cohours)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/cohours.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME cohoursd)

# The phone web app, served by an installed cohoursd from here by default.
if(COHOURS_WEB_DIST)
  install(DIRECTORY ${COHOURS_WEB_DIST}/ DESTINATION ${CMAKE_INSTALL_DATADIR}/cohours/web)
endif()

# The guides the man pages point at.
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/operations.md ${CMAKE_SOURCE_DIR}/docs/cli.md
              ${CMAKE_SOURCE_DIR}/docs/api.md ${CMAKE_SOURCE_DIR}/docs/phone.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The .deb: cohours_VERSION_amd64.deb.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME cohours)
set(CPACK_PACKAGE_VENDOR "cohours")
set(CPACK_PACKAGE_CONTACT "cohours maintainers <cohours@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "time bank and volunteer credit ledger for social-care co-operatives")
set(CPACK_PACKAGE_DESCRIPTION "A co-op's append-only signed ledger of hours given and received (cohours),
and the daemon that serves it to members' phones and syncs it with the other
co-ops of a consortium (cohoursd, a systemd service running as the cohours
user). Members of the cohours group run cohours commands without sudo.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE "")
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# adduser makes the system user in postinst; passwd's useradd would do too,
# but adduser is what Debian's maintainer scripts use.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/debian/postinst
    ${CMAKE_SOURCE_DIR}/packaging/debian/prerm
    ${CMAKE_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
