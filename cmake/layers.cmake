# The arrows of docs/architecture.md, checked when the build is configured:
# a target that links what its layer must not use, or gets it passed on by
# a library it links, stops the configuration with the reason. tests/layers_test.sh checks
# the #include lines, which header-only libraries would otherwise get past.

# Every target whose headers `target` can see: those it links, and what
# they pass on to it (their public links). A library's private links
# ($<LINK_ONLY:...>: the consortium file's JSON, the engine's RocksDB) are
# hidden from it and do not count.
function(cohours_linked_targets target out)
  get_target_property(queue ${target} LINK_LIBRARIES)
  set(seen "")
  while(queue)
    list(POP_FRONT queue current)
    if(NOT current OR current MATCHES "-NOTFOUND$" OR current MATCHES "^\\$<LINK_ONLY:" OR current IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${current})
    if(TARGET ${current})
      get_target_property(passed ${current} INTERFACE_LINK_LIBRARIES)
      if(passed)
        list(APPEND queue ${passed})
      endif()
    endif()
  endwhile()
  set(${out} ${seen} PARENT_SCOPE)
endfunction()

function(cohours_forbid target)
  cohours_linked_targets(${target} linked)
  foreach(forbidden IN LISTS ARGN)
    if(forbidden IN_LIST linked)
      message(FATAL_ERROR "${target} must not link ${forbidden} (docs/architecture.md: the layers)")
    endif()
  endforeach()
endfunction()

set(cohours_front_ends cohours_cli cohours_control cohours_api cohours_net)
# engine: every ledger rule; no sockets, argv or JSON, nothing above it.
cohours_forbid(cohours_engine cohours_app cohours_consortium ${cohours_front_ends}
               Boost::headers nlohmann_json::nlohmann_json CLI11::CLI11)
# app: use cases on the engine (and the consortium file); no sockets, argv or JSON.
cohours_forbid(cohours_app ${cohours_front_ends} Boost::headers nlohmann_json::nlohmann_json CLI11::CLI11)
# The front ends call app; none calls another.
cohours_forbid(cohours_control cohours_cli cohours_api cohours_net Boost::headers CLI11::CLI11)
cohours_forbid(cohours_api cohours_cli cohours_control cohours_net Boost::headers CLI11::CLI11)
cohours_forbid(cohours_cli cohours_api cohours_net Boost::headers)
# net carries sync and HTTP; it knows no use case.
cohours_forbid(cohours_net cohours_app cohours_cli cohours_control cohours_api CLI11::CLI11)
# Only the cohours executable links the CLI library.
cohours_forbid(cohoursd cohours_cli)
