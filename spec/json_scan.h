// ScanJson: reads raw request bytes as one JSON text and reports what the spec verdict needs,
// without building a DOM and without throwing: whether it parses (RFC 8259, strict UTF-8, finite
// numbers), the kind of the top-level value, duplicate keys at any depth, and the top-level
// object's members (last value wins, strings decoded to UTF-8).
// Member names and string values are views: of the scanned text where it holds them as they are
// (no escape), else of text the scan decoded and keeps. The scanned text must outlive the scan.
//
// Depth is bounded only by the input: the parser is iterative and the scanner keeps one small
// frame per open object. Error texts never quote the input (it may hold secrets).
// Pure function; any thread.
#pragma once

#include <cstddef>
#include <forward_list>
#include <string>
#include <string_view>
#include <utility>

#include <boost/container/small_vector.hpp>

namespace chapcheck::spec {

enum class JsonKind { kNull, kBoolean, kInteger, kNumber, kString, kArray, kObject };
std::string_view ToString(JsonKind k);

struct JsonScan {
  bool ok = false;
  // When !ok: what kind of error ("syntax error", "number out of range", "could not be read")
  // and, but for the last, at which byte. A fixed text and a number: most bodies a fuzzer sends
  // are not JSON, and only the ones reported need the sentence, which Error() writes.
  std::string_view error_kind;
  std::size_t error_offset = 0;
  bool error_has_offset = false;
  std::string Error() const;  // e.g. "syntax error at byte 12"; "" when ok
  JsonKind top = JsonKind::kNull;
  bool duplicate_keys = false;
  std::string first_duplicate;    // JSON path of the first repeated key, e.g. "$.TargetARN"
  std::size_t max_depth = 0;

  struct Member {
    std::string_view name;     // decoded: a view of the text, or of `decoded`
    JsonKind kind = JsonKind::kNull;
    std::string_view string_value;  // when kind == kString, decoded: likewise
    // Where the (last) value stands in the scanned text: [value_begin, value_end) is its JSON as
    // sent, for callers that copy or replace it without a DOM.
    std::size_t value_begin = 0;
    std::size_t value_end = 0;
    // The value's JSON as sent: its span of `text`, the text that was scanned.
    std::string_view Raw(std::string_view text) const { return text.substr(value_begin, value_end - value_begin); }
  };
  // Top-level object members in first-seen order, last value wins. Room for eight inline: a
  // request or error body has a few, and each scan (several per fuzz execution) then needs no
  // heap block for them.
  boost::container::small_vector<Member, 8> members;
  // Names and values that had escapes, decoded. A list: its strings stay where they are as it
  // grows and when the scan is moved, so the views above stay valid (a copy would not: none).
  std::forward_list<std::string> decoded;

  JsonScan() = default;
  JsonScan(JsonScan&&) = default;
  JsonScan& operator=(JsonScan&&) = default;
  JsonScan(const JsonScan&) = delete;
  JsonScan& operator=(const JsonScan&) = delete;

  const Member* Find(std::string_view name) const;
};

JsonScan ScanJson(std::string_view text);

}  // namespace chapcheck::spec
