// The Store's public calls: each looks for a ReadSnapshot of this store on
// the calling thread first (store.h). The guards of a thread form a short
// list on its stack, usually empty or of one.
#include "cohours/store.h"

namespace cohours {

namespace {

thread_local ReadSnapshot* t_innermost = nullptr;

Status refused_while_pinned() {
  return Status(Code::not_permitted,
                "this thread reads the store through a snapshot; no writes until it ends");
}

}  // namespace

ReadSnapshot::ReadSnapshot(const Store& store) {
  if (active(store)) return;  // the outer guard's snapshot serves
  view_ = store.snapshot();
  store_ = &store;
  outer_ = t_innermost;
  t_innermost = this;
}

ReadSnapshot::~ReadSnapshot() {
  if (!store_) return;
  // Normally the innermost; unlinked wherever it is all the same.
  for (ReadSnapshot** link = &t_innermost; *link; link = &(*link)->outer_)
    if (*link == this) {
      *link = outer_;
      break;
    }
}

bool ReadSnapshot::active(const Store& store) {
  for (const ReadSnapshot* guard = t_innermost; guard; guard = guard->outer_)
    if (guard->store_ == &store) return true;
  return false;
}

Status Store::get(Column column, std::string_view key, std::string* value) const {
  for (const ReadSnapshot* guard = t_innermost; guard; guard = guard->outer_)
    if (guard->store_ == this) return guard->view_->do_get(column, key, value);
  return do_get(column, key, value);
}

std::unique_ptr<Cursor> Store::scan(Column column, std::string_view from, std::string_view to) const {
  for (const ReadSnapshot* guard = t_innermost; guard; guard = guard->outer_)
    if (guard->store_ == this) return guard->view_->do_scan(column, from, to);
  return do_scan(column, from, to);
}

Status Store::write(const WriteBatch& batch, Durability durability) {
  if (ReadSnapshot::active(*this)) return refused_while_pinned();
  return do_write(batch, durability);
}

Status Store::clear(Column column) {
  if (ReadSnapshot::active(*this)) return refused_while_pinned();
  return do_clear(column);
}

Status Store::erase_range(Column column, std::string_view from, std::string_view to) {
  if (ReadSnapshot::active(*this)) return refused_while_pinned();
  return do_erase_range(column, from, to);
}

Status Store::checkpoint(const std::string&) const {
  return Status(Code::wrong_state, "only a store on disk can be copied as a checkpoint");
}

}  // namespace cohours
