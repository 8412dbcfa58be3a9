// Early return of a failed Result or Status inside the use cases, so each
// reads as the steps it takes (as absl's ASSIGN_OR_RETURN).
#pragma once

#include <utility>

#define COHOURS_CONCAT_INNER(a, b) a##b
#define COHOURS_CONCAT(a, b) COHOURS_CONCAT_INNER(a, b)

// TRY_ASSIGN(auto key, member_key(node, text));
#define TRY_ASSIGN(declaration, expression)                                                               \
  auto COHOURS_CONCAT(try_result_, __LINE__) = (expression);                                              \
  if (!COHOURS_CONCAT(try_result_, __LINE__).ok()) return COHOURS_CONCAT(try_result_, __LINE__).status(); \
  declaration = std::move(COHOURS_CONCAT(try_result_, __LINE__)).value()

// TRY_STATUS(check_something());
#define TRY_STATUS(expression)                                                                     \
  do {                                                                                             \
    ::cohours::Status COHOURS_CONCAT(try_status_, __LINE__) = (expression);                        \
    if (!COHOURS_CONCAT(try_status_, __LINE__).ok()) return COHOURS_CONCAT(try_status_, __LINE__); \
  } while (0)
