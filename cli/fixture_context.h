// The generation context for the built-in mock: a target on an online iSCSI gateway of the
// fixture (the current model's form, sgw-...), a second target there, a target on an offline
// gateway, and the fixture as the world the expectations assume.
#pragma once

#include "generators/cases.h"
#include "mocks/gateway_state.h"

namespace chapcheck::cli {

generators::Context ContextFromFixture(const mocks::Fixture& fixture);

}  // namespace chapcheck::cli
