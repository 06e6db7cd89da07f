// chapcheck-iscsi-drop: how fast an implementation drops a target's iSCSI sessions after
// UpdateChapCredentials, and how fast the probe logs sessions in. A benchmark tool run by
// bench/iscsi_drop, not part of the harness.
//
// Per round: log N sessions of one initiator in (concurrently, one poll loop), send the update
// (new secret) through the suite's Client, and time each session's close against the HTTP
// response. Prints one line per round and, at the end, per-session close latency (p50, p99) and
// the last close per round (p50, max), plus the probe's login rate. Credentials for SigV4 come
// from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. Exit 0 measured, 1 not measured, 2 usage.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "conformance/client.h"
#include "conformance/connection_scenarios.h"
#include "conformance/iscsi_probe.h"

namespace {

using chapcheck::Secret;
using namespace chapcheck::conformance;
using Ms = std::chrono::milliseconds;

constexpr const char* kUsage =
    "usage: chapcheck-iscsi-drop --endpoint URL --target-arn ARN --portal HOST:PORT\n"
    "         [--sessions N] [--rounds R] [--deadline-ms D]\n";

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

Secret Fresh(std::mt19937_64& rng) {
  std::string s;
  std::uniform_int_distribution<int> d(0, 25);
  for (int i = 0; i < 14; ++i) s += static_cast<char>('a' + d(rng));
  return Secret(std::move(s));
}

bool Whole(const std::string& s, long& out) {
  if (s.empty() || s.size() > 7 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  out = std::stol(s);
  return out > 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string endpoint, target_arn, portal;
  long sessions = 10, rounds = 5, deadline_ms = 10000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--endpoint") endpoint = v;
    else if (a == "--target-arn") target_arn = v;
    else if (a == "--portal") portal = v;
    else if (!((a == "--sessions" && Whole(v, sessions)) || (a == "--rounds" && Whole(v, rounds)) ||
               (a == "--deadline-ms" && Whole(v, deadline_ms)))) {
      std::cerr << kUsage;
      return 2;
    }
  }
  const auto iqn = TargetIqnOf(target_arn);
  if (endpoint.empty() || portal.empty() || !iqn || argc % 2 == 0) {
    std::cerr << kUsage;
    return 2;
  }
  auto creds = CredentialsFromEnvironment(std::nullopt);
  if (!creds) {
    std::cerr << "chapcheck-iscsi-drop: " << creds.error().ToString() << "\n";
    return 2;
  }
  EndpointConfig config;
  config.url = endpoint;
  config.credentials = *creds;
  auto client = Client::Create(config);
  if (!client) {
    std::cerr << "chapcheck-iscsi-drop: " << client.error().ToString() << "\n";
    return 2;
  }
  const std::string initiator = "iqn.2026-11.org.chapcheck:bench";
  std::mt19937_64 rng(std::random_device{}());
  auto update = [&](const Secret& s) {
    const nlohmann::json body{{"TargetARN", target_arn}, {"SecretToAuthenticateInitiator", s.Reveal()}, {"InitiatorName", initiator}};
    return (*client)->Call("StorageGateway_20130630", "UpdateChapCredentials", body.dump());
  };
  Secret secret = Fresh(rng);
  if (const Exchange ex = update(secret); ex.status != 200) {
    std::cerr << "chapcheck-iscsi-drop: the set-up update answered " << ex.status << " " << ex.transport_error << "\n";
    return 1;
  }

  IscsiProbe probe(ProbeOptions{Ms(1000), Ms(30000)});
  std::vector<double> per_session, last_close;
  double login_seconds = 0;
  long logins = 0;
  for (long round = 0; round < rounds; ++round) {
    IscsiLogin login;
    login.portal = portal;
    login.target_iqn = *iqn;
    login.initiator_name = initiator;
    login.chap_secret = secret;
    std::vector<IscsiProbe::SessionId> ids;
    const auto begin = ProbeClock::now();
    for (long i = 0; i < sessions; ++i) ids.push_back(probe.Start(login));
    auto none_pending = [&] {
      return std::none_of(ids.begin(), ids.end(), [&](auto id) { return probe.state(id) == SessionState::kLoggingIn; });
    };
    probe.PumpUntil(none_pending, begin + Ms(35000));
    login_seconds += std::chrono::duration<double>(ProbeClock::now() - begin).count();
    for (auto id : ids) {
      if (probe.state(id) != SessionState::kOpen) {
        std::cerr << "chapcheck-iscsi-drop: round " << round << ": session " << id << ": " << probe.login(id).Describe() << "\n";
        return 1;
      }
    }
    logins += sessions;
    secret = Fresh(rng);
    Exchange ex;
    const auto response_at = probe.PumpDuring(
        [&] { ex = update(secret); },
        [&] { return std::none_of(ids.begin(), ids.end(), [&](auto id) { return probe.state(id) == SessionState::kOpen; }); },
        Ms(deadline_ms));
    if (ex.status != 200) {
      std::cerr << "chapcheck-iscsi-drop: round " << round << ": the update answered " << ex.status << "\n";
      return 1;
    }
    double last = -1e9;
    long still_open = 0;
    for (auto id : ids) {
      if (const auto at = probe.closed_at(id)) {
        const double ms = std::chrono::duration<double, std::milli>(*at - response_at).count();
        per_session.push_back(ms);
        last = std::max(last, ms);
      } else {
        ++still_open;
        probe.Release(id);
      }
    }
    if (still_open) {
      std::printf("round %ld: %ld of %ld sessions still open %ld ms after the response\n", round, still_open, sessions, deadline_ms);
      return 1;
    }
    last_close.push_back(last);
    std::printf("round %ld: %ld sessions, last closed %.2f ms after the response\n", round, sessions, last);
  }
  std::printf("sessions %ld rounds %ld: per-session close p50 %.2f ms p99 %.2f ms; last close p50 %.2f ms max %.2f ms; "
              "logins %.0f/s\n",
              sessions, rounds, Percentile(per_session, 0.5), Percentile(per_session, 0.99), Percentile(last_close, 0.5),
              Percentile(last_close, 1.0), static_cast<double>(logins) / login_seconds);
  // Leave no bench credentials behind.
  (*client)->Call("StorageGateway_20130630", "DeleteChapCredentials",
                  nlohmann::json{{"TargetARN", target_arn}, {"InitiatorName", initiator}}.dump());
  return 0;
}
