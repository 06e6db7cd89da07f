#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "cli/commands.h"
#include "spec/loader.h"

namespace chapcheck::cli {
namespace {

struct CliRun {
  int rc;
  std::string out, err;
};

CliRun Chapcheck(const Args& args) {
  std::ostringstream out, err;
  const int rc = Main(args, out, err);
  return CliRun{rc, out.str(), err.str()};
}

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("cli-test-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& text) const {
    const auto p = path_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

const char* kArn =
    "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/iqn.1997-05.com.amazon:myvolume";

std::string Body(const std::string& secret) {
  return nlohmann::json{{"TargetARN", kArn}, {"SecretToAuthenticateInitiator", secret}, {"InitiatorName", "iqn.a:b"}}
      .dump();
}

TEST(Cli, HelpVersionAndUnknownCommands) {
  EXPECT_EQ(Chapcheck({"help"}).rc, kExitOk);
  EXPECT_NE(Chapcheck({"--help"}).out.find("spec"), std::string::npos);
  EXPECT_EQ(Chapcheck({"version"}).rc, kExitOk);
  EXPECT_EQ(Chapcheck({}).rc, kExitUsage);
  const CliRun bad = Chapcheck({"frobnicate"});
  EXPECT_EQ(bad.rc, kExitUsage);
  EXPECT_NE(bad.err.find("unknown command"), std::string::npos);
  EXPECT_EQ(Chapcheck({"spec"}).rc, kExitUsage);
  EXPECT_EQ(Chapcheck({"spec", "nope"}).rc, kExitUsage);
}

TEST(Cli, LintPassesTheBuiltInSpecAndFailsAConflictingOne) {
  const CliRun ok = Chapcheck({"spec", "lint"});
  EXPECT_EQ(ok.rc, kExitOk) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("0 errors, 0 warnings"), std::string::npos);

  TempDir dir;
  auto doc = nlohmann::json::parse(spec::EmbeddedSpecText());
  doc["input"]["members"][2]["rules"][3]["pattern"] = "[0-9a-z.-]+";
  const CliRun conflict = Chapcheck({"spec", "lint", dir.Write("conflict.json", doc.dump())});
  EXPECT_EQ(conflict.rc, kExitFindings) << conflict.out;
  EXPECT_NE(conflict.out.find("2 errors"), std::string::npos) << conflict.out;
}

TEST(Cli, BadSpecFilesAreUsageErrorsWithPathAndReason) {
  TempDir dir;
  const CliRun missing = Chapcheck({"spec", "lint", "/nonexistent.json"});
  EXPECT_EQ(missing.rc, kExitUsage);
  EXPECT_NE(missing.err.find("cannot open"), std::string::npos);
  const CliRun syntax = Chapcheck({"spec", "lint", dir.Write("bad.json", "{\"format\":")});
  EXPECT_EQ(syntax.rc, kExitUsage);
  EXPECT_NE(syntax.err.find("not valid JSON"), std::string::npos);
  auto doc = nlohmann::json::parse(spec::EmbeddedSpecText());
  doc["output"]["status"] = 999;
  const CliRun range = Chapcheck({"spec", "lint", dir.Write("range.json", doc.dump())});
  EXPECT_EQ(range.rc, kExitUsage);
  EXPECT_NE(range.err.find("$.output.status"), std::string::npos) << range.err;
  EXPECT_EQ(Chapcheck({"spec", "lint", "a.json", "b.json"}).rc, kExitUsage);
  EXPECT_EQ(Chapcheck({"spec", "lint", "--frob"}).rc, kExitUsage);
}

TEST(Cli, DiffAwsNeedsAReadableModel) {
  EXPECT_EQ(Chapcheck({"spec", "diff-aws"}).rc, kExitUsage);
  EXPECT_EQ(Chapcheck({"spec", "diff-aws", "/nonexistent/service-2.json"}).rc, kExitUsage);
  TempDir dir;
  const CliRun notmodel = Chapcheck({"spec", "diff-aws", dir.Write("m.json", "{\"metadata\": {}}")});
  EXPECT_EQ(notmodel.rc, kExitUsage);
  EXPECT_NE(notmodel.err.find("not a botocore service model"), std::string::npos) << notmodel.err;
}

TEST(Cli, VerdictPrintsTheOutcomeAndNeverTheSecret) {
  TempDir dir;
  const CliRun ok = Chapcheck({"spec", "verdict", dir.Write("ok.json", Body("correcthorse"))});
  EXPECT_EQ(ok.rc, kExitOk) << ok.err;
  EXPECT_NE(ok.out.find("outcome: accept (200)"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("echo:    TargetARN = arn:aws:storagegateway"), std::string::npos);
  EXPECT_EQ(ok.out.find("correcthorse"), std::string::npos) << "the secret must not be printed";

  const CliRun bad = Chapcheck({"spec", "verdict", "--json", dir.Write("bad.json", Body("correcthorsebattery"))});
  EXPECT_EQ(bad.rc, kExitOk);
  const auto j = nlohmann::json::parse(bad.out);
  EXPECT_EQ(j["outcome"]["errorCode"], "InvalidParameters");
  EXPECT_EQ(j["outcome"]["rule"], "SecretToAuthenticateInitiator.length");
  EXPECT_EQ(bad.out.find("correcthorse"), std::string::npos);

  const CliRun unauth = Chapcheck({"spec", "verdict", "--auth", "missing", dir.Write("ok2.json", Body("correcthorse"))});
  EXPECT_NE(unauth.out.find("MissingAuthenticationTokenException"), std::string::npos) << unauth.out;

  const CliRun header = Chapcheck({"spec", "verdict", "--header", "Content-Type: text/plain",
                                dir.Write("ok3.json", Body("correcthorse"))});
  EXPECT_NE(header.out.find("serialization.content-type"), std::string::npos) << header.out;
  EXPECT_EQ(header.out.find("sent 2 times"), std::string::npos) << "--header replaces the default";
}

TEST(Cli, VerdictConsultsAWorldFile) {
  TempDir dir;
  const std::string body = dir.Write("b.json", Body("correcthorse"));
  const std::string world = dir.Write(
      "w.json", R"({"gateways": {"arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B": {}},
                    "targets": []})");
  const CliRun r = Chapcheck({"spec", "verdict", "--world", world, body});
  EXPECT_NE(r.out.find("TargetNotFound"), std::string::npos) << r.out;
  EXPECT_EQ(Chapcheck({"spec", "verdict", "--world", dir.Write("x.json", "[1"), body}).rc, kExitUsage);
}

TEST(Cli, VerdictUsageErrors) {
  EXPECT_EQ(Chapcheck({"spec", "verdict"}).rc, kExitUsage);
  EXPECT_EQ(Chapcheck({"spec", "verdict", "--auth", "maybe", "x"}).rc, kExitUsage);
  EXPECT_EQ(Chapcheck({"spec", "verdict", "--header", "nocolon", "x"}).rc, kExitUsage);
  EXPECT_EQ(Chapcheck({"spec", "verdict", "/nonexistent/body"}).rc, kExitUsage);
  EXPECT_EQ(Chapcheck({"spec", "verdict", "--spec"}).rc, kExitUsage);
}

TEST(Cli, ShowListsEveryRuleWithItsSources) {
  const CliRun r = Chapcheck({"spec", "show"});
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_NE(r.out.find("secrets.distinct  [validation, should]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(inferred)"), std::string::npos);
  EXPECT_NE(r.out.find("effect.close-target-connections"), std::string::npos);
  EXPECT_EQ(Chapcheck({"spec", "dump"}).out, std::string(spec::EmbeddedSpecText()));
}


TEST(Cli, MockListsDefectsAndPrintsTheFixtureWithoutSecrets) {
  const CliRun defects = Chapcheck({"mock", "--list-defects"});
  EXPECT_EQ(defects.rc, kExitOk);
  EXPECT_NE(defects.out.find("secret-counts-characters"), std::string::npos);
  EXPECT_NE(defects.out.find("breaks:"), std::string::npos);
  const CliRun fixture = Chapcheck({"mock", "--print-fixture"});
  EXPECT_EQ(fixture.rc, kExitOk);
  EXPECT_NE(fixture.out.find("sgw-12A3456B"), std::string::npos);
  EXPECT_NE(fixture.out.find("AKIAIOSFODNN7EXAMPLE"), std::string::npos);
  EXPECT_EQ(fixture.out.find("wJalrXUtnFEMI"), std::string::npos) << "secret access keys must not be printed";
  EXPECT_EQ(fixture.out.find("111111111111"), std::string::npos) << "CHAP secrets must not be printed";
}

TEST(Cli, MockConfigurationErrorsExitTwoWithoutServing) {
  TempDir dir;
  const std::pair<Args, std::string> cases[] = {
      {{"mock", "--defect", "nope"}, "unknown defect"},
      {{"mock", "--listen", "nonsense"}, "HOST:PORT"},
      {{"mock", "--listen", "127.0.0.1:70000"}, "not a port"},
      {{"mock", "--fixture", "/nonexistent.json"}, "cannot open"},
      {{"mock", "--fixture", dir.Write("f.json", "{\"region\": 5}")}, "$.region"},
      {{"mock", "--tls-cert", "/nonexistent.pem"}, "go together"},
      {{"mock", "--threads", "0"}, "--threads"},
      {{"mock", "--frob"}, "unknown option"},
  };
  for (const auto& [args, message] : cases) {
    const CliRun r = Chapcheck(args);
    EXPECT_EQ(r.rc, kExitUsage) << args.back();
    EXPECT_NE(r.err.find(message), std::string::npos) << args.back() << ": " << r.err;
  }
}


TEST(Cli, GenerateWritesOneJsonLinePerCase) {
  TempDir dir;
  const std::string out_dir = dir.Write("placeholder", "") + ".d";
  const CliRun r = Chapcheck({"generate", "--out", out_dir});
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_NE(r.out.find("sgw-12A3456B"), std::string::npos) << r.out;
  std::ifstream in(out_dir + "/cases.jsonl");
  std::string line;
  std::size_t lines = 0;
  bool found = false;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    ++lines;
    found |= j["name"] == "SecretToAuthenticateInitiator.bytes.17.rejected" && j["expect"]["errorCode"] == "InvalidParameters";
  }
  EXPECT_GT(lines, 100u);
  EXPECT_TRUE(found);
  EXPECT_EQ(Chapcheck({"generate"}).rc, kExitUsage);
  EXPECT_EQ(Chapcheck({"generate", "--out", out_dir, "--seed", "x"}).rc, kExitUsage);
  EXPECT_EQ(Chapcheck({"generate", "--out", "/proc/nope/x"}).rc, kExitUsage);
  std::filesystem::remove_all(out_dir);
}


TEST(Cli, RunAgainstTheBuiltInMockWithEitherApiVersion) {
  TempDir dir;
  for (const char* version : {"2013-06-30", "2012-06-30"}) {
    const std::string reports = dir.Write(std::string("r") + version, "") + ".d";
    const CliRun r = Chapcheck({"run", "--api-version", version, "--report-dir", reports, "--filter", "SecretTo*:example.*"});
    EXPECT_EQ(r.rc, kExitOk) << version << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find("0 failed"), std::string::npos) << r.out;
    EXPECT_TRUE(std::filesystem::exists(reports + "/junit.xml"));
    std::filesystem::remove_all(reports);
  }
  EXPECT_EQ(Chapcheck({"run", "--api-version", "1999-01-01"}).rc, kExitUsage);
  EXPECT_EQ(Chapcheck({"run", "--endpoint", "http://127.0.0.1:1"}).rc, kExitUsage) << "no --target-arn";
  EXPECT_EQ(Chapcheck({"run", "--frob"}).rc, kExitUsage);
  EXPECT_EQ(Chapcheck({"run", "--jobs", "0"}).rc, kExitUsage);
  EXPECT_EQ(Chapcheck({"run", "--jobs", "65"}).rc, kExitUsage);
  // This process already runs GoogleTest: the suite cannot register its cases here, so GoogleTest's
  // flags are refused rather than ignored.
  const CliRun repeat = Chapcheck({"run", "--gtest_repeat=2"});
  EXPECT_EQ(repeat.rc, kExitUsage);
  EXPECT_NE(repeat.err.find("--gtest_repeat=2 needs GoogleTest"), std::string::npos) << repeat.err;
}

TEST(Cli, RunWithJobsAgainstTheBuiltInMock) {
  TempDir dir;
  const std::string reports = dir.Write("jobs", "") + ".d";
  const CliRun r = Chapcheck({"run", "--jobs", "3", "--report-dir", reports});
  EXPECT_EQ(r.rc, kExitOk) << r.out << r.err;
  EXPECT_NE(r.out.find("0 failed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("and restored them"), std::string::npos) << r.out;
  std::filesystem::remove_all(reports);
}

TEST(Cli, RunJudgesLiveConnectionsOnTheBuiltInMocksPortal) {
  TempDir dir;
  const std::string reports = dir.Write("conn", "") + ".d";
  const CliRun r = Chapcheck({"run", "--report-dir", reports, "--filter", "example.*", "--drop-deadline", "1000"});
  EXPECT_EQ(r.rc, kExitOk) << r.out << r.err;
  for (const char* check : {"connections_closed_on_update", "other_initiators_closed_on_update", "other_targets_untouched",
                            "old_secret_refused_new_accepted", "target_authenticates_with_target_secret",
                            "mutual_chap_off_without_target_secret", "rejected_keeps_connections"}) {
    // The summary row: passed 1, failed 0, should 0, skipped 0.
    const std::regex row(std::string("\\n  ") + check + " +1 +0 +0 +0\\n");
    EXPECT_TRUE(std::regex_search(r.out, row)) << check << "\n" << r.out;
  }
  std::ifstream junit(reports + "/junit.xml");
  const std::string xml((std::istreambuf_iterator<char>(junit)), std::istreambuf_iterator<char>());
  EXPECT_NE(xml.find("connections_closed_on_update.drop_latency_ms.A#1"), std::string::npos);
  std::filesystem::remove_all(reports);
  EXPECT_EQ(Chapcheck({"run", "--iscsi-portal", "no-port-here"}).rc, kExitUsage);
  EXPECT_EQ(Chapcheck({"run", "--drop-deadline", "0"}).rc, kExitUsage);
  EXPECT_EQ(Chapcheck({"run", "--drop-deadline", "5s"}).rc, kExitUsage);
}

}  // namespace
}  // namespace chapcheck::cli
