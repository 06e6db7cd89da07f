// SparseDisk: the contents of one mock volume, in memory, storing only the pages that were
// written (4 KiB each) under a memory budget; unwritten bytes read as zeros. The reported
// capacity is the volume's size, however little is stored.
//
// Thread-safety: every method may be called from any thread (sessions of several connections
// write the same volume); one mutex serialises access.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>

namespace chapcheck::mocks {

class SparseDisk {
 public:
  static constexpr std::size_t kPageSize = 4096;

  SparseDisk(std::uint64_t size_bytes, std::size_t memory_budget_bytes)
      : size_(size_bytes), budget_pages_(memory_budget_bytes / kPageSize) {}

  std::uint64_t size() const { return size_; }
  // Fills `out` from `offset`. False (nothing read) when the range is outside the disk.
  bool Read(std::uint64_t offset, std::span<std::uint8_t> out) const;
  // False when the range is outside the disk or storing it would exceed the budget; then nothing
  // is written.
  bool Write(std::uint64_t offset, std::span<const std::uint8_t> in);
  std::size_t stored_pages() const;

 private:
  using Page = std::array<std::uint8_t, kPageSize>;
  bool InRange(std::uint64_t offset, std::size_t n) const { return offset <= size_ && n <= size_ - offset; }

  const std::uint64_t size_;
  const std::size_t budget_pages_;
  mutable std::mutex mu_;
  std::map<std::uint64_t, std::unique_ptr<Page>> pages_;
};

}  // namespace chapcheck::mocks
