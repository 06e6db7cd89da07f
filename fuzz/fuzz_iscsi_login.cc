// fuzz_iscsi_login: bytes -> one iSCSI connection of the mock's portal, transport-free
// (mocks/iscsi_session.h), with the default fixture's gateway sgw-12A3456B (one per process: a
// login does not change it) and a fresh session and small LUNs per input. The target's CHAP
// identifier and challenge are fixed (every random byte 0x5a), so an input can carry the right
// CHAP_R: the regression corpus holds recorded CHAP and mutual CHAP logins followed by SCSI
// commands (kept valid by mocks/iscsi_session_test.cc), from which the fuzzer explores the full
// feature phase of a CHAP target. The first byte chooses how the rest is split into Feed() calls
// (the stream may arrive in any pieces). Findings (each aborts): a crash, leak, hang or sanitizer
// report; a PDU from the session that does not parse; a normal session in full feature phase on a
// target that requires CHAP, from an input that never sent CHAP_R.
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "mocks/iscsi_backend.h"
#include "mocks/scsi_lun.h"
#include "mocks/sparse_disk.h"
#include "mocks/mock_test_support.h"
#include "protocol/iscsi_pdu.h"

namespace {

using namespace chapcheck;

constexpr const char* kGatewayArn = "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B";
constexpr std::size_t kLunMemory = 1u << 20;
// Each input's LUNs are 2 MiB (the fixture's volumes are 1 TiB): a READ can then return at most
// 2 MiB, so a run stays in milliseconds (an 8 MiB READ in 512-byte Data-In PDUs took 37 ms under
// ASan, and once found such inputs dominated the run), while a READ past the end, one above the
// transfer limit and writes beyond the memory budget all stay reachable.
constexpr std::uint64_t kLunBytes = 2u << 20;

[[noreturn]] void Finding(const std::string& what) {
  std::fprintf(stderr, "fuzz_iscsi_login: %s\n", what.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // A login only reads the gateway's credentials, so one gateway and one configuration serve every
  // input; what a session can change (the LUNs' contents) is made afresh for each.
  static mocks::Gateway gateway(mocks::testing::DefaultFixture(), mocks::testing::Options());
  static const auto base = [] {
    auto c = mocks::MakeIscsiConfig(gateway, kGatewayArn, "127.0.0.1:3260", kLunMemory);
    c->next_tsih = [] { return std::uint16_t{1}; };
    // A fixed challenge (mocks/iscsi_session.h): an input can then hold the right CHAP_R, and the
    // recorded logins in the regression corpus reach full feature phase (mocks/iscsi_session_test.cc).
    c->random = [](std::size_t n) { return std::vector<std::uint8_t>(n, 0x5a); };
    return c;
  }();
  auto config = std::make_shared<mocks::IscsiSessionConfig>(*base);
  for (mocks::IscsiTarget& t : config->targets) {
    auto disk = std::make_shared<mocks::SparseDisk>(kLunBytes, kLunMemory);
    t.lun = std::make_shared<const mocks::ScsiLun>(std::move(disk), t.lun->serial());
  }
  mocks::IscsiSession session(config);

  const std::size_t chunk = data[0] == 0 ? size : 1 + data[0] % 61;
  std::span<const std::uint8_t> rest(data + 1, size - 1);
  iscsi::PduReader replies;
  while (!rest.empty()) {
    const std::size_t n = std::min(chunk, rest.size());
    const mocks::IscsiSession::Output out = session.Feed(rest.first(n));
    rest = rest.subspan(n);
    replies.Feed(out.bytes);
    for (;;) {
      auto pdu = replies.Next();
      if (!pdu.ok()) Finding("the session sent a PDU that does not parse: " + pdu.error().ToString());
      if (!pdu.value()) break;
    }
    if (out.close) break;
  }
  if (session.full_feature() && !session.discovery()) {
    const mocks::LoginSecrets secrets = config->secrets(session.target_arn(), session.initiator());
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    if (secrets.chap_required && bytes.find("CHAP_R=") == std::string_view::npos) {
      Finding("full feature phase on a CHAP target without a CHAP response: " + session.target_arn());
    }
  }
  return 0;
}
