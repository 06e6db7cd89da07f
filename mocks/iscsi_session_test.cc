// The portal's login and full-feature state machine, driven in memory by the test initiator
// (protocol/ codec, not libiscsi) against the default fixture's gateway sgw-12A3456B.
#include "mocks/iscsi_session.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>

#include "mocks/iscsi_backend.h"
#include "mocks/iscsi_test_initiator.h"
#include "mocks/mock_test_support.h"

namespace chapcheck::mocks {
namespace {

using namespace chapcheck::mocks::testing;

constexpr const char* kGatewayArn = "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B";

class IscsiSessionTest : public ::testing::Test {
 public:
  IscsiSessionTest() : gateway_(DefaultFixture(), Options()) {}
  std::shared_ptr<const IscsiSessionConfig> Config() {
    if (!config_) config_ = MakeIscsiConfig(gateway_, kGatewayArn, "127.0.0.1:3260");
    return config_;
  }
  // A fresh connection.
  IscsiSession& Connect() {
    sessions_.push_back(std::make_unique<IscsiSession>(Config()));
    return *sessions_.back();
  }
  LoginResult LoginWith(LoginParams p, IscsiSession** session = nullptr) {
    IscsiSession& s = Connect();
    if (session != nullptr) *session = &s;
    TestInitiator ini(SessionExchange(s));
    return ini.Login(p);
  }
  static LoginParams Chap(const std::string& secret = "111111111111") {
    LoginParams p;
    p.secret = Secret(secret);
    return p;
  }
  static LoginParams Mutual() {
    LoginParams p = Chap();
    p.target_secret = Secret("222222222222");
    return p;
  }

  Gateway gateway_;
  std::shared_ptr<IscsiSessionConfig> config_;
  std::vector<std::unique_ptr<IscsiSession>> sessions_;
};

TEST_F(IscsiSessionTest, ChapLoginThenScsi) {
  IscsiSession& s = Connect();
  TestInitiator ini(SessionExchange(s));
  const LoginResult r = ini.Login(Chap());
  ASSERT_TRUE(r.ok) << r.failure;
  EXPECT_EQ(r.chap_algorithm, "5");
  EXPECT_TRUE(s.full_feature());
  EXPECT_EQ(s.initiator(), kInitiator);
  EXPECT_EQ(s.target_arn(), kModelArn);

  // The first command reports the unit attention real targets raise after login; then GOOD.
  auto tur = ini.Command({0x00}, 0, false);
  EXPECT_EQ(tur.status, 2);
  ASSERT_GE(tur.sense.size(), 14u);
  EXPECT_EQ(tur.sense[2], 0x06);
  EXPECT_EQ(tur.sense[12], 0x29);
  EXPECT_EQ(ini.Command({0x00}, 0, false).status, 0);

  auto inq = ini.Command({0x12, 0, 0, 0, 255}, 255, true);
  ASSERT_EQ(inq.status, 0);
  ASSERT_EQ(inq.data.size(), 96u);
  EXPECT_EQ(inq.data[4], 91);
  EXPECT_EQ(inq.data[0], 0x00);
  EXPECT_EQ(std::string(inq.data.begin() + 8, inq.data.begin() + 16), "CHAPCHCK");

  // A shorter allocation length truncates: no overflow reported (SPC-4 4.2.5.6).
  auto short_inq = ini.Command({0x12, 0, 0, 0, 36}, 36, true);
  EXPECT_EQ(short_inq.data.size(), 36u);
  EXPECT_EQ(ini.last().flags() & 0x06, 0) << "neither overflow nor underflow";
  // RDPROTECT without protection information is an invalid field.
  EXPECT_EQ(ini.Command({0x88, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 512, true).status, 2);

  auto vpd = ini.Command({0x12, 1, 0x00, 0, 255}, 255, true);
  ASSERT_EQ(vpd.status, 0);
  EXPECT_EQ(std::vector<std::uint8_t>(vpd.data.begin() + 4, vpd.data.end()),
            (std::vector<std::uint8_t>{0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2}));
  for (std::uint8_t page : {0x80, 0x83, 0xb0, 0xb1, 0xb2}) {
    auto p = ini.Command({0x12, 1, page, 0, 255}, 255, true);
    EXPECT_EQ(p.status, 0) << int(page);
    ASSERT_GE(p.data.size(), 4u);
    EXPECT_EQ(p.data[1], page);
  }
  EXPECT_EQ(ini.Command({0x12, 1, 0x99, 0, 255}, 255, true).status, 2);

  auto cap16 = ini.Command({0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32}, 32, true);
  ASSERT_EQ(cap16.status, 0);
  ASSERT_EQ(cap16.data.size(), 32u);
  std::uint64_t last = 0;
  for (int i = 0; i < 8; ++i) last = last << 8 | cap16.data[static_cast<std::size_t>(i)];
  EXPECT_EQ((last + 1) * 512, 1099511627776ull);  // the fixture volume's size
  auto cap10 = ini.Command({0x25}, 8, true);
  ASSERT_EQ(cap10.status, 0);
  EXPECT_EQ(cap10.data[6], 0x02);  // 512-byte blocks

  auto luns = ini.Command({0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 16}, 16, true);
  ASSERT_EQ(luns.status, 0);
  EXPECT_EQ(luns.data[3], 8);

  // WRITE 10 of 400 blocks (200 KiB: immediate data, then R2T and Data-Out), READ 16 it back.
  std::vector<std::uint8_t> blocks(400 * 512);
  for (std::size_t i = 0; i < blocks.size(); ++i) blocks[i] = static_cast<std::uint8_t>(i * 7 + 3);
  auto w = ini.Command({0x2a, 0, 0, 0, 0x10, 0, 0, 0x01, 0x90}, static_cast<std::uint32_t>(blocks.size()), false, blocks);
  EXPECT_EQ(w.status, 0);
  EXPECT_GE(w.r2ts, 1u);
  auto rd = ini.Command({0x88, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x01, 0x90}, static_cast<std::uint32_t>(blocks.size()), true);
  ASSERT_EQ(rd.status, 0);
  EXPECT_EQ(rd.data, blocks);
  // Unwritten blocks are zeros; a read past the end is LBA OUT OF RANGE.
  auto zeros = ini.Command({0x28, 0, 0, 0, 0, 0, 0, 0, 8}, 4096, true);
  EXPECT_EQ(zeros.data, std::vector<std::uint8_t>(4096, 0));
  auto past = ini.Command({0x88, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 1}, 512, true);
  EXPECT_EQ(past.status, 2);
  EXPECT_EQ(past.sense[12], 0x21);

  EXPECT_EQ(ini.Command({0x1a, 0, 0x3f, 0, 255}, 255, true).status, 0);
  EXPECT_EQ(ini.Command({0x5a, 0, 0x08, 0, 0, 0, 0, 0, 255}, 255, true).status, 0);
  EXPECT_EQ(ini.Command({0x35}, 0, false).status, 0);
  auto unknown = ini.Command({0xc7}, 0, false);
  EXPECT_EQ(unknown.status, 2);
  EXPECT_EQ(unknown.sense[2], 0x05);
  EXPECT_EQ(unknown.sense[12], 0x20);
  auto lun1 = ini.Command({0x00}, 0, false, {}, 0x0001000000000000ull);
  EXPECT_EQ(lun1.status, 2);

  EXPECT_TRUE(ini.Ping());
  EXPECT_TRUE(ini.Logout());
  EXPECT_TRUE(s.closed());
}

TEST_F(IscsiSessionTest, SequenceNumbers) {
  IscsiSession& s = Connect();
  TestInitiator ini(SessionExchange(s));
  ASSERT_TRUE(ini.Login(Chap()).ok);
  std::uint32_t stat = ini.exp_stat_sn();
  for (int i = 0; i < 5; ++i) {
    const std::uint32_t sent = ini.cmd_sn();
    auto r = ini.Command({0x00}, 0, false);
    EXPECT_EQ(ini.last().sn24(), stat) << "StatSN advances by one per response";
    EXPECT_EQ(ini.last().sn28(), sent + 1) << "ExpCmdSN";
    EXPECT_EQ(ini.last().sn32(), sent + 32) << "MaxCmdSN: a window of 32";
    stat = ini.exp_stat_sn();
  }
  // An immediate NOP-Out does not advance CmdSN.
  const std::uint32_t before = ini.cmd_sn();
  EXPECT_TRUE(ini.Ping());
  EXPECT_EQ(ini.last().sn28(), before);
}

TEST_F(IscsiSessionTest, EveryChapAlgorithm) {
  for (const auto& [offer, chosen] : std::vector<std::pair<std::string, std::string>>{
           {"5", "5"}, {"6", "6"}, {"7", "7"}, {"8", "8"}, {"9,7,5", "7"}, {"0x8", "8"}}) {
    LoginParams p = Mutual();
    p.algorithms = offer;
    const LoginResult r = LoginWith(p);
    EXPECT_TRUE(r.ok) << offer << ": " << r.failure;
    EXPECT_EQ(r.chap_algorithm, chosen);
    EXPECT_TRUE(r.target_verified) << offer;
  }
}

TEST_F(IscsiSessionTest, MutualChapProvesTheTarget) {
  const LoginResult r = LoginWith(Mutual());
  ASSERT_TRUE(r.ok) << r.failure;
  EXPECT_TRUE(r.target_verified);
  // The initiator holding the wrong target secret notices.
  LoginParams wrong = Mutual();
  wrong.target_secret = Secret("333333333333");
  const LoginResult w = LoginWith(wrong);
  EXPECT_FALSE(w.ok);
  EXPECT_FALSE(w.target_verified);
}

void ExpectAuthFailure(IscsiSessionTest& t, const LoginParams& p, const char* what) {
  IscsiSession* s = nullptr;
  const LoginResult r = t.LoginWith(p, &s);
  EXPECT_FALSE(r.ok) << what;
  EXPECT_EQ(r.status, 0x0201) << what << ": " << r.failure;
  EXPECT_TRUE(s->closed()) << what;
  EXPECT_FALSE(s->full_feature()) << what;
}

TEST_F(IscsiSessionTest, ChapFailures) {
  ExpectAuthFailure(*this, Chap("111111111112"), "wrong secret");

  LoginParams unknown = Chap();
  unknown.initiator = "iqn.2000-01.com.example:stranger";
  ExpectAuthFailure(*this, unknown, "unknown initiator");

  LoginParams name = Chap();
  name.chap_name = "iqn.2000-01.com.example:someone-else";
  ExpectAuthFailure(*this, name, "CHAP_N is not the InitiatorName");

  LoginParams reflected = Mutual();
  reflected.reflect_challenge = true;
  ExpectAuthFailure(*this, reflected, "reflected challenge");

  LoginParams none;
  ExpectAuthFailure(*this, none, "None while the target has CHAP credentials");

  LoginParams md4 = Chap();
  md4.algorithms = "4,9";
  ExpectAuthFailure(*this, md4, "no algorithm in common");

  // One secret in both directions (stored by a gateway with the equal-secrets defect).
  gateway_.state().Put({kModelArn, kInitiator, Secret("111111111111"), Secret("111111111111")});
  LoginParams same = Mutual();
  same.target_secret = Secret("111111111111");
  ExpectAuthFailure(*this, same, "same secret both ways");

  // Mutual CHAP asked of a target without a target secret.
  gateway_.state().Put({kModelArn, kInitiator, Secret("111111111111"), std::nullopt});
  ExpectAuthFailure(*this, Mutual(), "mutual without a target secret");
  EXPECT_TRUE(LoginWith(Chap()).ok) << "one-way CHAP still works";
}

TEST_F(IscsiSessionTest, NoneOnlyWithoutCredentials) {
  LoginParams none;
  none.target = kOtherVolumeIqn;  // no CHAP credentials on this target
  EXPECT_TRUE(LoginWith(none).ok);
  LoginParams offered = Chap();
  offered.target = kOtherVolumeIqn;  // "CHAP,None": the target picks None
  const LoginResult r = LoginWith(offered);
  EXPECT_TRUE(r.ok) << r.failure;
  EXPECT_TRUE(r.chap_algorithm.empty());
}

TEST_F(IscsiSessionTest, SecretChangesApplyToTheNextLogin) {
  ASSERT_TRUE(LoginWith(Chap()).ok);
  gateway_.state().Put({kModelArn, kInitiator, Secret("333333333333"), Secret("444444444444")});
  ExpectAuthFailure(*this, Chap(), "the old secret after an update");
  EXPECT_TRUE(LoginWith(Chap("333333333333")).ok);
}

TEST_F(IscsiSessionTest, UnknownTargetAndMissingKeys) {
  LoginParams p = Chap();
  p.target = "iqn.1997-05.com.amazon:nope";
  EXPECT_EQ(LoginWith(p).status, 0x0203);
  p.target = "iqn.1997-05.com.amazon:offlinevolume";  // another gateway's target
  EXPECT_EQ(LoginWith(p).status, 0x0203);
  LoginParams nameless = Chap();
  nameless.initiator = "";
  EXPECT_EQ(LoginWith(nameless).status, 0x0207);
}

TEST_F(IscsiSessionTest, DiscoveryListsThePortalsTargets) {
  IscsiSession& s = Connect();
  TestInitiator ini(SessionExchange(s));
  LoginParams p;
  p.target = "";
  ASSERT_TRUE(ini.Login(p).ok);
  EXPECT_TRUE(s.discovery());
  EXPECT_TRUE(s.target_arn().empty());
  auto targets = ini.SendTargets();
  ASSERT_TRUE(targets.has_value());
  const iscsi::KeyValues want = {{"TargetName", kMyVolumeIqn},
                                 {"TargetAddress", "127.0.0.1:3260,1"},
                                 {"TargetName", kOtherVolumeIqn},
                                 {"TargetAddress", "127.0.0.1:3260,1"}};
  EXPECT_EQ(*targets, want);
  // No SCSI in a discovery session.
  EXPECT_EQ(ini.Command({0x00}, 0, false).status, -1);
  EXPECT_TRUE(ini.Logout());
}

// Raw input: never a crash or a hang, and a clear end.
TEST_F(IscsiSessionTest, MalformedInputCloses) {
  {
    IscsiSession& s = Connect();
    iscsi::Pdu nop;
    nop.SetOpcode(iscsi::Opcode::kNopOut, true);
    EXPECT_TRUE(s.Feed(iscsi::Serialize(nop)).close) << "a non-login PDU before login";
  }
  {
    IscsiSession& s = Connect();
    iscsi::Pdu login;
    login.SetOpcode(iscsi::Opcode::kLoginRequest, true);
    login.data = {'I', 'n', 'i', 't'};  // no '=', no NUL
    auto out = s.Feed(iscsi::Serialize(login));
    EXPECT_TRUE(out.close);
    auto pdus = Cut(out.bytes);
    ASSERT_EQ(pdus.size(), 1u);
    EXPECT_EQ(pdus[0].login_status(), 0x0200);
  }
  {
    IscsiSession& s = Connect();
    std::vector<std::uint8_t> header(48, 0);
    header[0] = 0x43;
    header[5] = 0xff;  // a 16 MiB data segment: more than the target accepts
    EXPECT_TRUE(s.Feed(header).close);
  }
  {
    // A duplicated key.
    IscsiSession& s = Connect();
    iscsi::Pdu login;
    login.SetOpcode(iscsi::Opcode::kLoginRequest, true);
    login.data = iscsi::FormatText({{"InitiatorName", "iqn.a"}, {"InitiatorName", "iqn.b"}});
    auto out = s.Feed(iscsi::Serialize(login));
    EXPECT_TRUE(out.close);
  }
  // Random bytes and random mutations of a valid login, with a fixed seed.
  std::mt19937 rng(12345);
  iscsi::Pdu good;
  good.SetOpcode(iscsi::Opcode::kLoginRequest, true);
  good.SetLoginFlags(false, false, iscsi::Stage::kSecurity, iscsi::Stage::kSecurity);
  good.data = iscsi::FormatText({{"InitiatorName", kInitiator}, {"TargetName", kMyVolumeIqn}, {"AuthMethod", "CHAP"}});
  const auto base = iscsi::Serialize(good);
  for (int round = 0; round < 3000; ++round) {
    IscsiSession s(Config());
    std::vector<std::uint8_t> input = base;
    for (int m = 0; m < 4; ++m) input[rng() % input.size()] = static_cast<std::uint8_t>(rng());
    if (round % 3 == 0) input.resize(rng() % (input.size() + 1));
    auto out = s.Feed(input);
    // Whatever came out parses as PDUs and the session either waits or closes.
    iscsi::PduReader r;
    r.Feed(out.bytes);
    while (true) {
      auto n = r.Next();
      ASSERT_TRUE(n.ok());
      if (!n->has_value()) break;
    }
    EXPECT_EQ(r.buffered(), 0u);
  }
}

TEST_F(IscsiSessionTest, ADeterministicRandomSourceFixesTheChallenge) {
  config_ = MakeIscsiConfig(gateway_, kGatewayArn, "127.0.0.1:3260");
  config_->random = [](std::size_t n) { return std::vector<std::uint8_t>(n, 0x5a); };
  IscsiSession& s = Connect();
  iscsi::Pdu login;
  login.SetOpcode(iscsi::Opcode::kLoginRequest, true);
  login.data = iscsi::FormatText({{"InitiatorName", kInitiator}, {"TargetName", kMyVolumeIqn}, {"AuthMethod", "CHAP"}});
  ASSERT_EQ(Cut(s.Feed(iscsi::Serialize(login)).bytes).size(), 1u);
  login.data = iscsi::FormatText({{"CHAP_A", "5"}});
  auto out = Cut(s.Feed(iscsi::Serialize(login)).bytes);
  ASSERT_EQ(out.size(), 1u);
  auto keys = iscsi::ParseText(out[0].data);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(*iscsi::FindKey(*keys, "CHAP_I"), "90");
  EXPECT_EQ(*iscsi::FindKey(*keys, "CHAP_C"), "0x5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a");  // 16 bytes of 0x5a
  EXPECT_TRUE(LoginWith(Chap()).ok) << "a login still works with the fixed challenge";
}

TEST_F(IscsiSessionTest, FullFeatureProtocolErrorsAreRejected) {
  IscsiSession& s = Connect();
  TestInitiator ini(SessionExchange(s));
  ASSERT_TRUE(ini.Login(Chap()).ok);
  // A Data-Out for no task: Reject, the session goes on.
  iscsi::Pdu d;
  d.SetOpcode(iscsi::Opcode::kDataOut);
  d.SetFlags(0x80);
  d.SetItt(999);
  d.SetTtt(5);
  auto out = Cut(s.Feed(iscsi::Serialize(d)).bytes);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].opcode(), iscsi::Opcode::kReject);
  // SNACK is not supported at ErrorRecoveryLevel 0.
  iscsi::Pdu snack;
  snack.SetOpcode(iscsi::Opcode::kSnack);
  out = Cut(s.Feed(iscsi::Serialize(snack)).bytes);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].opcode(), iscsi::Opcode::kReject);
  EXPECT_EQ(out[0].bhs[2], iscsi::kRejectCommandNotSupported);
  EXPECT_TRUE(ini.Ping());
}

// The fuzz target fuzz_iscsi_login fixes the challenge (every random byte 0x5a), so a recorded
// login replays. Its seeds chap-login-scsi and mutual-chap-login (fuzz/regressions/
// fuzz_iscsi_login/) are such recordings: a CHAP login, then SCSI commands; without them the
// fuzzer could never answer a challenge and would not get past authentication on a CHAP target.
// This test checks that each seed still reaches full feature phase when replayed as the fuzz
// target does, and rewrites them when CHAPCHECK_WRITE_ISCSI_SEEDS is set (after a change to the
// login that makes them stale).
std::vector<std::uint8_t> RecordSeed(IscsiSessionTest& t, const LoginParams& p) {
  std::vector<std::uint8_t> stream{0};  // fuzz_iscsi_login's first byte: 0 = feed in one piece
  IscsiSession& s = t.Connect();
  Exchange inner = SessionExchange(s);
  TestInitiator ini([&](const iscsi::Pdu& pdu) {
    const auto bytes = iscsi::Serialize(pdu);
    stream.insert(stream.end(), bytes.begin(), bytes.end());
    return inner(pdu);
  });
  EXPECT_TRUE(ini.Login(p).ok);
  ini.Command({0x00}, 0, false);                                    // TEST UNIT READY: the power-on unit attention
  EXPECT_EQ(ini.Command({0x25}, 8, true).status, 0);               // READ CAPACITY(10)
  EXPECT_EQ(ini.Command({0x2a, 0, 0, 0, 0, 1, 0, 0, 1}, 512, false, std::vector<std::uint8_t>(512, 7)).status, 0);  // WRITE(10)
  EXPECT_EQ(ini.Command({0x28, 0, 0, 0, 0, 1, 0, 0, 1}, 512, true).status, 0);  // READ(10)
  EXPECT_TRUE(ini.Ping());
  return stream;
}

TEST_F(IscsiSessionTest, FuzzSeedsLogInWithTheFixedChallenge) {
  config_ = MakeIscsiConfig(gateway_, kGatewayArn, "127.0.0.1:3260");
  config_->random = [](std::size_t n) { return std::vector<std::uint8_t>(n, 0x5a); };
  config_->next_tsih = [] { return std::uint16_t{1}; };
  const std::string dir = std::string(CHAPCHECK_SOURCE_DIR) + "/fuzz/regressions/fuzz_iscsi_login/";
  const std::vector<std::pair<std::string, LoginParams>> seeds = {{"chap-login-scsi", Chap()},
                                                                  {"mutual-chap-login", Mutual()}};
  for (const auto& [name, params] : seeds) {
    SCOPED_TRACE(name);
    if (std::getenv("CHAPCHECK_WRITE_ISCSI_SEEDS") != nullptr) {
      const auto bytes = RecordSeed(*this, params);
      std::ofstream(dir + name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                         static_cast<std::streamsize>(bytes.size()));
    }
    std::ifstream in(dir + name, std::ios::binary);
    ASSERT_TRUE(in) << "missing seed " << dir + name;
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_GT(bytes.size(), 1u);
    IscsiSession& s = Connect();
    const auto out = s.Feed(std::span(bytes).subspan(1));
    EXPECT_FALSE(out.close);
    EXPECT_TRUE(s.full_feature()) << "the recorded login no longer succeeds: rerun with CHAPCHECK_WRITE_ISCSI_SEEDS=1";
    for (const auto& pdu : Cut(out.bytes)) EXPECT_NE(pdu.opcode(), iscsi::Opcode::kReject);
  }
}

}  // namespace
}  // namespace chapcheck::mocks
