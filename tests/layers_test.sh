#!/usr/bin/env bash
# The layers of docs/architecture.md, in the #include lines: CMake's link
# graph (cmake/layers.cmake) cannot see header-only libraries (Asio,
# nlohmann-json, CLI11), so each directory is checked for what it must not
# include. One line per breach, and the exit status.
#   layers_test.sh SOURCE_DIR
set -u
cd "$1" || exit 2
failed=0
# forbid DIR REGEX WHY [ALLOWED_REGEX]
forbid() {
  local dir=$1 pattern=$2 why=$3 allowed=${4:-^$}
  local hits
  hits=$(grep -rnE "$pattern" "$dir" --include='*.h' --include='*.cpp' | grep -vE "$allowed")
  if [ -n "$hits" ]; then
    echo "FAIL: $dir $why:"
    echo "$hits" | sed 's/^/    /'
    failed=$((failed + 1))
  fi
}
front_ends='#include [<"](cohours/(app|control|api|net)/|nlohmann/|boost/|CLI/)'
forbid engine "$front_ends" "includes a layer above it or a front end's library"
forbid engine 'system_clock::now|getenv' "reads the system clock or the environment (time comes from a Clock)" \
  '^engine/src/clock.cpp:'
forbid app '#include [<"](cohours/(control|api)/|nlohmann/|boost/|CLI/|sys/socket\.h)' \
  "includes JSON, sockets, argv or a front end"
forbid app '#include "cohours/net/' "includes net (only the consortium file is allowed)" 'cohours/net/consortium\.h'
forbid control '#include [<"](cohours/(api|net)/|boost/|CLI/)' "includes another front end" 'cohours/net/consortium\.h'
forbid api '#include [<"](cohours/(control|net)/|boost/|CLI/|sys/socket\.h)' "includes sockets or another front end" \
  'cohours/net/consortium\.h'
forbid net/src '#include [<"]cohours/(app|control|api)/' "knows a use case (net only carries bytes)"
forbid net/include '#include [<"]cohours/(app|control|api)/' "knows a use case (net only carries bytes)"
forbid cli '#include [<"](cohours/(api|net)/|boost/)' "includes sockets or the API" 'cohours/net/consortium\.h'
forbid daemon '#include "(session|run|host|output|commands)\.h"' "uses the CLI library"
if [ "$failed" -eq 0 ]; then echo "layers: every directory includes only what its layer may"; fi
[ "$failed" -eq 0 ]
