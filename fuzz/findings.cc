#include "fuzz/findings.h"

#include <nlohmann/json.hpp>

#include "base/strings.h"

namespace chapcheck::fuzz {
namespace {

using json = nlohmann::json;

// The first `n` code points of a valid UTF-8 string (bytes when it is not valid UTF-8).
std::string Prefix(const std::string& s, std::size_t n) {
  std::size_t i = 0;
  for (std::size_t seen = 0; i < s.size() && seen < n; ++seen) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  }
  return s.substr(0, i);
}

std::size_t CodePoints(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

bool FindingSet::Add(FuzzFinding f) {
  auto it = findings_.find(f.key);
  if (it == findings_.end()) {
    if (f.hits == 0) f.hits = 1;
    findings_.emplace(f.key, std::move(f));
    return true;
  }
  it->second.hits += f.hits ? f.hits : 1;
  if (f.index < it->second.index) {
    const auto hits = it->second.hits;
    it->second = std::move(f);
    it->second.hits = hits;
  }
  return false;
}

std::size_t FindingSet::failures() const {
  std::size_t n = 0;
  for (const auto& [k, f] : findings_) n += f.status == conformance::Status::kFail;
  return n;
}

std::vector<spec::Request> Shrink(const spec::Spec& spec, const spec::Request& request) {
  std::vector<spec::Request> out;
  const json body = json::parse(request.body, nullptr, false);
  if (body.is_object()) {
    auto with = [&](const json& b) {
      spec::Request r = request;
      r.body = b.dump(-1, ' ', false, json::error_handler_t::replace);
      out.push_back(std::move(r));
    };
    for (auto it = body.begin(); it != body.end(); ++it) {
      json b = body;
      b.erase(it.key());
      with(b);
    }
    for (auto it = body.begin(); it != body.end(); ++it) {
      if (!it->is_string()) continue;
      const std::string v = it->get<std::string>();
      const std::size_t n = CodePoints(v);
      if (n < 2) continue;
      json b = body;
      b[it.key()] = Prefix(v, n / 2);
      with(b);
      b[it.key()] = Prefix(v, n - 1);
      with(b);
    }
  } else if (request.body.size() > 1) {
    spec::Request r = request;
    r.body = request.body.substr(0, request.body.size() / 2);
    out.push_back(std::move(r));
  }
  // Headers the protocol does not name.
  for (std::size_t i = 0; i < request.headers.size(); ++i) {
    const auto& name = request.headers[i].first;
    if (EqualsIgnoreAsciiCase(name, spec.protocol.target_header) || EqualsIgnoreAsciiCase(name, "Content-Type")) continue;
    spec::Request r = request;
    r.headers.erase(r.headers.begin() + static_cast<std::ptrdiff_t>(i));
    out.push_back(std::move(r));
  }
  return out;
}

Mutant Minimise(const Mutator& mutator, Mutant start, const std::function<bool(const Mutant&)>& still_fails, int budget) {
  Mutant best = std::move(start);
  bool progress = true;
  while (progress && budget > 0) {
    progress = false;
    for (spec::Request& r : Shrink(mutator.spec(), best.test_case.request)) {
      if (budget-- <= 0) break;
      generators::Case c = best.test_case;
      c.request = std::move(r);
      Mutant candidate = mutator.Judge(std::move(c));
      if (still_fails(candidate)) {
        best = std::move(candidate);
        progress = true;
        break;
      }
    }
  }
  best.test_case.name += ".min";
  best.test_case.id = generators::CaseId(best.test_case.name);
  return best;
}

}  // namespace chapcheck::fuzz
