#include "conformance/target_gates.h"

#include <utility>

namespace chapcheck::conformance {

TargetGates::Pass::Pass(Pass&& other) noexcept
    : gates_(std::exchange(other.gates_, nullptr)), ticket_(std::exchange(other.ticket_, 0)) {}

TargetGates::Pass& TargetGates::Pass::operator=(Pass&& other) noexcept {
  if (this != &other) {
    Release();
    gates_ = std::exchange(other.gates_, nullptr);
    ticket_ = std::exchange(other.ticket_, 0);
  }
  return *this;
}

TargetGates::Pass::~Pass() { Release(); }

bool TargetGates::Pass::Release() {
  if (!gates_) return false;
  const bool overlapped = gates_->Leave(ticket_);
  gates_ = nullptr;
  return overlapped;
}

TargetGates::Pass TargetGates::Enter(Mode mode, const std::string& target) {
  std::unique_lock lock(mu_);
  Target& t = targets_[mode == Mode::kGlobal ? std::string() : target];
  switch (mode) {
    case Mode::kShared:
      changed_.wait(lock, [&] { return !global_ && global_waiting_ == 0 && !t.exclusive && t.exclusive_waiting == 0; });
      ++t.shared;
      break;
    case Mode::kExclusive:
      ++t.exclusive_waiting;
      changed_.wait(lock, [&] { return !global_ && global_waiting_ == 0 && !t.exclusive && t.shared == 0; });
      --t.exclusive_waiting;
      t.exclusive = true;
      break;
    case Mode::kGlobal:
      ++global_waiting_;
      changed_.wait(lock, [&] { return !global_ && held_.empty(); });
      --global_waiting_;
      global_ = true;
      break;
  }
  Held h{mode, mode == Mode::kGlobal ? std::string() : target, !held_.empty()};
  for (auto& [ticket, other] : held_) other.overlapped = true;
  Pass pass;
  pass.gates_ = this;
  pass.ticket_ = next_ticket_++;
  held_.emplace(pass.ticket_, std::move(h));
  return pass;
}

bool TargetGates::Leave(std::uint64_t ticket) {
  std::lock_guard lock(mu_);
  auto it = held_.find(ticket);
  if (it == held_.end()) return false;
  const Held h = std::move(it->second);
  held_.erase(it);
  switch (h.mode) {
    case Mode::kShared: --targets_[h.target].shared; break;
    case Mode::kExclusive: targets_[h.target].exclusive = false; break;
    case Mode::kGlobal: global_ = false; break;
  }
  changed_.notify_all();
  return h.overlapped;
}

}  // namespace chapcheck::conformance
