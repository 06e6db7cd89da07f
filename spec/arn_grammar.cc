#include "spec/arn_grammar.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <vector>

#include "base/utf8.h"

namespace chapcheck::spec {
namespace {

std::string Describe(const Segment& s, std::string_view fallback) {
  if (!s.name.empty()) return s.name;
  if (!s.literal.empty()) return "\"" + s.literal + "\"";
  return std::string(fallback);
}

// nullopt when the part matches the segment, else the reason.
std::optional<std::string> Check(const Segment& s, std::string_view part, std::string_view what) {
  const std::string name = Describe(s, what);
  if (!s.literal.empty()) {
    if (part != s.literal) return name + " is missing";
    return std::nullopt;
  }
  if (!s.one_of.empty()) {
    if (std::find(s.one_of.begin(), s.one_of.end(), part) == s.one_of.end()) {
      std::string list;
      for (const auto& o : s.one_of) list += (list.empty() ? "" : ", ") + o;
      return name + " is not one of " + list;
    }
    return std::nullopt;
  }
  const auto n = utf8::CountCodePoints(part);
  if (!n) return name + " is not valid UTF-8";
  if (s.charset) {
    if (auto m = s.charset->FirstMismatch(part)) {
      if (!m->code_point) return name + " is empty";
      return name + " has " + utf8::Describe(*m->code_point) + ", outside " + s.charset->text();
    }
  }
  if (*n < s.min_length || *n > s.max_length) {
    if (s.min_length == s.max_length) {
      return name + " must be " + std::to_string(s.min_length) + " characters, not " +
             std::to_string(*n);
    }
    return name + " has " + std::to_string(*n) + " characters, outside " +
           std::to_string(s.min_length) + ".." +
           (s.max_length == std::numeric_limits<std::size_t>::max() ? std::string("")
                                                                  : std::to_string(s.max_length));
  }
  return std::nullopt;
}

}  // namespace

ArnParts::ArnParts(std::initializer_list<std::pair<std::string, std::string>> parts) {
  for (const auto& [name, value] : parts) (*this)[name] = value;
}

std::string& ArnParts::operator[](std::string_view name) {
  for (auto& [n, value] : parts_) {
    if (n == name) return value;
  }
  if (parts_.empty()) parts_.reserve(8);  // the header's four and a few resource segments
  return parts_.emplace_back(std::string(name), std::string()).second;
}

const std::string& ArnParts::at(std::string_view name) const {
  if (const std::string* value = Find(name)) return *value;
  throw std::out_of_range("no ARN part named " + std::string(name));
}

const std::string* ArnParts::Find(std::string_view name) const {
  for (const auto& [n, value] : parts_) {
    if (n == name) return &value;
  }
  return nullptr;
}

Result<ArnParts> ParseArn(const ArnGrammar& g, std::string_view v) {
  std::array<std::string_view, 5> head;
  std::size_t start = 0;
  for (auto& part : head) {
    const auto colon = v.find(':', start);
    if (colon == std::string_view::npos) {
      return Error{"", "not an ARN: expected arn:partition:service:region:account:resource"};
    }
    part = v.substr(start, colon - start);
    start = colon + 1;
  }
  if (head[0] != "arn") return Error{"", "not an ARN: it does not start with \"arn:\""};
  ArnParts parts;
  const std::pair<const Segment*, const char*> fixed[] = {
      {&g.partition, "partition"}, {&g.service, "service"}, {&g.region, "region"},
      {&g.account, "account"}};
  for (int i = 0; i < 4; ++i) {
    if (auto why = Check(*fixed[i].first, head[i + 1], fixed[i].second)) return Error{"", *why};
    parts[fixed[i].second] = std::string(head[i + 1]);
  }
  std::string_view resource = v.substr(start);
  std::vector<std::string_view> pieces;
  pieces.reserve(g.resource.size() + 1);
  std::size_t p = 0;
  while (true) {
    const auto sep = resource.find(g.separator, p);
    pieces.push_back(resource.substr(p, sep == std::string_view::npos ? sep : sep - p));
    if (sep == std::string_view::npos) break;
    p = sep + 1;
  }
  if (pieces.size() != g.resource.size()) {
    return Error{"", "resource has " + std::to_string(pieces.size()) + " parts separated by '" +
                         std::string(1, g.separator) + "', the form needs " +
                         std::to_string(g.resource.size())};
  }
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const Segment& s = g.resource[i];
    if (auto why = Check(s, pieces[i], "resource part " + std::to_string(i + 1))) {
      return Error{"", *why};
    }
    if (!s.name.empty()) parts[s.name] = std::string(pieces[i]);
  }
  return parts;
}

Result<std::string> ExpandKey(std::string_view t, const ArnParts& parts, std::string_view whole) {
  std::string out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '{') {
      out.push_back(t[i]);
      continue;
    }
    const auto close = t.find('}', i);
    if (close == std::string_view::npos) return Error{"", "unclosed '{' in key template"};
    const auto name = t.substr(i + 1, close - i - 1);
    if (name == "$") {
      out += whole;
    } else if (const std::string* part = parts.Find(name)) {
      out += *part;
    } else {
      return Error{"", "key template names {" + std::string(name) + "}, which the grammar lacks"};
    }
    i = close;
  }
  return out;
}

}  // namespace chapcheck::spec
