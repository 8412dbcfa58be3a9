#include "host.h"

namespace cohours::cli {

namespace fs = std::filesystem;

namespace {
thread_local const HostedNode* t_host = nullptr;
thread_local std::optional<fs::path> t_client_cwd;

// Canonical where the path exists; otherwise as canonical as it can be made.
fs::path canonical_or_same(const fs::path& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  return ec ? path.lexically_normal() : canonical;
}
}  // namespace

const HostedNode* current_host() {
  return t_host;
}

const HostedNode* host_for(const std::string& data_dir) {
  if (!t_host) return nullptr;
  fs::path wanted = resolve_user_path(data_dir);
  if (wanted.empty()) return nullptr;
  return canonical_or_same(wanted) == canonical_or_same(t_host->data_dir) ? t_host : nullptr;
}

HostScope::HostScope(const HostedNode& host) : previous_(t_host) {
  t_host = &host;
}
HostScope::~HostScope() {
  t_host = previous_;
}

ClientCwdScope::ClientCwdScope(fs::path cwd) : previous_(t_client_cwd) {
  t_client_cwd = std::move(cwd);
}
ClientCwdScope::~ClientCwdScope() {
  t_client_cwd = previous_;
}

fs::path resolve_user_path(const std::string& text) {
  fs::path path = text;
  if (text.empty() || path.is_absolute() || !t_client_cwd) return path;
  return *t_client_cwd / path;
}

}  // namespace cohours::cli
