// chapcheck generate: the spec-derived cases as JSON lines, for review and as fuzz seeds.
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>

#include "cli/commands.h"
#include "cli/fixture_context.h"
#include "generators/cases.h"
#include "generators/fuzz_input.h"
#include "mocks/gateway_state.h"
#include "spec/loader.h"

namespace chapcheck::cli {
namespace {

constexpr const char* kGenerateUsage =
    "usage: chapcheck generate [--out DIR] [--fuzz-corpus DIR] [--dict FILE] [options]\n"
    "\n"
    "Writes DIR/cases.jsonl: one generated case per line (id, name, family, rule, auth, request,\n"
    "expect), derived from the spec alone. Without --target-arn the cases aim at the built-in mock's\n"
    "default fixture (its targets and gateways are the world the expectations assume).\n"
    "\n"
    "  --spec FILE                 use FILE instead of the built-in spec\n"
    "  --target-arn ARN            the target the cases update (it must exist)\n"
    "  --other-target-arn ARN      a second existing target\n"
    "  --offline-target-arn ARN    a target on a gateway that is offline\n"
    "  --seed N                    the pairwise rows' seed (default 1)\n"
    "  --fuzz-corpus DIR           also write the cases as fuzz seeds (fuzz/README.md), one file each\n"
    "  --dict FILE                 also write a libFuzzer dictionary derived from the spec\n"
    "At least one of --out, --fuzz-corpus and --dict is required.\n";

}  // namespace

int GenerateCommand(const Args& args, std::ostream& out, std::ostream& err) {
  std::optional<std::string> dir, spec_file, corpus_dir, dict_file;
  generators::Context ctx;
  bool explicit_target = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--help" || a == "-h") {
      out << kGenerateUsage;
      return kExitOk;
    } else if (a == "--out" && has_value) {
      dir = args[++i];
    } else if (a == "--fuzz-corpus" && has_value) {
      corpus_dir = args[++i];
    } else if (a == "--dict" && has_value) {
      dict_file = args[++i];
    } else if (a == "--spec" && has_value) {
      spec_file = args[++i];
    } else if (a == "--target-arn" && has_value) {
      ctx.target_arn = args[++i];
      explicit_target = true;
    } else if (a == "--other-target-arn" && has_value) {
      ctx.other_target_arn = args[++i];
    } else if (a == "--offline-target-arn" && has_value) {
      ctx.offline_target_arn = args[++i];
    } else if (a == "--seed" && has_value) {
      const std::string& n = args[++i];
      if (n.empty() || n.size() > 19 || n.find_first_not_of("0123456789") != std::string::npos) {
        err << "chapcheck generate: --seed takes a whole number\n";
        return kExitUsage;
      }
      ctx.seed = std::stoull(n);
    } else {
      err << "chapcheck generate: unknown option or missing value: " << a << "\n" << kGenerateUsage;
      return kExitUsage;
    }
  }
  if (!dir && !corpus_dir && !dict_file) {
    err << "chapcheck generate: --out DIR, --fuzz-corpus DIR or --dict FILE is required\n" << kGenerateUsage;
    return kExitUsage;
  }
  auto s = spec_file ? spec::LoadSpec(*spec_file) : spec::LoadEmbeddedSpec();
  if (!s) {
    err << "chapcheck generate: spec " << (spec_file ? *spec_file : "<built-in>") << ": " << s.error().ToString() << "\n";
    return kExitUsage;
  }
  if (!explicit_target) {
    auto fixture = mocks::ParseFixture(mocks::DefaultFixtureText());
    if (!fixture) {
      err << "chapcheck generate: the built-in fixture does not load: " << fixture.error().ToString() << "\n";
      return kExitUsage;
    }
    const std::uint64_t seed = ctx.seed;
    ctx = ContextFromFixture(*fixture);
    ctx.seed = seed;
  }
  if (ctx.target_arn.empty()) {
    err << "chapcheck generate: no target to aim at: give --target-arn\n";
    return kExitUsage;
  }
  const auto cases = generators::Generate(*s, ctx);
  if (corpus_dir) {
    const auto n = generators::WriteFuzzCorpus(cases, *corpus_dir);
    if (!n) {
      err << "chapcheck generate: " << n.error().ToString() << "\n";
      return kExitUsage;
    }
    out << "wrote " << *n << " fuzz seeds to " << *corpus_dir << "\n";
  }
  if (dict_file) {
    std::ofstream d(*dict_file, std::ios::binary | std::ios::trunc);
    d << generators::FuzzDictionary(*s);
    d.close();
    if (!d) {
      err << "chapcheck generate: cannot write " << *dict_file << "\n";
      return kExitUsage;
    }
    out << "wrote the fuzz dictionary " << *dict_file << "\n";
  }
  if (!dir) return kExitOk;
  std::error_code ec;
  std::filesystem::create_directories(*dir, ec);
  const std::string path = (std::filesystem::path(*dir) / "cases.jsonl").string();
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (ec || !file) {
    err << "chapcheck generate: cannot write " << path << "\n";
    return kExitUsage;
  }
  std::map<std::string, std::size_t> families;
  for (const auto& c : cases) {
    file << generators::ToJsonLine(c) << "\n";
    ++families[c.family];
  }
  file.close();
  if (!file) {
    err << "chapcheck generate: writing " << path << " failed\n";
    return kExitUsage;
  }
  out << "chapcheck generate: " << cases.size() << " cases for " << s->operation << " against " << ctx.target_arn
      << "\n";
  for (const auto& [family, n] : families) out << "  " << family << ": " << n << "\n";
  out << "wrote " << path << "\n";
  return kExitOk;
}

}  // namespace chapcheck::cli
