#include "store/entry_change.h"

#include <unordered_map>

namespace cnake {

std::string_view ChangeKindCode(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kNotFinal:
      return "p";
    case ChangeKind::kCompleted:
      return "c";
    case ChangeKind::kFailed:
      return "f";
  }
  return "p";
}

std::vector<EntryChange> Fold(const WriteGroup& g) {
  std::vector<EntryChange> out;
  std::unordered_map<std::string, std::size_t> index;
  auto slot = [&](const std::string& id) -> EntryChange& {
    auto [it, inserted] = index.try_emplace(id, out.size());
    if (inserted) out.push_back({.entry_id = id});
    return out[it->second];
  };
  for (const Submitted& s : g.submitted) {
    EntryChange& e = slot(s.entry_id);
    e.state = EntryState::kSubmitted;
    e.submitted = true;
    e.request_id = s.request_id;
    e.clear_request_id = false;
    e.submission_seq = s.submission_seq;
    e.attempts = s.attempts;
  }
  for (const StateChange& c : g.state_changes) {
    EntryChange& e = slot(c.entry_id);
    e.state = c.state;
    e.attempts = c.attempts;
    e.submission_seq = c.submission_seq;
    if (c.last_error) e.last_error = c.last_error;
    if (c.clear_request_id) e.clear_request_id = true;
  }
  for (const Completion& c : g.completions) {
    EntryChange& e = slot(c.entry_id);
    e.kind = ChangeKind::kCompleted;
    e.attempts = c.attempts;
    e.last_error.reset();
    e.completion = &c;
  }
  for (const Failure& f : g.failures) {
    EntryChange& e = slot(f.entry_id);
    e.kind = ChangeKind::kFailed;
    e.attempts = f.attempts;
    e.last_error = f.error_type + ": " + f.message;
    e.failure = &f;
  }
  return out;
}

void MergeInto(EntryChange& earlier, const EntryChange& later) {
  EntryChange& e = earlier;
  e.completion = nullptr;
  e.failure = nullptr;
  if (e.kind != ChangeKind::kNotFinal && later.kind == ChangeKind::kNotFinal) return;
  e.kind = later.kind;
  e.state = later.state;
  if (later.submitted) {
    e.submitted = true;
    e.request_id = later.request_id;
    e.clear_request_id = false;
  } else if (later.clear_request_id) {
    e.submitted = false;
    e.request_id.clear();
    e.clear_request_id = true;
  }
  if (later.submission_seq) e.submission_seq = later.submission_seq;
  e.attempts = later.attempts;
  if (later.kind != ChangeKind::kNotFinal || later.last_error) e.last_error = later.last_error;
}

}  // namespace cnake
