// EventLoops: a fixed set of single-threaded Asio event loops, each run by a thread of its own.
// The mock's HTTP server (mocks/server.cc) and iSCSI portal (mocks/iscsi_portal.cc) each hand
// every accepted connection to one loop, where it lives from accept to close, so the I/O path
// needs no strand or lock. Internal to mocks/ (it brings in Asio's io_context).
// Not thread-safe itself: its owner creates, starts, stops and clears it from one thread, and
// Next() is called by one thread at a time (the accepting loop's).
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace chapcheck::mocks {

class EventLoops {
 public:
  explicit EventLoops(int count);  // at least one loop
  EventLoops(const EventLoops&) = delete;
  EventLoops& operator=(const EventLoops&) = delete;
  ~EventLoops() { Clear(); }

  boost::asio::io_context& First() { return loops_.front()->ioc; }
  // The loops in turn, for the next accepted connection.
  boost::asio::io_context& Next() { return loops_[next_++ % loops_.size()]->ioc; }

  // Starts one thread per loop. When one cannot start (a process limit), the started ones are
  // stopped and joined, and the reason is returned.
  std::optional<std::string> Start();
  // Stops every loop and joins its thread. Idempotent.
  void Stop();
  // Stops, then destroys the loops with what they still hold (open connections, timers).
  void Clear();

 private:
  struct Loop {
    boost::asio::io_context ioc{1};
    // Keeps run() going while the loop has nothing to do yet.
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work =
        boost::asio::make_work_guard(ioc);
    std::thread thread;
  };
  std::vector<std::unique_ptr<Loop>> loops_;
  std::size_t next_ = 0;
};

}  // namespace chapcheck::mocks
