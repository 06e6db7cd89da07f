// InlineArena<Bytes>: a memory resource whose first Bytes live inside the object (on the stack,
// for a local), for the small std::pmr containers of a function that runs once per request: they
// then need no heap allocation (under AddressSanitizer each one costs more than the work it
// serves), and what outgrows the room spills over to the heap. Memory is released when the arena
// goes: declare it before the containers that use it. Neither copied nor moved.
#pragma once

#include <cstddef>
#include <memory_resource>

namespace chapcheck {

template <std::size_t Bytes>
class InlineArena {
 public:
  InlineArena() = default;
  InlineArena(const InlineArena&) = delete;
  InlineArena& operator=(const InlineArena&) = delete;
  std::pmr::memory_resource* get() { return &resource_; }

 private:
  alignas(std::max_align_t) std::byte storage_[Bytes];
  std::pmr::monotonic_buffer_resource resource_{storage_, Bytes, std::pmr::new_delete_resource()};
};

}  // namespace chapcheck
