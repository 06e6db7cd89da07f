#include "conformance/client.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "mocks/mock_test_support.h"
#include "mocks/server.h"

namespace chapcheck::conformance {
namespace {

using namespace chapcheck::mocks::testing;

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gateway_ = std::make_unique<mocks::Gateway>(DefaultFixture(), Options());
    auto s = mocks::MockServer::Start(*gateway_, mocks::ServerOptions{});
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    server_ = std::move(s).value();
  }
  std::unique_ptr<Client> NewClient() {
    EndpointConfig c;
    c.url = server_->url();
    c.credentials = Creds();
    c.clock = Now;  // the gateway's clock
    auto client = Client::Create(c);
    EXPECT_TRUE(client.ok()) << client.error().ToString();
    return std::move(client).value();
  }
  spec::Request Update(const std::string& body) {
    spec::Request r;
    r.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "StorageGateway_20130630.UpdateChapCredentials"}};
    r.body = body;
    return r;
  }
  std::unique_ptr<mocks::Gateway> gateway_;
  std::unique_ptr<mocks::MockServer> server_;
};

TEST_F(ClientTest, SignsSendsAndKeepsTheConnection) {
  auto client = NewClient();
  for (int i = 0; i < 3; ++i) {
    const Exchange ex = client->Send(Update(UpdateBody().dump()), generators::AuthMode::kSigned);
    ASSERT_TRUE(ex.transport_error.empty()) << ex.transport_error;
    EXPECT_EQ(ex.status, 200) << ex.body;
    ASSERT_NE(ex.Header("x-amzn-requestid"), nullptr);
  }
  EXPECT_EQ(server_->open_connections(), 1u) << "keep-alive: one connection for all three";
}

TEST_F(ClientTest, PipelinedRequestsGetTheAnswersTheyGetOneAtATime) {
  auto pipelined = NewClient(), single = NewClient();
  spec::Request get = Update(UpdateBody().dump());
  get.method = "GET";
  const spec::Request bad_json = Update("{");
  const spec::Request valid = Update(UpdateBody().dump());
  std::vector<std::pair<const spec::Request*, generators::AuthMode>> batch = {
      {&valid, generators::AuthMode::kSigned}, {&bad_json, generators::AuthMode::kSigned},
      {&valid, generators::AuthMode::kNone},   {&get, generators::AuthMode::kSigned},
      {&valid, generators::AuthMode::kExpired}, {&valid, generators::AuthMode::kSigned}};
  for (int round = 0; round < 2; ++round) {  // the second on the kept connection
    const std::vector<Exchange> got = pipelined->SendPipelined(batch);
    ASSERT_EQ(got.size(), batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const Exchange one = single->Send(*batch[i].first, batch[i].second);
      EXPECT_TRUE(got[i].transport_error.empty()) << i << ": " << got[i].transport_error;
      EXPECT_EQ(got[i].status, one.status) << i;
      const std::string* a = got[i].Header("X-Amzn-Errortype");
      const std::string* b = one.Header("X-Amzn-Errortype");
      EXPECT_EQ(a ? *a : "", b ? *b : "") << i;
      EXPECT_FALSE(got[i].request.headers.empty());
    }
    EXPECT_EQ(got[0].status, 200);
    EXPECT_NE(got[1].status, 200);
  }
  EXPECT_TRUE(pipelined->SendPipelined({}).empty());
}

TEST_F(ClientTest, EachAuthModeGetsItsError) {
  auto client = NewClient();
  const std::pair<generators::AuthMode, std::string> modes[] = {
      {generators::AuthMode::kNone, "MissingAuthenticationTokenException"},
      {generators::AuthMode::kMalformed, "IncompleteSignatureException"},
      {generators::AuthMode::kUnknownKey, "UnrecognizedClientException"},
      {generators::AuthMode::kWrongSignature, "InvalidSignatureException"},
      {generators::AuthMode::kExpired, "InvalidSignatureException"}};
  for (const auto& [mode, type] : modes) {
    const Exchange ex = client->Send(Update(UpdateBody().dump()), mode);
    EXPECT_NE(ex.body.find(type), std::string::npos) << generators::ToString(mode) << ": " << ex.body;
  }
}

TEST_F(ClientTest, ReconnectsAfterTheServerClosedAndReportsRefusals) {
  auto client = NewClient();
  EXPECT_EQ(client->Call("StorageGateway_20130630", "DescribeChapCredentials",
                         nlohmann::json{{"TargetARN", kModelArn}}.dump()).status, 200);
  const std::string url = server_->url();
  server_.reset();  // the kept-alive connection dies with the server
  const Exchange down = client->Send(Update("{}"), generators::AuthMode::kSigned);
  EXPECT_FALSE(down.transport_error.empty());
  EXPECT_EQ(down.status, 0);
  EndpointConfig bad;
  bad.url = "http://127.0.0.1:1";
  auto refused = Client::Create(bad);
  ASSERT_TRUE(refused.ok());
  EXPECT_NE((*refused)->Send(Update("{}"), generators::AuthMode::kNone).transport_error.find("cannot connect"),
            std::string::npos);
  for (const char* url : {"ftp://x", "http://", "http://host:port", "http://h:1/path"}) {
    EndpointConfig c;
    c.url = url;
    EXPECT_FALSE(Client::Create(c).ok()) << url;
  }
}

TEST(Credentials, FromTheEnvironmentOrAProfile) {
  const auto dir = std::filesystem::temp_directory_path() / ("creds-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "credentials") << "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n"
                                        "\n[ci]\naws_access_key_id=AKIDCI\naws_secret_access_key=s2\naws_session_token=t\n";
  ::setenv("AWS_SHARED_CREDENTIALS_FILE", (dir / "credentials").c_str(), 1);
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_PROFILE");
  auto d = CredentialsFromEnvironment(std::nullopt);
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_EQ(d->access_key_id, "AKIDDEFAULT");
  auto ci = CredentialsFromEnvironment(std::string("ci"));
  ASSERT_TRUE(ci.ok());
  EXPECT_EQ(ci->secret_access_key.Reveal(), "s2");
  EXPECT_EQ(ci->session_token, "t");
  auto none = CredentialsFromEnvironment(std::string("nope"));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message.find("s1"), std::string::npos);
  ::setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "s3", 1);
  EXPECT_EQ(CredentialsFromEnvironment(std::nullopt)->access_key_id, "AKIDENV");
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  ::unsetenv("AWS_SHARED_CREDENTIALS_FILE");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace chapcheck::conformance
