#include "mocks/scsi_lun.h"

#include <algorithm>

namespace chapcheck::mocks {
namespace {

constexpr std::uint8_t kGood = 0x00, kCheckCondition = 0x02;
constexpr std::uint8_t kIllegalRequest = 0x05, kUnitAttention = 0x06, kDataProtect = 0x07;

std::uint32_t Be16(std::span<const std::uint8_t> b, std::size_t at) { return static_cast<std::uint32_t>(b[at] << 8 | b[at + 1]); }
std::uint32_t Be32(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) << 24 | static_cast<std::uint32_t>(b[at + 1]) << 16 |
         static_cast<std::uint32_t>(b[at + 2]) << 8 | b[at + 3];
}
std::uint64_t Be64(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint64_t>(Be32(b, at)) << 32 | Be32(b, at + 4);
}
void Put16(std::vector<std::uint8_t>& v, std::size_t at, std::uint32_t x) {
  v[at] = static_cast<std::uint8_t>(x >> 8);
  v[at + 1] = static_cast<std::uint8_t>(x);
}
void Put32(std::vector<std::uint8_t>& v, std::size_t at, std::uint32_t x) {
  Put16(v, at, x >> 16);
  Put16(v, at + 2, x & 0xffff);
}
void Put64(std::vector<std::uint8_t>& v, std::size_t at, std::uint64_t x) {
  Put32(v, at, static_cast<std::uint32_t>(x >> 32));
  Put32(v, at + 4, static_cast<std::uint32_t>(x));
}
void PutText(std::vector<std::uint8_t>& v, std::size_t at, std::size_t width, std::string_view text) {
  for (std::size_t i = 0; i < width; ++i) v[at + i] = static_cast<std::uint8_t>(i < text.size() ? text[i] : ' ');
}

ScsiOutcome Good(std::vector<std::uint8_t> data = {}) { return ScsiOutcome{kGood, std::move(data), {}}; }
ScsiOutcome InvalidOpcode() { return ScsiOutcome::Check(kIllegalRequest, 0x20, 0x00); }
ScsiOutcome InvalidField() { return ScsiOutcome::Check(kIllegalRequest, 0x24, 0x00); }
ScsiOutcome OutOfRange() { return ScsiOutcome::Check(kIllegalRequest, 0x21, 0x00); }

ScsiOutcome ReportLuns() {
  std::vector<std::uint8_t> d(16, 0);
  Put32(d, 0, 8);  // one LUN (0), eight bytes
  return Good(std::move(d));
}

// Commands an initiator may send while a unit attention is pending without consuming it.
bool PassesUnitAttention(std::uint8_t opcode) { return opcode == 0x12 || opcode == 0xa0 || opcode == 0x03; }

}  // namespace

ScsiOutcome ScsiOutcome::Check(std::uint8_t key, std::uint8_t asc, std::uint8_t ascq) {
  ScsiOutcome o;
  o.status = kCheckCondition;
  o.sense.assign(18, 0);
  o.sense[0] = 0x70;  // current error, fixed format
  o.sense[2] = key;
  o.sense[7] = 10;  // additional sense length
  o.sense[12] = asc;
  o.sense[13] = ascq;
  return o;
}

ScsiOutcome ScsiLun::ExecuteMissingLun(std::span<const std::uint8_t> cdb) const {
  if (cdb[0] == 0x12) {
    if (cdb[1] & 0x01) return InvalidField();
    std::vector<std::uint8_t> d(36, 0);
    d[0] = 0x7f;  // peripheral qualifier 3: no logical unit here
    d[2] = 0x06;
    d[3] = 0x02;
    d[4] = 31;
    return Good(std::move(d));
  }
  if (cdb[0] == 0xa0) return ReportLuns();
  return ScsiOutcome::Check(kIllegalRequest, 0x25, 0x00);  // LOGICAL UNIT NOT SUPPORTED
}

ScsiOutcome ScsiLun::Execute(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out,
                             bool& unit_attention) const {
  const std::uint8_t op = cdb[0];
  if (unit_attention && !PassesUnitAttention(op)) {
    unit_attention = false;
    return ScsiOutcome::Check(kUnitAttention, 0x29, 0x00);  // POWER ON, RESET, OR BUS DEVICE RESET OCCURRED
  }
  switch (op) {
    case 0x00:  // TEST UNIT READY
    case 0x35:  // SYNCHRONIZE CACHE 10
    case 0x91:  // SYNCHRONIZE CACHE 16
    case 0x1b:  // START STOP UNIT
      return Good();
    case 0x03: {  // REQUEST SENSE: nothing pending
      std::vector<std::uint8_t> d(18, 0);
      d[0] = 0x70;
      d[7] = 10;
      return Good(std::move(d));
    }
    case 0x12: return Inquiry(cdb);
    case 0xa0: return ReportLuns();
    case 0x25: return ReadCapacity(cdb);
    case 0x9e:  // SERVICE ACTION IN (16): READ CAPACITY 16 only
      if ((cdb[1] & 0x1f) != 0x10) return InvalidField();
      return ReadCapacity(cdb);
    case 0x08: case 0x28: case 0x88:
    case 0x0a: case 0x2a: case 0x8a:
      return ReadWrite(cdb, data_out);
    case 0x1a: case 0x5a: return ModeSense(cdb);
    default: return InvalidOpcode();
  }
}

ScsiOutcome ScsiLun::Inquiry(std::span<const std::uint8_t> cdb) const {
  const bool evpd = cdb[1] & 0x01;
  const std::uint8_t page = cdb[2];
  if (!evpd) {
    if (page != 0) return InvalidField();
    std::vector<std::uint8_t> d(36, 0);
    d[0] = 0x00;  // connected direct-access block device
    d[2] = 0x06;  // SPC-4
    d[3] = 0x12;  // HiSup, response data format 2
    d[4] = 36 - 5;
    d[7] = 0x02;  // CmdQue
    PutText(d, 8, 8, "CHAPCHCK");
    PutText(d, 16, 16, "Mock Volume");
    PutText(d, 32, 4, "1.0");
    return Good(std::move(d));
  }
  std::vector<std::uint8_t> d;
  auto header = [&](std::size_t length) {
    d.assign(4 + length, 0);
    d[1] = page;
    Put16(d, 2, static_cast<std::uint32_t>(length));
  };
  switch (page) {
    case 0x00: {
      const std::uint8_t pages[] = {0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2};
      header(sizeof pages);
      std::copy(std::begin(pages), std::end(pages), d.begin() + 4);
      break;
    }
    case 0x80:
      header(serial_.size());
      PutText(d, 4, serial_.size(), serial_);
      break;
    case 0x83: {
      // One designator: T10 vendor ID (type 1), ASCII, associated with the logical unit.
      const std::string id = "CHAPCHCK" + serial_;
      header(4 + id.size());
      d[4] = 0x02;  // code set ASCII
      d[5] = 0x01;  // association LU, type T10 vendor ID
      d[7] = static_cast<std::uint8_t>(id.size());
      PutText(d, 8, id.size(), id);
      break;
    }
    case 0xb0:  // block limits
      header(0x3c);
      Put32(d, 8, kMaxTransferBytes / kBlockSize);   // maximum transfer length
      Put32(d, 12, (1u << 20) / kBlockSize);          // optimal transfer length
      break;
    case 0xb1:  // block device characteristics
      header(0x3c);
      Put16(d, 4, 1);  // non-rotating medium
      break;
    case 0xb2:  // logical block provisioning: fully provisioned, no UNMAP
      header(4);
      break;
    default: return InvalidField();
  }
  return Good(std::move(d));
}

ScsiOutcome ScsiLun::ReadCapacity(std::span<const std::uint8_t> cdb) const {
  const std::uint64_t last = blocks() == 0 ? 0 : blocks() - 1;
  if (cdb[0] == 0x25) {
    std::vector<std::uint8_t> d(8, 0);
    Put32(d, 0, last > 0xfffffffe ? 0xffffffff : static_cast<std::uint32_t>(last));
    Put32(d, 4, kBlockSize);
    return Good(std::move(d));
  }
  std::vector<std::uint8_t> d(32, 0);
  Put64(d, 0, last);
  Put32(d, 8, kBlockSize);
  return Good(std::move(d));
}

ScsiOutcome ScsiLun::ReadWrite(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out) const {
  const std::uint8_t op = cdb[0];
  const bool write = op == 0x0a || op == 0x2a || op == 0x8a;
  std::uint64_t lba = 0;
  std::uint64_t count = 0;
  if (op == 0x08 || op == 0x0a) {
    lba = static_cast<std::uint64_t>(cdb[1] & 0x1f) << 16 | Be16(cdb, 2);
    count = cdb[4] == 0 ? 256 : cdb[4];
  } else if (op == 0x28 || op == 0x2a) {
    lba = Be32(cdb, 2);
    count = Be16(cdb, 7);
  } else {
    lba = Be64(cdb, 2);
    count = Be32(cdb, 10);
  }
  if (lba > blocks() || count > blocks() - lba) return OutOfRange();
  if (count * kBlockSize > kMaxTransferBytes) return InvalidField();
  const std::size_t bytes = static_cast<std::size_t>(count) * kBlockSize;
  if (write) {
    if (data_out.size() < bytes) return ScsiOutcome::Check(kIllegalRequest, 0x24, 0x00);
    if (!disk_->Write(lba * kBlockSize, data_out.first(bytes))) {
      return ScsiOutcome::Check(kDataProtect, 0x27, 0x07);  // SPACE ALLOCATION FAILED WRITE PROTECT
    }
    return Good();
  }
  std::vector<std::uint8_t> d(bytes);
  if (!disk_->Read(lba * kBlockSize, d)) return OutOfRange();
  return Good(std::move(d));
}

ScsiOutcome ScsiLun::ModeSense(std::span<const std::uint8_t> cdb) const {
  const bool ten = cdb[0] == 0x5a;
  const std::uint8_t page = cdb[2] & 0x3f;
  const std::uint8_t control = cdb[2] >> 6;  // 0 current, 1 changeable, 2 default, 3 saved
  std::vector<std::uint8_t> pages;
  auto caching = [&] {
    std::vector<std::uint8_t> p(20, 0);
    p[0] = 0x08;
    p[1] = 18;
    if (control != 1) p[2] = 0x04;  // WCE
    pages.insert(pages.end(), p.begin(), p.end());
  };
  auto control_page = [&] {
    std::vector<std::uint8_t> p(12, 0);
    p[0] = 0x0a;
    p[1] = 10;
    pages.insert(pages.end(), p.begin(), p.end());
  };
  if (page == 0x08) {
    caching();
  } else if (page == 0x0a) {
    control_page();
  } else if (page == 0x3f) {
    caching();
    control_page();
  } else {
    return InvalidField();
  }
  const std::size_t header = ten ? 8 : 4;
  std::vector<std::uint8_t> d(header, 0);
  d.insert(d.end(), pages.begin(), pages.end());
  if (ten) {
    Put16(d, 0, static_cast<std::uint32_t>(d.size() - 2));
  } else {
    d[0] = static_cast<std::uint8_t>(d.size() - 1);
  }
  return Good(std::move(d));
}

}  // namespace chapcheck::mocks
