// Result<T>: a value or an Error, the way every module reports failure across its boundary
// (ARCHITECTURE.md: errors are values at module boundaries, exceptions only inside a module).
//
// Error carries a human-readable message and, where it helps, a location ("where": a JSON path,
// a file:line, a header name). Neither may contain secret material.
// Thread-safety: plain values; copy freely, share const.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace chapcheck {

struct Error {
  std::string where;    // e.g. "$.input.members[2].rules[0].min" or "" when not applicable
  std::string message;  // what is wrong, in one sentence

  std::string ToString() const { return where.empty() ? message : where + ": " + message; }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}     // NOLINT: implicit
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace chapcheck
