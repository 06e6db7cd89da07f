// Test and benchmark support: a blocking TCP client connection to an iSCSI portal (plain POSIX
// sockets with a receive timeout, so a broken portal fails a test instead of hanging it), giving
// the test initiator its Exchange. One connection per object; one thread at a time.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mocks/iscsi_test_initiator.h"
#include "protocol/iscsi_pdu.h"

namespace chapcheck::mocks::testing {

// A blocking client connection.
class Client {
 public:
  explicit Client(std::uint16_t port, const std::string& host = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, host.c_str(), &a.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~Client() {
    if (fd_ >= 0) ::close(fd_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }

  Exchange exchange() {
    return [this](const iscsi::Pdu& pdu) -> std::optional<std::vector<iscsi::Pdu>> {
      const auto bytes = iscsi::Serialize(pdu);
      if (::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(bytes.size())) return std::nullopt;
      std::vector<iscsi::Pdu> got;
      // Data-Out in the middle of a burst gets no answer: do not wait for one.
      if (pdu.opcode() == iscsi::Opcode::kDataOut && !pdu.final()) return got;
      while (true) {
        auto next = reader_.Next();
        if (!next) return std::nullopt;
        if (next->has_value()) {
          got.push_back(std::move(**next));
          if (EndsExchange(got.back())) return got;
          continue;
        }
        std::uint8_t buf[65536];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) return std::nullopt;
        reader_.Feed(std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n)));
      }
    };
  }

  // True when the portal has closed this connection within `ms`.
  bool ClosedWithin(int ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return false;
    std::uint8_t buf[256];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  iscsi::PduReader reader_;
};

}  // namespace chapcheck::mocks::testing
