#include "protocol/iscsi_pdu.h"

#include <gtest/gtest.h>

namespace chapcheck::iscsi {
namespace {

std::vector<std::uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(IscsiPdu, SerializePadsDataAndFillsLengths) {
  Pdu p;
  p.SetOpcode(Opcode::kLoginRequest, true);
  p.SetLoginFlags(true, false, Stage::kSecurity, Stage::kOperational);
  p.SetItt(0x01020304);
  p.SetTsih(0x0a0b);
  p.data = Bytes("abcde");
  const auto wire = Serialize(p);
  ASSERT_EQ(wire.size(), 48u + 8u);
  EXPECT_EQ(wire[0], 0x43);
  EXPECT_EQ(wire[1], 0x81);
  EXPECT_EQ(wire[4], 0);
  EXPECT_EQ(wire[5], 0);
  EXPECT_EQ(wire[6], 0);
  EXPECT_EQ(wire[7], 5);
  EXPECT_EQ(wire[14], 0x0a);
  EXPECT_EQ(wire[15], 0x0b);
  EXPECT_EQ(wire[16], 0x01);
  EXPECT_EQ(wire[19], 0x04);
  EXPECT_EQ(wire[48], 'a');
  EXPECT_EQ(wire[53], 0);  // padding
  EXPECT_EQ(wire[55], 0);
}

// A reply of many PDUs (the Data-In of an 8 MiB READ in 512-byte segments is 16,384 of them) is
// appended one by one: the buffer must grow geometrically, not by one PDU at a time (which copied
// the whole reply per PDU: quadratic in the READ size).
TEST(IscsiPdu, AppendingManyPdusReallocatesLogarithmically) {
  Pdu p;
  p.SetOpcode(Opcode::kDataIn, false);
  p.data.assign(512, 0x42);
  std::vector<std::uint8_t> out;
  int reallocations = 0;
  for (int i = 0; i < 16384; ++i) {
    const auto* before = out.data();
    AppendSerialized(p, out);
    reallocations += out.data() != before;
  }
  EXPECT_EQ(out.size(), 16384u * (48u + 512u));
  EXPECT_LE(reallocations, 30);
}

TEST(IscsiPdu, ReaderRoundTripsAcrossArbitrarySplits) {
  Pdu a;
  a.SetOpcode(Opcode::kScsiCommand);
  a.SetFlags(0xc0);
  a.SetU32(20, 4096);
  a.bhs[32] = 0x28;
  a.ahs = {0, 4, 1, 0, 1, 2, 3, 4};
  a.data = Bytes("xyz");
  Pdu b;
  b.SetOpcode(Opcode::kNopOut, true);
  b.SetItt(kReservedTag);
  std::vector<std::uint8_t> wire = Serialize(a);
  AppendSerialized(b, wire);
  for (std::size_t split = 1; split < wire.size(); split += 7) {
    PduReader r;
    r.Feed(std::span(wire).first(split));
    std::vector<Pdu> got;
    auto take = [&] {
      while (true) {
        auto n = r.Next();
        ASSERT_TRUE(n.ok());
        if (!n->has_value()) break;
        got.push_back(**n);
      }
    };
    take();
    r.Feed(std::span(wire).subspan(split));
    take();
    ASSERT_EQ(got.size(), 2u) << split;
    EXPECT_EQ(got[0].opcode(), Opcode::kScsiCommand);
    EXPECT_TRUE(got[0].read_bit());
    EXPECT_EQ(got[0].expected_length(), 4096u);
    EXPECT_EQ(got[0].cdb()[0], 0x28);
    EXPECT_EQ(got[0].ahs, a.ahs);
    EXPECT_EQ(got[0].data, a.data);
    EXPECT_EQ(got[1].opcode(), Opcode::kNopOut);
    EXPECT_TRUE(got[1].immediate());
    EXPECT_EQ(got[1].itt(), kReservedTag);
    EXPECT_EQ(r.buffered(), 0u);
  }
}

TEST(IscsiPdu, OversizedDataSegmentIsAnErrorAndSticks) {
  Pdu p;
  p.data.assign(100, 1);
  PduReader r(64);
  r.Feed(Serialize(p));
  EXPECT_FALSE(r.Next().ok());
  r.Feed(Serialize(Pdu{}));
  EXPECT_FALSE(r.Next().ok());
}

TEST(IscsiPdu, FieldAccessorsAreBigEndian) {
  Pdu p;
  p.SetU64(8, 0x0102030405060708ull);
  EXPECT_EQ(p.bhs[8], 1);
  EXPECT_EQ(p.bhs[15], 8);
  EXPECT_EQ(p.lun(), 0x0102030405060708ull);
  p.SetLoginStatus(0x0201);
  EXPECT_EQ(p.bhs[36], 2);
  EXPECT_EQ(p.bhs[37], 1);
  EXPECT_EQ(p.login_status(), 0x0201);
  p.SetLoginFlags(false, true, Stage::kOperational, Stage::kFullFeature);
  EXPECT_FALSE(p.transit());
  EXPECT_TRUE(p.continue_bit());
  EXPECT_EQ(p.csg(), Stage::kOperational);
  EXPECT_EQ(p.nsg(), Stage::kFullFeature);
}

TEST(IscsiText, ParsesAndFormats) {
  const KeyValues kv = {{"InitiatorName", "iqn.a:b"}, {"AuthMethod", "CHAP,None"}, {"Empty", ""}};
  const auto text = FormatText(kv);
  EXPECT_EQ(std::string(text.begin(), text.end()), std::string("InitiatorName=iqn.a:b\0AuthMethod=CHAP,None\0Empty=\0", 50));
  auto parsed = ParseText(text);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, kv);
  EXPECT_EQ(*FindKey(*parsed, "AuthMethod"), "CHAP,None");
  EXPECT_EQ(FindKey(*parsed, "Nope"), nullptr);
  // Value with '=' inside keeps it.
  EXPECT_EQ((*ParseText(Bytes(std::string("A=b=c\0", 6))))[0].second, "b=c");
  // Trailing NUL padding is fine.
  EXPECT_TRUE(ParseText(Bytes(std::string("A=b\0\0\0", 6))).ok());
  EXPECT_TRUE(ParseText({}).ok());
}

TEST(IscsiText, MalformedTextIsAnError) {
  for (const std::string& bad : {std::string("A=b"), std::string("Ab\0", 3), std::string("=b\0", 3),
                                std::string("A=1\0A=2\0", 8), std::string("A=1\0\0B=2\0", 9),
                                std::string("A b=1\0", 6), std::string(64, 'k') + std::string("=1\0", 3)}) {
    EXPECT_FALSE(ParseText(Bytes(bad)).ok()) << bad;
  }
  TextLimits small;
  small.max_pairs = 2;
  small.max_value = 4;
  EXPECT_FALSE(ParseText(Bytes(std::string("A=1\0B=2\0C=3\0", 12)), small).ok());
  EXPECT_FALSE(ParseText(Bytes(std::string("A=12345\0", 8)), small).ok());
}

TEST(IscsiText, Numbers) {
  EXPECT_EQ(ParseNumber("8192"), 8192u);
  EXPECT_EQ(ParseNumber("0x10"), 16u);
  EXPECT_EQ(ParseNumber("0XfF"), 255u);
  EXPECT_EQ(ParseNumber("18446744073709551615"), UINT64_MAX);
  for (const char* bad : {"", "0x", "-1", "1 ", "18446744073709551616", "12a", "0xg"}) {
    EXPECT_FALSE(ParseNumber(bad).has_value()) << bad;
  }
}

TEST(IscsiSerial, Comparison) {
  EXPECT_TRUE(SerialLess(1, 2));
  EXPECT_FALSE(SerialLess(2, 1));
  EXPECT_FALSE(SerialLess(5, 5));
  EXPECT_TRUE(SerialLess(0xfffffff0u, 3));
}

}  // namespace
}  // namespace chapcheck::iscsi
