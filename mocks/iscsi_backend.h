// What one gateway's iSCSI portal serves, read from the mock Gateway: one target per target IQN
// of the gateway's volumes, each with LUN 0 backed by a SparseDisk of the volume's size, and the
// SecretsLookup that sessions ask at every login. The lookup reads the gateway state afresh each
// time, so a login right after UpdateChapCredentials sees the new secrets; the data-plane defect
// switches (keep-old-secrets, ignore-target-secret) bend it here, not in the session.
//
// Call from any thread; the Gateway must outlive the returned config.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "mocks/gateway.h"
#include "mocks/iscsi_session.h"

namespace chapcheck::mocks {

// `portal` is what SendTargets reports ("127.0.0.1:3260"); `memory_budget` bounds each volume's
// stored data in bytes.
std::shared_ptr<IscsiSessionConfig> MakeIscsiConfig(Gateway& gateway, const std::string& gateway_arn,
                                                    const std::string& portal, std::size_t memory_budget = 64u << 20);

}  // namespace chapcheck::mocks
