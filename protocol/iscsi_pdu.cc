#include "protocol/iscsi_pdu.h"

#include <algorithm>
#include <set>

namespace chapcheck::iscsi {

std::uint16_t Pdu::U16(std::size_t at) const { return static_cast<std::uint16_t>(bhs[at] << 8 | bhs[at + 1]); }

std::uint32_t Pdu::U32(std::size_t at) const {
  return static_cast<std::uint32_t>(bhs[at]) << 24 | static_cast<std::uint32_t>(bhs[at + 1]) << 16 |
         static_cast<std::uint32_t>(bhs[at + 2]) << 8 | static_cast<std::uint32_t>(bhs[at + 3]);
}

std::uint64_t Pdu::U64(std::size_t at) const { return static_cast<std::uint64_t>(U32(at)) << 32 | U32(at + 4); }

void Pdu::SetU16(std::size_t at, std::uint16_t v) {
  bhs[at] = static_cast<std::uint8_t>(v >> 8);
  bhs[at + 1] = static_cast<std::uint8_t>(v);
}

void Pdu::SetU32(std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) bhs[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

void Pdu::SetU64(std::size_t at, std::uint64_t v) {
  SetU32(at, static_cast<std::uint32_t>(v >> 32));
  SetU32(at + 4, static_cast<std::uint32_t>(v));
}

namespace {
std::size_t Padded(std::size_t n) { return (n + 3) & ~static_cast<std::size_t>(3); }
}  // namespace

void AppendSerialized(const Pdu& pdu, std::vector<std::uint8_t>& out) {
  std::array<std::uint8_t, kBhsSize> bhs = pdu.bhs;
  bhs[4] = static_cast<std::uint8_t>(pdu.ahs.size() / 4);
  const std::size_t n = pdu.data.size();
  bhs[5] = static_cast<std::uint8_t>(n >> 16);
  bhs[6] = static_cast<std::uint8_t>(n >> 8);
  bhs[7] = static_cast<std::uint8_t>(n);
  // Grow geometrically: a reply of many PDUs (Data-In for a large READ) is appended one PDU at a
  // time, and reserving the exact size each time copied the whole buffer per PDU.
  const std::size_t need = out.size() + kBhsSize + pdu.ahs.size() + Padded(n);
  if (need > out.capacity()) out.reserve(std::max(need, 2 * out.capacity()));
  out.insert(out.end(), bhs.begin(), bhs.end());
  out.insert(out.end(), pdu.ahs.begin(), pdu.ahs.end());
  out.insert(out.end(), pdu.data.begin(), pdu.data.end());
  out.resize(out.size() + (Padded(n) - n), 0);
}

std::vector<std::uint8_t> Serialize(const Pdu& pdu) {
  std::vector<std::uint8_t> out;
  AppendSerialized(pdu, out);
  return out;
}

void PduReader::Feed(std::span<const std::uint8_t> bytes) {
  if (failed_) return;
  // Drop what has been consumed before growing, so the buffer holds at most one PDU plus a read.
  if (start_ > 0 && (start_ == buffer_.size() || start_ > (64u << 10))) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
    start_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

Result<std::optional<Pdu>> PduReader::Next() {
  if (failed_) return *failed_;
  const std::size_t have = buffer_.size() - start_;
  if (have < kBhsSize) return std::optional<Pdu>();
  const std::uint8_t* p = buffer_.data() + start_;
  const std::size_t ahs_len = static_cast<std::size_t>(p[4]) * 4;
  const std::size_t data_len = static_cast<std::size_t>(p[5]) << 16 | static_cast<std::size_t>(p[6]) << 8 | p[7];
  if (data_len > max_data_) {
    failed_ = Error{"DataSegmentLength", "data segment of " + std::to_string(data_len) + " bytes exceeds the limit of " +
                                             std::to_string(max_data_)};
    return *failed_;
  }
  const std::size_t total = kBhsSize + ahs_len + Padded(data_len);
  if (have < total) return std::optional<Pdu>();
  Pdu pdu;
  std::copy(p, p + kBhsSize, pdu.bhs.begin());
  pdu.ahs.assign(p + kBhsSize, p + kBhsSize + ahs_len);
  pdu.data.assign(p + kBhsSize + ahs_len, p + kBhsSize + ahs_len + data_len);
  start_ += total;
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
  return std::optional<Pdu>(std::move(pdu));
}

namespace {

bool KeyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '+' || c == '@' || c == '_';
}

}  // namespace

Result<KeyValues> ParseText(std::span<const std::uint8_t> data, const TextLimits& limits) {
  KeyValues out;
  std::set<std::string, std::less<>> seen;
  std::size_t i = 0;
  while (i < data.size()) {
    const auto nul = std::find(data.begin() + static_cast<std::ptrdiff_t>(i), data.end(), 0);
    if (nul == data.end()) return Error{"text", "a key=value pair is not terminated by NUL"};
    const std::string_view pair(reinterpret_cast<const char*>(data.data()) + i,
                                static_cast<std::size_t>(nul - data.begin()) - i);
    i = static_cast<std::size_t>(nul - data.begin()) + 1;
    if (pair.empty()) {
      // Padding NULs after the last pair are tolerated; a NUL between pairs is not.
      if (std::all_of(data.begin() + static_cast<std::ptrdiff_t>(i), data.end(), [](std::uint8_t b) { return b == 0; })) break;
      return Error{"text", "an empty key=value pair"};
    }
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) return Error{"text", "a pair without '='"};
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = pair.substr(eq + 1);
    if (key.empty() || key.size() > limits.max_key || !std::all_of(key.begin(), key.end(), KeyChar)) {
      return Error{"text", "a key name that is empty, too long or not of [A-Za-z0-9.-+@_]"};
    }
    if (value.size() > limits.max_value) return Error{std::string(key), "value longer than " + std::to_string(limits.max_value) + " bytes"};
    if (out.size() >= limits.max_pairs) return Error{"text", "more than " + std::to_string(limits.max_pairs) + " keys"};
    if (!seen.emplace(key).second && !limits.allow_repeats) return Error{std::string(key), "key sent twice"};
    out.emplace_back(std::string(key), std::string(value));
  }
  return out;
}

std::vector<std::uint8_t> FormatText(const KeyValues& pairs) {
  std::vector<std::uint8_t> out;
  for (const auto& [k, v] : pairs) {
    out.insert(out.end(), k.begin(), k.end());
    out.push_back('=');
    out.insert(out.end(), v.begin(), v.end());
    out.push_back(0);
  }
  return out;
}

const std::string* FindKey(const KeyValues& pairs, std::string_view key) {
  for (const auto& [k, v] : pairs) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::optional<std::uint64_t> ParseNumber(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    const auto b = static_cast<std::uint64_t>(base);
    if (v > (UINT64_MAX - static_cast<std::uint64_t>(d)) / b) return std::nullopt;
    v = v * b + static_cast<std::uint64_t>(d);
  }
  return v;
}

}  // namespace chapcheck::iscsi
