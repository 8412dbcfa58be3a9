#include "output_paths.h"

#include "output.h"

namespace cohours::cli {

namespace fs = std::filesystem;

void refuse_inside_data_dir(const GlobalOptions& options, const fs::path& target) {
  std::error_code ec;
  // Links and `..` resolved, for paths that do not exist yet too.
  const fs::path data = fs::weakly_canonical(fs::absolute(options.data_dir), ec);
  if (ec) return;  // no data directory to protect
  const fs::path where = fs::weakly_canonical(fs::absolute(target), ec);
  if (ec) return;  // the write itself will say what is wrong
  auto d = data.begin();
  auto w = where.begin();
  for (; d != data.end() && w != where.end(); ++d, ++w)
    if (*d != *w) return;
  if (d == data.end() || (std::next(d) == data.end() && d->empty()))
    fail(Code::not_permitted, target.string() + " is inside the node's data directory " + options.data_dir +
                                  "; write it somewhere else");
}

}  // namespace cohours::cli
