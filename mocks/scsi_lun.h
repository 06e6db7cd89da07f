// ScsiLun: a SCSI block device (SBC-3/SPC-4 subset) over a SparseDisk, as much as initiators ask
// of a Storage Gateway volume: TEST UNIT READY, INQUIRY (standard and VPD 0x00, 0x80, 0x83, 0xB0,
// 0xB1, 0xB2), REPORT LUNS, READ CAPACITY 10/16, READ and WRITE 6/10/16, MODE SENSE 6/10 (caching
// and control pages), SYNCHRONIZE CACHE 10/16, REQUEST SENSE. Anything else is CHECK CONDITION
// ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE. Blocks are 512 bytes.
//
// Execute() is transport-free: a CDB and the data the initiator sent in, status, sense and data
// out. Unit attention is per I_T nexus, so the caller owns the flag. Any thread (the disk locks).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mocks/sparse_disk.h"

namespace chapcheck::mocks {

struct ScsiOutcome {
  std::uint8_t status = 0;            // 0x00 GOOD, 0x02 CHECK CONDITION
  std::vector<std::uint8_t> data_in;  // what the command returns (before the allocation length cut)
  std::vector<std::uint8_t> sense;    // fixed-format sense data with CHECK CONDITION

  static ScsiOutcome Check(std::uint8_t key, std::uint8_t asc, std::uint8_t ascq);
};

class ScsiLun {
 public:
  static constexpr std::uint32_t kBlockSize = 512;
  static constexpr std::uint32_t kMaxTransferBytes = 8u << 20;

  ScsiLun(std::shared_ptr<SparseDisk> disk, std::string serial) : disk_(std::move(disk)), serial_(std::move(serial)) {}

  // `unit_attention`: pending for this nexus; the first command that reports it clears it.
  ScsiOutcome Execute(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out,
                      bool& unit_attention) const;
  // The answer for a LUN that does not exist (INQUIRY says "not connected", REPORT LUNS works).
  ScsiOutcome ExecuteMissingLun(std::span<const std::uint8_t> cdb) const;
  std::uint64_t blocks() const { return disk_->size() / kBlockSize; }
  const std::string& serial() const { return serial_; }

 private:
  ScsiOutcome Dispatch(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out,
                       bool& unit_attention) const;
  ScsiOutcome Inquiry(std::span<const std::uint8_t> cdb) const;
  ScsiOutcome ReadWrite(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out) const;
  ScsiOutcome ModeSense(std::span<const std::uint8_t> cdb) const;
  ScsiOutcome ReadCapacity(std::span<const std::uint8_t> cdb) const;

  std::shared_ptr<SparseDisk> disk_;
  std::string serial_;
};

}  // namespace chapcheck::mocks
