#include "mocks/event_loops.h"

#include <algorithm>
#include <system_error>

namespace chapcheck::mocks {

EventLoops::EventLoops(int count) {
  for (int i = 0; i < std::max(1, count); ++i) loops_.push_back(std::make_unique<Loop>());
}

std::optional<std::string> EventLoops::Start() {
  for (auto& loop : loops_) {
    try {
      loop->thread = std::thread([io = &loop->ioc] { io->run(); });
    } catch (const std::system_error& e) {
      Stop();
      return std::string(e.what());
    }
  }
  return std::nullopt;
}

void EventLoops::Stop() {
  for (auto& loop : loops_) loop->ioc.stop();
  for (auto& loop : loops_) {
    if (loop->thread.joinable()) loop->thread.join();
  }
}

void EventLoops::Clear() {
  Stop();
  loops_.clear();
}

}  // namespace chapcheck::mocks
