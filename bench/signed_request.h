// The model UpdateChapCredentials request of the benchmarks: the documented example body, signed
// now with the example keys that the mock's default fixture accepts (AKIDEXAMPLE, us-east-1,
// storagegateway). Used by chapcheck-sign-request and chapcheck-bench-gateway; any thread.
#pragma once

#include "protocol/sigv4.h"

namespace chapcheck::bench {

// POST / with Host 127.0.0.1:PORT, Content-Type, X-Amz-Target, X-Amz-Date and Authorization.
sigv4::Request SignedUpdateRequest(int port);

}  // namespace chapcheck::bench
