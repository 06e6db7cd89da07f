#include "spec/aws_model_diff.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "spec/loader.h"

namespace chapcheck::spec {
namespace {

using json = nlohmann::json;

// A minimal botocore-format model with what AWS's storagegateway model says about the operation.
json MadeModel() {
  json m;
  m["metadata"] = {{"apiVersion", "2013-06-30"}, {"endpointPrefix", "storagegateway"}, {"jsonVersion", "1.1"},
                   {"protocol", "json"}, {"signatureVersion", "v4"}, {"targetPrefix", "StorageGateway_20130630"}};
  m["operations"]["UpdateChapCredentials"] = {
      {"name", "UpdateChapCredentials"},
      {"http", {{"method", "POST"}, {"requestUri", "/"}}},
      {"input", {{"shape", "UpdateChapCredentialsInput"}}},
      {"output", {{"shape", "UpdateChapCredentialsOutput"}}},
      {"errors", json::array({{{"shape", "InvalidGatewayRequestException"}}, {{"shape", "InternalServerError"}}})}};
  auto& s = m["shapes"];
  s["UpdateChapCredentialsInput"] = {
      {"type", "structure"},
      {"required", json::array({"TargetARN", "SecretToAuthenticateInitiator", "InitiatorName"})},
      {"members",
       {{"TargetARN", {{"shape", "TargetARN"}}},
        {"SecretToAuthenticateInitiator",
         {{"shape", "ChapSecret"},
          {"documentation", "<note><p>The secret key must be between 12 and 16 bytes when encoded in UTF-8.</p></note>"}}},
        {"InitiatorName", {{"shape", "IqnName"}}},
        {"SecretToAuthenticateTarget",
         {{"shape", "ChapSecret"},
          {"documentation", "<p>The secret key must be between 12 and 16 bytes when encoded in UTF-8.</p>"}}}}}};
  s["UpdateChapCredentialsOutput"] = {
      {"type", "structure"},
      {"members", {{"TargetARN", {{"shape", "TargetARN"}}}, {"InitiatorName", {{"shape", "IqnName"}}}}}};
  s["TargetARN"] = {{"type", "string"}, {"min", 50}, {"max", 800}};
  s["ChapSecret"] = {{"type", "string"}, {"min", 1}, {"max", 100}, {"sensitive", true}};
  s["IqnName"] = {{"type", "string"}, {"min", 1}, {"max", 255}, {"pattern", "[0-9a-z:.-]+"}};
  s["InvalidGatewayRequestException"] = {
      {"type", "structure"},
      {"members", {{"message", {{"shape", "string"}}}, {"error", {{"shape", "StorageGatewayError"}}}}},
      {"exception", true}};
  s["InternalServerError"] = s["InvalidGatewayRequestException"];
  s["string"] = {{"type", "string"}};
  s["StorageGatewayError"] = {
      {"type", "structure"},
      {"members", {{"errorCode", {{"shape", "ErrorCode"}}}, {"errorDetails", {{"shape", "errorDetails"}}}}}};
  s["ErrorCode"] = {{"type", "string"},
                    {"enum", json::array({"GatewayInternalError", "GatewayNotConnected", "GatewayNotFound",
                                          "GatewayProxyNetworkConnectionBusy", "InternalError", "InvalidParameters",
                                          "NotSupported", "TargetInvalid", "TargetNotFound", "LunAlreadyAllocated "})}};
  s["errorDetails"] = {{"type", "map"}, {"key", {{"shape", "string"}}}, {"value", {{"shape", "string"}}}};
  return m;
}

ModelDiff DiffOf(const json& model) {
  auto d = DiffAgainstAwsModel(EmbeddedSpec(), model.dump());
  EXPECT_TRUE(d.ok()) << d.error().ToString();
  return d.ok() ? std::move(d).value() : ModelDiff{};
}

std::string Dump(const ModelDiff& d) {
  std::string out;
  for (const auto& x : d.differences) {
    out += (x.known ? "known " : "NEW ") + x.key + ": spec " + x.spec_value + " / aws " + x.aws_value + "\n";
  }
  for (const auto& n : d.notes) out += "note " + n + "\n";
  return out;
}

const Difference* Find(const ModelDiff& d, const std::string& key) {
  for (const auto& x : d.differences) {
    if (x.key == key) return &x;
  }
  return nullptr;
}

TEST(DiffAws, OnlyTheIntendedDifferencesAgainstAModelLikeAwss) {
  const ModelDiff d = DiffOf(MadeModel());
  EXPECT_EQ(d.new_count(), 0u) << Dump(d);
  ASSERT_EQ(d.differences.size(), 3u) << Dump(d);
  const Difference* len = Find(d, "input.SecretToAuthenticateInitiator.length");
  ASSERT_NE(len, nullptr);
  EXPECT_TRUE(len->known);
  EXPECT_EQ(len->spec_value, "12..16 utf8-bytes");
  EXPECT_EQ(len->aws_value, "1..100 characters");
  EXPECT_NE(len->why.find("documentation"), std::string::npos);
  bool trailing_space_noted = false;
  for (const auto& n : d.notes) trailing_space_noted |= n.find("\"LunAlreadyAllocated \"") != std::string::npos;
  EXPECT_TRUE(trailing_space_noted) << Dump(d);
}

TEST(DiffAws, DriftInTheModelIsNew) {
  json m = MadeModel();
  m["shapes"]["IqnName"]["pattern"] = "^[0-9a-zA-Z:.-]+$";
  m["shapes"]["TargetARN"]["max"] = 1024;
  m["shapes"]["UpdateChapCredentialsInput"]["required"].push_back("SecretToAuthenticateTarget");
  m["shapes"]["UpdateChapCredentialsInput"]["members"]["NewMember"] = {{"shape", "string"}};
  m["shapes"]["UpdateChapCredentialsOutput"]["members"].erase("InitiatorName");
  m["metadata"]["targetPrefix"] = "StorageGateway_20250101";
  const ModelDiff d = DiffOf(m);
  for (const char* key : {"input.InitiatorName.pattern", "input.TargetARN.length", "input.required", "input.NewMember",
                          "output.InitiatorName", "protocol.targets.current"}) {
    const Difference* x = Find(d, key);
    ASSERT_NE(x, nullptr) << key << "\n" << Dump(d);
    EXPECT_FALSE(x->known) << key;
  }
  EXPECT_EQ(d.new_count(), 6u) << Dump(d);
}

TEST(DiffAws, AnchorsInModelPatternsAreNotDifferences) {
  json m = MadeModel();
  m["shapes"]["IqnName"]["pattern"] = "^[0-9a-z:.-]+$";
  EXPECT_EQ(DiffOf(m).new_count(), 0u);
}

TEST(DiffAws, AKnownDifferenceWhoseAwsValueMovedIsNew) {
  json m = MadeModel();
  m["shapes"]["ChapSecret"]["max"] = 200;
  const ModelDiff d = DiffOf(m);
  const Difference* len = Find(d, "input.SecretToAuthenticateInitiator.length");
  ASSERT_NE(len, nullptr);
  EXPECT_FALSE(len->known);
  EXPECT_EQ(d.new_count(), 2u) << Dump(d);  // both secrets share the shape
}

TEST(DiffAws, ADocumentationChangeOfTheByteRuleIsNew) {
  json m = MadeModel();
  m["shapes"]["UpdateChapCredentialsInput"]["members"]["SecretToAuthenticateInitiator"]["documentation"] =
      "<p>The secret key must be between 12 and 20 bytes when encoded in UTF-8.</p>";
  const ModelDiff d = DiffOf(m);
  const Difference* doc = Find(d, "input.SecretToAuthenticateInitiator.length.documented");
  ASSERT_NE(doc, nullptr) << Dump(d);
  EXPECT_EQ(doc->aws_value, "12..20 utf8-bytes");
  EXPECT_FALSE(doc->known);
}

TEST(DiffAws, RemovedTraitsAreNewEvenWhereADifferenceWasKnown) {
  json m = MadeModel();
  m["shapes"]["ChapSecret"].erase("min");
  m["shapes"]["ChapSecret"].erase("max");
  const ModelDiff d = DiffOf(m);
  EXPECT_EQ(d.new_count(), 2u) << Dump(d);
  EXPECT_EQ(Find(d, "input.SecretToAuthenticateTarget.length")->aws_value, "(none)");
}

TEST(DiffAws, AKnownDifferenceThatNoLongerAppearsIsANote) {
  json doc = json::parse(EmbeddedSpecText());
  doc["knownDifferences"].push_back(
      {{"key", "input.InitiatorName.length"}, {"aws", "1..300 characters"}, {"why", "a test"}});
  auto spec = ParseSpec(doc.dump(), "variant");
  ASSERT_TRUE(spec.ok()) << spec.error().ToString();
  auto d = DiffAgainstAwsModel(*spec, MadeModel().dump());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->new_count(), 0u) << Dump(*d);
  bool noted = false;
  for (const auto& n : d->notes) noted |= n.find("input.InitiatorName.length no longer appears") != std::string::npos;
  EXPECT_TRUE(noted) << Dump(*d);
}

TEST(DiffAws, RejectsFilesThatAreNotServiceModels) {
  for (const std::string text : {"", "[]", "{}", "{\"metadata\":{}}", "{\"metadata\":{},\"operations\":{}}",
                                 "not json"}) {
    auto d = DiffAgainstAwsModel(EmbeddedSpec(), text);
    EXPECT_FALSE(d.ok()) << text;
  }
  json broken = MadeModel();
  broken["shapes"].erase("ChapSecret");
  auto d = DiffAgainstAwsModel(EmbeddedSpec(), broken.dump());
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("ChapSecret"), std::string::npos);
  json no_op = MadeModel();
  no_op["operations"].erase("UpdateChapCredentials");
  const ModelDiff missing = DiffOf(no_op);
  EXPECT_NE(Find(missing, "operation"), nullptr);
}

TEST(DiffAws, ReadsGzipAndPlainModelFiles) {
  const auto dir = std::filesystem::temp_directory_path() / ("diffaws-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string text = MadeModel().dump();
  const std::string gz = (dir / "service-2.json.gz").string();
  gzFile f = gzopen(gz.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
  auto read = ReadModelFile(gz);
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_EQ(*read, text);
  EXPECT_FALSE(ReadModelFile((dir / "absent.json").string()).ok());
  std::filesystem::remove_all(dir);
}

// AWS's real model, as Debian's python3-botocore installs it (scripts/bootstrap installs it).
TEST(DiffAws, TheRealBotocoreModelHasNoNewDifferences) {
  const char* candidates[] = {
      "/usr/lib/python3/dist-packages/botocore/data/storagegateway/2013-06-30/service-2.json",
      "/usr/lib/python3/dist-packages/botocore/data/storagegateway/2013-06-30/service-2.json.gz",
  };
  std::string path;
  for (const char* c : candidates) {
    if (std::filesystem::exists(c)) path = c;
  }
  if (path.empty()) GTEST_SKIP() << "python3-botocore is not installed; run scripts/bootstrap";
  auto text = ReadModelFile(path);
  ASSERT_TRUE(text.ok()) << text.error().ToString();
  const ModelDiff d = DiffOf(json::parse(*text));
  EXPECT_EQ(d.new_count(), 0u) << Dump(d);
  EXPECT_GE(d.differences.size(), 2u) << "the byte rule must show as a known difference";
}

}  // namespace
}  // namespace chapcheck::spec
