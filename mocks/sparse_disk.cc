#include "mocks/sparse_disk.h"

#include <algorithm>

namespace chapcheck::mocks {

bool SparseDisk::Read(std::uint64_t offset, std::span<std::uint8_t> out) const {
  if (!InRange(offset, out.size())) return false;
  std::lock_guard lock(mu_);
  std::size_t done = 0;
  while (done < out.size()) {
    const std::uint64_t at = offset + done;
    const std::uint64_t page = at / kPageSize;
    const std::size_t in_page = static_cast<std::size_t>(at % kPageSize);
    const std::size_t n = std::min(out.size() - done, kPageSize - in_page);
    auto it = pages_.find(page);
    if (it == pages_.end()) {
      std::fill_n(out.begin() + static_cast<std::ptrdiff_t>(done), n, 0);
    } else {
      std::copy_n(it->second->begin() + static_cast<std::ptrdiff_t>(in_page), n, out.begin() + static_cast<std::ptrdiff_t>(done));
    }
    done += n;
  }
  return true;
}

bool SparseDisk::Write(std::uint64_t offset, std::span<const std::uint8_t> in) {
  if (!InRange(offset, in.size())) return false;
  if (in.empty()) return true;
  std::lock_guard lock(mu_);
  const std::uint64_t first = offset / kPageSize, last = (offset + in.size() - 1) / kPageSize;
  std::size_t missing = 0;
  for (std::uint64_t p = first; p <= last; ++p) missing += pages_.count(p) == 0 ? 1 : 0;
  if (pages_.size() + missing > budget_pages_) return false;
  std::size_t done = 0;
  while (done < in.size()) {
    const std::uint64_t at = offset + done;
    const std::size_t in_page = static_cast<std::size_t>(at % kPageSize);
    const std::size_t n = std::min(in.size() - done, kPageSize - in_page);
    auto& page = pages_[at / kPageSize];
    if (!page) page = std::make_unique<Page>(Page{});
    std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(done), n, page->begin() + static_cast<std::ptrdiff_t>(in_page));
    done += n;
  }
  return true;
}

std::size_t SparseDisk::stored_pages() const {
  std::lock_guard lock(mu_);
  return pages_.size();
}

}  // namespace chapcheck::mocks
