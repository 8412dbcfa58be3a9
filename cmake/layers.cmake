# The arrows of docs/architecture.md, checked when the build is configured:
# a target that links (directly or through another) what its layer must not
# use stops the configuration with the reason. tests/layers_test.sh checks
# the #include lines, which header-only libraries would otherwise get past.

# Every target `target` links, directly or through the targets it links.
function(cohours_linked_targets target out)
  set(seen "")
  set(queue ${target})
  while(queue)
    list(POP_FRONT queue current)
    if(NOT TARGET ${current} OR current IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${current})
    get_target_property(direct ${current} LINK_LIBRARIES)
    get_target_property(interface ${current} INTERFACE_LINK_LIBRARIES)
    foreach(lib IN LISTS direct interface)
      if(lib AND NOT lib MATCHES "-NOTFOUND$")
        string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" lib "${lib}")
        list(APPEND queue ${lib})
      endif()
    endforeach()
  endwhile()
  list(REMOVE_ITEM seen ${target})
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
