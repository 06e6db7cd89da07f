#include "generators/fuzz_input.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

namespace chapcheck::generators {
namespace {

std::string DictLine(std::string_view token) {
  std::string out = "\"";
  for (unsigned char c : token) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"\n";
}

// The characters just inside and just outside each range of a charset.
void CharsetEdges(const spec::Charset& cs, std::set<std::string>& out) {
  const auto& m = cs.members();
  for (std::size_t c = 0; c < 128; ++c) {
    const bool in = m.test(c);
    const bool prev = c > 0 && m.test(c - 1);
    const bool next = c + 1 < 128 && m.test(c + 1);
    if (in != prev || in != next) out.insert(std::string(1, static_cast<char>(c)));
  }
}

bool WriteFile(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  return static_cast<bool>(f);
}

}  // namespace

bool IsRawHttpInput(std::string_view bytes) {
  return !bytes.empty() && (static_cast<unsigned char>(bytes[0]) & 7) >= kRawHttpMode;
}

std::size_t FuzzBodyOffset(std::string_view bytes) {
  if (bytes.empty() || IsRawHttpInput(bytes)) return bytes.size();
  if (bytes.size() >= 2 && bytes[1] == '\n') return 2;  // no headers
  const auto end = bytes.find("\n\n", 1);
  return end == std::string_view::npos ? bytes.size() : end + 2;
}

FuzzInput DecodeFuzzInput(std::string_view bytes) {
  FuzzInput in;
  DecodeFuzzInput(bytes, in);
  return in;
}

void DecodeFuzzInput(std::string_view bytes, FuzzInput& into) {
  const spec::Request defaults;
  into.raw = false;
  into.auth = AuthMode::kSigned;
  into.request.method.assign(defaults.method);
  into.request.path.assign(defaults.path);
  into.request.body.clear();
  into.raw_http.clear();
  auto& headers = into.request.headers;
  if (bytes.empty()) {
    headers.clear();
    return;
  }
  if (IsRawHttpInput(bytes)) {
    headers.clear();
    into.raw = true;
    into.raw_http.assign(bytes.substr(1));
    return;
  }
  into.auth = static_cast<AuthMode>(static_cast<unsigned char>(bytes[0]) & 7);
  const std::size_t body = FuzzBodyOffset(bytes);
  std::string_view head = bytes.substr(1, body > 1 ? std::min(body, bytes.size()) - 1 : 0);
  // One header per line at most, and room for the four a signer adds (Host, X-Amz-Date, a
  // token, Authorization): the vector is allocated once. Capped: a head of a million empty lines
  // holds no header.
  std::size_t lines = 0;  // (memchr: one range check under AddressSanitizer, not one per byte)
  for (const char *p = head.data(), *end = p + head.size();
       (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)))) != nullptr; ++p) {
    ++lines;
  }
  headers.reserve(std::min<std::size_t>(lines, 32) + 4);
  std::size_t n = 0;  // headers read; those past n are the last input's, assigned over or dropped
  while (!head.empty()) {
    const auto nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    head = nl == std::string_view::npos ? std::string_view() : head.substr(nl + 1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (n == headers.size()) headers.emplace_back();
    headers[n].first.assign(line.substr(0, colon));
    headers[n].second.assign(value);
    ++n;
  }
  headers.resize(n);
  into.request.body.assign(bytes.substr(body));
}

std::string EncodeFuzzInput(const spec::Request& request, AuthMode auth) {
  std::string out(1, static_cast<char>(auth));
  for (const auto& [k, v] : request.headers) {
    // A header that cannot be written as one line is left out (no generated case has one).
    if (k.find_first_of(":\n") != std::string::npos || v.find('\n') != std::string::npos) continue;
    out += k + ": " + v + "\n";
  }
  out += "\n";
  return out + request.body;
}

std::string FuzzDictionary(const spec::Spec& spec) {
  std::set<std::string> tokens;
  for (const auto& m : spec.members) {
    tokens.insert("\"" + m.name + "\"");
    tokens.insert("\"" + m.name + "\":");
    for (const auto& r : m.rules) {
      if (r.pattern) CharsetEdges(*r.pattern, tokens);
    }
  }
  for (const auto& o : spec.output.members) tokens.insert("\"" + o.name + "\"");
  std::vector<std::string> operations = spec.siblings;
  operations.push_back(spec.operation);
  for (const auto& t : spec.protocol.targets) {
    tokens.insert(t.prefix);
    for (const auto& op : operations) tokens.insert(t.prefix + "." + op);
  }
  tokens.insert(spec.protocol.method);
  tokens.insert(spec.protocol.path);
  tokens.insert(spec.protocol.content_type);
  tokens.insert(spec.protocol.target_header + ": ");
  tokens.insert("Content-Type: ");
  tokens.insert("Authorization: ");
  tokens.insert("X-Amz-Date: ");
  tokens.insert("Content-Length: ");
  tokens.insert("Transfer-Encoding: chunked");
  tokens.insert(" HTTP/1.1\r\n");
  tokens.insert("\r\n\r\n");
  tokens.insert(spec.protocol.signing.algorithm);
  tokens.insert("Credential=");
  tokens.insert("SignedHeaders=");
  tokens.insert("Signature=");
  tokens.insert(spec.protocol.signing.name);
  tokens.insert("aws4_request");
  for (const auto& h : spec.protocol.signing.signed_headers) tokens.insert(h);
  for (const auto& t : spec.errors.types) {
    tokens.insert(t.name);
    for (const auto& a : t.aliases) tokens.insert(a);
  }
  for (const auto& c : spec.errors.documented_codes) tokens.insert(c);
  for (const auto& [_, g] : spec.grammars) {
    for (const auto* seg : {&g.partition, &g.service, &g.region, &g.account}) {
      for (const auto& v : seg->one_of) tokens.insert(v);
      if (seg->charset) CharsetEdges(*seg->charset, tokens);
    }
    tokens.insert(std::string(1, g.separator));
    for (const auto& seg : g.resource) {
      if (!seg.literal.empty()) tokens.insert(std::string(1, g.separator) + seg.literal + std::string(1, g.separator));
      for (const auto& v : seg.one_of) tokens.insert(v);
      if (seg.charset) CharsetEdges(*seg.charset, tokens);
    }
    tokens.insert("arn:");
  }
  // JSON structure and the UTF-8 widths that land on and just past byte bounds.
  for (const char* t : {"null", "true", "false", "[]", "{}", "1e999", "-0", "\\u0000", "\\ud800", "\"\":",
                        "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xC0\x80", "\xED\xA0\x80", "\xEF\xBB\xBF"}) {
    tokens.insert(t);
  }
  std::string out = "# libFuzzer dictionary generated from the spec by `chapcheck generate --dict`\n";
  for (const auto& t : tokens) {
    if (!t.empty()) out += DictLine(t);
  }
  return out;
}

Result<std::size_t> WriteFuzzCorpus(const std::vector<Case>& cases, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{dir, "cannot create the corpus directory: " + ec.message()};
  std::size_t n = 0;
  for (const auto& c : cases) {
    if (!WriteFile(std::filesystem::path(dir) / c.id, EncodeFuzzInput(c.request, c.auth))) {
      return Error{dir, "cannot write a seed file"};
    }
    ++n;
  }
  // Raw HTTP seeds: a few cases as an unsigned HTTP/1.1 request (chunked, and with a wrong length).
  std::size_t raw = 0;
  for (const auto& c : cases) {
    if (raw == 3) break;
    if (c.family != "example") continue;
    std::string head = c.request.method + " " + c.request.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto& [k, v] : c.request.headers) head += k + ": " + v + "\r\n";
    const std::string variants[] = {
        head + "Content-Length: " + std::to_string(c.request.body.size()) + "\r\n\r\n" + c.request.body,
        head + "Transfer-Encoding: chunked\r\n\r\n" + [&] {
          char len[16];
          std::snprintf(len, sizeof len, "%zx", c.request.body.size());
          return std::string(len) + "\r\n" + c.request.body + "\r\n0\r\n\r\n";
        }(),
    };
    for (const auto& v : variants) {
      const std::string bytes = std::string(1, static_cast<char>(kRawHttpMode)) + v;
      if (!WriteFile(std::filesystem::path(dir) / ("raw-" + std::to_string(n)), bytes)) {
        return Error{dir, "cannot write a seed file"};
      }
      ++n;
    }
    ++raw;
  }
  return n;
}

}  // namespace chapcheck::generators
