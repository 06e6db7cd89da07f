#include "protocol/sigv4.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace chapcheck::sigv4 {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;
using std::chrono::system_clock;

const fs::path kVectorDir = fs::path(CHAPCHECK_TEST_DATA) / "sigv4";

// --- reading the vectors -------------------------------------------------------------------

// The file's bytes with CRLF turned into LF (the suite ships LF, but a checkout may convert).
std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

// An expected output: canonical requests, strings to sign and signatures never end with a
// newline, so one trailing newline in the file is the editor's, not the vector's.
std::string ReadExpected(const fs::path& path) {
  std::string text = ReadFile(path);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// An HTTP/1.1 request as the suite writes it: request line, "Name:value" headers (a line that
// starts with SP or HT continues the previous value, kept with its line break), a blank line,
// the body. The request-target may contain spaces ("GET /example space/ HTTP/1.1").
Request ParseHttpRequest(const std::string& text) {
  Request request;
  std::string head = text;
  std::size_t blank = text.find("\n\n");
  if (blank != std::string::npos) {
    head = text.substr(0, blank);
    request.body = text.substr(blank + 2);
  }
  std::istringstream lines(head);
  std::string line;
  std::getline(lines, line);
  std::size_t first = line.find(' ');
  std::size_t last = line.rfind(' ');
  EXPECT_NE(first, std::string::npos);
  EXPECT_LT(first, last);
  request.method = line.substr(0, first);
  request.target = line.substr(first + 1, last - first - 1);
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if ((line[0] == ' ' || line[0] == '\t') && !request.headers.empty()) {
      request.headers.back().second += "\n" + line;
      continue;
    }
    std::size_t colon = line.find(':');
    EXPECT_NE(colon, std::string::npos) << line;
    request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  return request;
}

std::string HeaderValue(const Request& request, std::string_view lower_name) {
  for (const auto& [name, value] : request.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == lower_name) return value;
  }
  return "";
}

std::vector<std::string> LowerNames(const Request& request) {
  std::vector<std::string> names;
  for (const auto& [name, value] : request.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    names.push_back(lower);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

// Query-parameter encoding as a presigning client does it (RFC 3986 unreserved kept).
std::string QueryEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

struct Vector {
  Request request;
  Credentials credentials;
  bool omit_session_token = false;
  std::string region;
  std::string service;
  std::string amz_date;  // YYYYMMDDTHHMMSSZ
  system_clock::time_point time;
  long long expires = 0;
  bool normalize = true;
  bool sign_body = false;

  Scope scope() const { return Scope{amz_date.substr(0, 8), region, service}; }
};

// "2015-08-30T12:36:00Z"
system_clock::time_point ParseIsoTime(const std::string& s) {
  EXPECT_EQ(s.size(), 20u) << s;
  int y = std::stoi(s.substr(0, 4));
  unsigned mo = static_cast<unsigned>(std::stoi(s.substr(5, 2)));
  unsigned d = static_cast<unsigned>(std::stoi(s.substr(8, 2)));
  std::chrono::sys_days day{std::chrono::year{y} / std::chrono::month{mo} / std::chrono::day{d}};
  return day + std::chrono::hours{std::stoi(s.substr(11, 2))} + std::chrono::minutes{std::stoi(s.substr(14, 2))} +
         std::chrono::seconds{std::stoi(s.substr(17, 2))};
}

Vector LoadVector(const std::string& name) {
  const fs::path dir = kVectorDir / name;
  Vector v;
  v.request = ParseHttpRequest(ReadFile(dir / "request.txt"));
  json ctx = json::parse(ReadFile(dir / "context.json"));
  const json& creds = ctx.at("credentials");
  v.credentials.access_key_id = creds.at("access_key_id").get<std::string>();
  v.credentials.secret_access_key = Secret(creds.at("secret_access_key").get<std::string>());
  v.credentials.session_token = creds.value("token", "");
  v.omit_session_token = ctx.value("omit_session_token", false);
  v.region = ctx.at("region").get<std::string>();
  v.service = ctx.at("service").get<std::string>();
  v.time = ParseIsoTime(ctx.at("timestamp").get<std::string>());
  v.amz_date = AmzDate(v.time);
  v.expires = ctx.at("expiration_in_seconds").get<long long>();
  v.normalize = ctx.at("normalize").get<bool>();
  v.sign_body = ctx.at("sign_body").get<bool>();
  return v;
}

std::vector<std::string> VectorNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kVectorDir, ec)) {
    if (entry.is_directory() && fs::exists(entry.path() / "request.txt")) names.push_back(entry.path().filename());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(SigV4Suite, HasAllThirtyEightVectors) { EXPECT_EQ(VectorNames().size(), 38u) << kVectorDir; }

class SigV4Vector : public testing::TestWithParam<std::string> {};

TEST_P(SigV4Vector, HeaderSigning) {
  const Vector v = LoadVector(GetParam());
  const fs::path dir = kVectorDir / GetParam();

  // The primitives, with the headers a header-signing client adds.
  Request request = v.request;
  request.headers.emplace_back("X-Amz-Date", v.amz_date);
  if (v.sign_body) request.headers.emplace_back("X-Amz-Content-Sha256", Sha256Hex(request.body));
  if (!v.credentials.session_token.empty() && !v.omit_session_token) {
    request.headers.emplace_back("X-Amz-Security-Token", v.credentials.session_token);
  }
  const std::string canonical = CanonicalRequest(request, LowerNames(request), v.normalize);
  EXPECT_EQ(canonical, ReadExpected(dir / "header-canonical-request.txt"));
  const std::string sts = StringToSign(v.amz_date, v.scope(), canonical);
  EXPECT_EQ(sts, ReadExpected(dir / "header-string-to-sign.txt"));
  EXPECT_EQ(Signature(v.credentials.secret_access_key, v.scope(), sts), ReadExpected(dir / "header-signature.txt"));

  // SignHeaders produces the Authorization header of the signed request ...
  Request signed_request = v.request;
  if (v.sign_body) signed_request.headers.emplace_back("x-amz-content-sha256", Sha256Hex(signed_request.body));
  Credentials credentials = v.credentials;
  if (v.omit_session_token) credentials.session_token.clear();
  SignOptions options{v.region, v.service, v.amz_date, LowerNames(signed_request), v.normalize};
  SignHeaders(signed_request, credentials, options);
  const Request expected = ParseHttpRequest(ReadFile(dir / "header-signed-request.txt"));
  EXPECT_EQ(HeaderValue(signed_request, "authorization"), HeaderValue(expected, "authorization"));
  EXPECT_EQ(HeaderValue(signed_request, "x-amz-date"), v.amz_date);
  if (v.omit_session_token) signed_request.headers.emplace_back("X-Amz-Security-Token", v.credentials.session_token);

  // ... which Verify accepts, as it accepts the suite's own signed request.
  const KeyLookup keys = [&](std::string_view id) -> const Secret* {
    return id == v.credentials.access_key_id ? &v.credentials.secret_access_key : nullptr;
  };
  VerifyOptions verify{v.service, v.region, 900s, v.normalize};
  Verdict verdict = Verify(signed_request, keys, verify, v.time);
  EXPECT_EQ(verdict.status, Status::kValid) << verdict.message;
  EXPECT_EQ(verdict.message, "");  // a message says why a request is not valid
  EXPECT_EQ(verdict.access_key_id, v.credentials.access_key_id);
  verdict = Verify(expected, keys, verify, v.time);
  EXPECT_EQ(verdict.status, Status::kValid) << verdict.message;
}

TEST_P(SigV4Vector, QuerySigning) {
  const Vector v = LoadVector(GetParam());
  const fs::path dir = kVectorDir / GetParam();

  // The presigning parameters, added to whatever query the request already has.
  const std::vector<std::string> signed_headers = LowerNames(v.request);
  std::vector<std::string> params = {
      "X-Amz-Algorithm=AWS4-HMAC-SHA256",
      "X-Amz-Credential=" + QueryEncode(v.credentials.access_key_id + "/" + v.scope().ToString()),
      "X-Amz-Date=" + v.amz_date,
      "X-Amz-Expires=" + std::to_string(v.expires),
      "X-Amz-SignedHeaders=" + QueryEncode(Join(signed_headers, ";")),
  };
  if (!v.credentials.session_token.empty() && !v.omit_session_token) {
    params.push_back("X-Amz-Security-Token=" + QueryEncode(v.credentials.session_token));
  }
  Request request = v.request;
  request.target += (request.target.find('?') == std::string::npos ? "?" : "&") + Join(params, "&");

  const std::string expected_canonical = ReadExpected(dir / "query-canonical-request.txt");
  const std::string canonical = CanonicalRequest(request, signed_headers, v.normalize);
  EXPECT_EQ(canonical, expected_canonical);
  const std::string sts = StringToSign(v.amz_date, v.scope(), canonical);
  EXPECT_EQ(sts, ReadExpected(dir / "query-string-to-sign.txt"));
  const std::string signature = Signature(v.credentials.secret_access_key, v.scope(), sts);
  EXPECT_EQ(signature, ReadExpected(dir / "query-signature.txt"));

  // The suite's presigned request, parameters in its own order, minus X-Amz-Signature, has the
  // same canonical request (unless the token was added after signing) and carries that signature.
  Request presigned = ParseHttpRequest(ReadFile(dir / "query-signed-request.txt"));
  const std::string marker = "&X-Amz-Signature=";
  std::size_t at = presigned.target.find(marker);
  ASSERT_NE(at, std::string::npos);
  std::size_t end = std::min(presigned.target.find('&', at + 1), presigned.target.size());
  EXPECT_EQ(presigned.target.substr(at + marker.size(), end - at - marker.size()), signature);
  presigned.target.erase(at, end - at);
  if (!v.omit_session_token) {
    EXPECT_EQ(CanonicalRequest(presigned, signed_headers, v.normalize), expected_canonical);
  }
}

INSTANTIATE_TEST_SUITE_P(Vectors, SigV4Vector, testing::ValuesIn(VectorNames()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// --- the steps on their own ----------------------------------------------------------------

TEST(SigV4Steps, Sha256Hex) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// RFC 4231, section 4: test cases 1, 2, 3, 6 and 7 (keys of 20, 4, 20, 131 and 131 bytes: the
// last two are longer than SHA-256's block, so they are hashed first).
TEST(SigV4Steps, HmacSha256MatchesRfc4231) {
  const std::string k20(20, '\x0b');
  const std::string kaa20(20, '\xaa');
  const std::string kaa131(131, '\xaa');
  EXPECT_EQ(HmacSha256Hex(k20, "Hi There"), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HmacSha256Hex(kaa20, std::string(50, '\xdd')),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  EXPECT_EQ(HmacSha256Hex(kaa131, "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(HmacSha256Hex(kaa131,
                          "This is a test using a larger than block-size key and a larger than block-size data. The "
                          "key needs to be hashed before being used by the HMAC algorithm."),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

// The same as OpenSSL's own HMAC for keys and messages of every length around SHA-256's 64-byte
// block (0 to 130 bytes): the padding, the hashed long key and the empty cases.
TEST(SigV4Steps, HmacSha256MatchesOpenSsl) {
  for (std::size_t key_size = 0; key_size <= 130; ++key_size) {
    for (std::size_t data_size : {0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 200}) {
      std::string key(key_size, '\0');
      std::string data(data_size, '\0');
      for (std::size_t i = 0; i < key_size; ++i) key[i] = static_cast<char>(i * 7 + key_size);
      for (std::size_t i = 0; i < data_size; ++i) data[i] = static_cast<char>(i * 13 + data_size);
      unsigned char md[EVP_MAX_MD_SIZE];
      unsigned int md_size = 0;
      ASSERT_NE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &md_size),
                nullptr);
      std::string hex;
      for (unsigned int i = 0; i < md_size; ++i) {
        static constexpr char kHex[] = "0123456789abcdef";
        hex += kHex[md[i] >> 4];
        hex += kHex[md[i] & 0xf];
      }
      EXPECT_EQ(HmacSha256Hex(key, data), hex) << "key " << key_size << " bytes, data " << data_size << " bytes";
    }
  }
}

std::string Unhex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

// Steps 3 and 4 spelled out with the HMAC primitive: what Signature must give.
std::string SignatureByHand(const std::string& secret, const Scope& scope, const std::string& string_to_sign) {
  std::string key = Unhex(HmacSha256Hex("AWS4" + secret, scope.date));
  for (const std::string& part : {scope.region, scope.service, std::string("aws4_request")}) {
    key = Unhex(HmacSha256Hex(key, part));
  }
  return HmacSha256Hex(key, string_to_sign);
}

// Signature keeps the last derived key per thread: a change of secret (also one of the same
// length, or longer than HMAC's block) or of any part of the scope must derive again.
TEST(SigV4Steps, SignatureFollowsEverySecretAndScope) {
  const std::string base(40, 'k');
  // Of the same length, longer than HMAC's block with "AWS4", short, one extending another, empty.
  const std::string secrets[] = {base, base.substr(0, 39) + "K", std::string(70, 's'), "x", "xx", ""};
  // Each next to the first, from which it differs in one part.
  const Scope scopes[] = {{"20150830", "us-east-1", "iam"}, {"20150831", "us-east-1", "iam"},
                          {"20150830", "us-east-1", "iam"}, {"20150830", "eu-west-1", "iam"},
                          {"20150830", "us-east-1", "iam"}, {"20150830", "us-east-1", "storagegateway"}};
  const auto expect_signature = [](const std::string& secret, const Scope& scope, int call) {
    const std::string sts = "string to sign " + std::to_string(call);
    EXPECT_EQ(Signature(Secret(secret), scope, sts), SignatureByHand(secret, scope, sts))
        << "secret of " << secret.size() << " bytes, scope " << scope.ToString() << ", call " << call;
  };
  // The scope changes while the secret stays, then the secret while the scope stays.
  for (const std::string& secret : secrets) {
    for (const Scope& scope : scopes) {
      for (int call = 0; call < 2; ++call) expect_signature(secret, scope, call);
    }
  }
  for (const Scope& scope : scopes) {
    for (const std::string& secret : secrets) {
      for (int call = 0; call < 2; ++call) expect_signature(secret, scope, call);
    }
  }
}

TEST(SigV4Steps, AmzDateIsUtc) {
  EXPECT_EQ(AmzDate(system_clock::time_point{}), "19700101T000000Z");
  EXPECT_EQ(AmzDate(std::chrono::sys_days{2015y / 8 / 30} + 12h + 36min + 999ms), "20150830T123600Z");
}

std::string CanonicalLines(const std::string& target, bool normalize = true) {
  Request r{"GET", target, {{"Host", "h"}}, ""};
  std::string c = CanonicalRequest(r, {"host"}, normalize, "-");
  return c.substr(4, c.find("\nhost:") - 4);  // "<uri>\n<query>"
}

TEST(SigV4Steps, CanonicalUriAndQuery) {
  EXPECT_EQ(CanonicalLines(""), "/\n");
  EXPECT_EQ(CanonicalLines("/a/b/../c/./d//"), "/a/c/d/\n");
  EXPECT_EQ(CanonicalLines("/../../x"), "/x\n");
  EXPECT_EQ(CanonicalLines("/a/b/.."), "/a\n");
  EXPECT_EQ(CanonicalLines("/a/../"), "/\n");  // nothing left: the root, no second slash
  EXPECT_EQ(CanonicalLines("/a/b/../"), "/a/\n");
  EXPECT_EQ(CanonicalLines("/.../x/."), "/.../x\n");
  EXPECT_EQ(CanonicalLines("/x%2F..%2Fy/../z"), "/z\n");
  EXPECT_EQ(CanonicalLines("/a%20b"), "/a%2520b\n");  // encoded once more, as SigV4 wants
  EXPECT_EQ(CanonicalLines("//a/./", false), "//a/./\n");
  EXPECT_EQ(CanonicalLines("/?b=2&a=1&a=0"), "/\na=0&a=1&b=2");
  EXPECT_EQ(CanonicalLines("/?flag&x="), "/\nflag=&x=");
  EXPECT_EQ(CanonicalLines("/?a+b=c%2fd&e=%zz%4"), "/\na%2Bb=c%2Fd&e=%25zz%254");
  EXPECT_EQ(CanonicalLines("/?&&a=%20&&"), "/\na=%20");
  EXPECT_EQ(CanonicalLines("/?x=a=b"), "/\nx=a%3Db");
}

TEST(SigV4Steps, CanonicalHeaders) {
  Request r{"POST", "/", {{"Host", "h"}, {"X-A", "  a \t b\r\n   c  "}, {"x-a", "d"}, {"X-B", ""}}, "body"};
  EXPECT_EQ(CanonicalRequest(r, {"X-A", "host", "x-b", "host"}, true),
            "POST\n/\n\nhost:h\nx-a:a b c,d\nx-b:\n\nhost;x-a;x-b\n" + Sha256Hex("body"));
  EXPECT_EQ(CanonicalRequest(r, {"host"}, true, "UNSIGNED-PAYLOAD"), "POST\n/\n\nhost:h\n\nhost\nUNSIGNED-PAYLOAD");
}

// --- Verify --------------------------------------------------------------------------------

const std::string kKeyId = "AKIDEXAMPLE";
const Secret kSecret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
const system_clock::time_point kSigned = std::chrono::sys_days{2015y / 8 / 30} + 12h + 36min;

const Secret* LookUp(std::string_view id) { return id == kKeyId ? &kSecret : nullptr; }

Request SignedRequest(std::vector<std::string> signed_headers = {}) {
  Request r{
      "POST",
      "/",
      {{"Host", "storagegateway.us-east-1.amazonaws.com"},
       {"Content-Type", "application/x-amz-json-1.1"},
       {"X-Amz-Target", "StorageGateway_20130630.UpdateChapCredentials"}},
      R"({"TargetARN":"arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/iqn",)"
      R"("SecretToAuthenticateInitiator":"111111111111","InitiatorName":"iqn.1991-05.com.microsoft:x"})"};
  SignHeaders(r, Credentials{kKeyId, kSecret, ""},
              SignOptions{"us-east-1", "storagegateway", AmzDate(kSigned), std::move(signed_headers), true});
  return r;
}

std::string& Header(Request& r, std::string_view name) {
  for (auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  ADD_FAILURE() << "no header " << name;
  static std::string none;
  return none;
}

void Remove(Request& r, std::string_view name) {
  std::erase_if(r.headers, [&](const auto& h) { return h.first == name; });
}

std::string SignatureOf(const Request& r) {
  std::string auth = HeaderValue(r, "authorization");
  std::size_t at = auth.find("Signature=");
  return at == std::string::npos ? "" : auth.substr(at + 10);
}

// A message must never carry the secret, the signature sent, the signature expected, or any
// long run of hex digits (which is what a signature looks like).
void ExpectSecretFree(const std::string& message, const std::string& sent_signature) {
  EXPECT_EQ(message.find(kSecret.Reveal()), std::string::npos) << message;
  if (sent_signature.size() >= 8) {
    EXPECT_EQ(message.find(sent_signature), std::string::npos) << message;
  }
  std::size_t run = 0;
  for (char c : message) {
    run = std::isxdigit(static_cast<unsigned char>(c)) ? run + 1 : 0;
    EXPECT_LT(run, 16u) << message;
  }
}

Verdict Check(const Request& r, VerifyOptions options = {"storagegateway", "us-east-1"},
              system_clock::time_point now = kSigned, const KeyLookup& keys = LookUp) {
  Verdict v = Verify(r, keys, options, now);
  ExpectSecretFree(v.message, SignatureOf(r));
  EXPECT_EQ(v.message.empty(), v.status == Status::kValid) << v.message;  // a message says why not
  return v;
}

TEST(SigV4Verify, SignedRequestIsValid) {
  Request r = SignedRequest();
  EXPECT_TRUE(
      HeaderValue(r, "authorization")
          .starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/storagegateway/aws4_request, "))
      << HeaderValue(r, "authorization");
  EXPECT_NE(HeaderValue(r, "authorization").find("SignedHeaders=content-type;host;x-amz-date;x-amz-target, "),
            std::string::npos);
  Verdict v = Check(r);
  EXPECT_EQ(v.status, Status::kValid) << v.message;
  EXPECT_EQ(v.access_key_id, kKeyId);
  EXPECT_EQ(Check(r, {"storagegateway", std::nullopt}).status, Status::kValid);  // no region configured
  EXPECT_EQ(ToString(Status::kValid), "valid");
}

TEST(SigV4Verify, ResigningReplacesTheAuthorizationHeader) {
  Request r = SignedRequest();
  SignHeaders(r, Credentials{kKeyId, kSecret, "token"},
              SignOptions{"us-east-1", "storagegateway", "20990101T000000Z", {}, true});
  int authorizations = 0;
  for (const auto& h : r.headers) authorizations += h.first == "Authorization";
  EXPECT_EQ(authorizations, 1);
  EXPECT_EQ(HeaderValue(r, "x-amz-date"), AmzDate(kSigned));  // the date already there is kept
  EXPECT_NE(HeaderValue(r, "authorization").find("x-amz-security-token"), std::string::npos);
  EXPECT_EQ(Check(r).status, Status::kValid);
}

TEST(SigV4Verify, DateHeaderInsteadOfXAmzDate) {
  Request r{"POST", "/", {{"Host", "h"}, {"Date", "Sun, 30 Aug 2015 12:36:00 GMT"}}, "{}"};
  Scope scope{"20150830", "us-east-1", "storagegateway"};
  std::string sig =
      Signature(kSecret, scope, StringToSign("20150830T123600Z", scope, CanonicalRequest(r, {"date", "host"}, true)));
  r.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/" + scope.ToString() +
                                              ",SignedHeaders=date;host,Signature=" + sig);
  EXPECT_EQ(Check(r).status, Status::kValid);
  Header(r, "Date") = "Sun, 30 Aug 2015 12:36:01 GMT";
  EXPECT_EQ(Check(r).status, Status::kBadSignature);
  Header(r, "Date") = "30 Aug 2015 12:36:00";
  EXPECT_EQ(Check(r).status, Status::kMalformed);
}

TEST(SigV4Verify, Missing) {
  Request r = SignedRequest();
  Remove(r, "Authorization");
  Verdict v = Check(r);
  EXPECT_EQ(v.status, Status::kMissing);
  EXPECT_TRUE(v.access_key_id.empty());
}

TEST(SigV4Verify, Malformed) {
  const std::string prefix = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/storagegateway/aws4_request";
  std::map<std::string, std::function<void(Request&)>> cases = {
      {"garbage", [](Request& r) { Header(r, "Authorization") = "garbage"; }},
      {"empty", [](Request& r) { Header(r, "Authorization") = ""; }},
      {"wrong algorithm", [](Request& r) { Header(r, "Authorization").replace(0, 16, "AWS4-HMAC-SHA512"); }},
      {"two Authorization headers",
       [](Request& r) { r.headers.emplace_back("authorization", HeaderValue(r, "authorization")); }},
      {"no X-Amz-Date", [](Request& r) { Remove(r, "X-Amz-Date"); }},
      {"X-Amz-Date not basic ISO 8601", [](Request& r) { Header(r, "X-Amz-Date") = "2015-08-30T12:36:00Z"; }},
      {"X-Amz-Date impossible", [](Request& r) { Header(r, "X-Amz-Date") = "20150230T123600Z"; }},
      {"two X-Amz-Date headers", [](Request& r) { r.headers.emplace_back("x-amz-date", "20150830T123600Z"); }},
      {"scope date differs",
       [](Request& r) {
         std::string& a = Header(r, "Authorization");
         a.replace(a.find("/20150830/"), 10, "/20150831/");
       }},
      {"host not signed",
       [](Request& r) {
         std::string& a = Header(r, "Authorization");
         a.replace(a.find("host;"), 5, "");
       }},
      {"signed header absent", [](Request& r) { Remove(r, "X-Amz-Target"); }},
      {"signature too short", [](Request& r) { Header(r, "Authorization").pop_back(); }},
      {"signature not hex", [](Request& r) { Header(r, "Authorization").back() = 'g'; }},
      {"no SignedHeaders",
       [&](Request& r) { Header(r, "Authorization") = prefix + ", Signature=" + std::string(64, 'a'); }},
      {"bad UTF-8 in Authorization",
       [&](Request& r) {
         Header(r, "Authorization") = prefix + "\xff\xfe, SignedHeaders=host, Signature=" + std::string(64, 'a');
       }},
  };
  for (auto& [name, mutate] : cases) {
    SCOPED_TRACE(name);
    Request r = SignedRequest();
    mutate(r);
    Verdict v = Check(r);
    EXPECT_EQ(v.status, Status::kMalformed) << v.message;
  }
}

TEST(SigV4Verify, WrongServiceOrRegion) {
  Request r = SignedRequest();
  Verdict v = Check(r, {"s3", "us-east-1"});
  EXPECT_EQ(v.status, Status::kMalformed);
  EXPECT_NE(v.message.find("service"), std::string::npos) << v.message;
  v = Check(r, {"storagegateway", "eu-west-1"});
  EXPECT_EQ(v.status, Status::kMalformed);
  EXPECT_NE(v.message.find("region"), std::string::npos) << v.message;
  EXPECT_EQ(v.access_key_id, kKeyId);
}

TEST(SigV4Verify, UnknownKey) {
  Request r = SignedRequest();
  std::string& a = Header(r, "Authorization");
  a.replace(a.find("AKIDEXAMPLE"), 11, "AKIDUNKNOWN");
  Verdict v = Check(r);
  EXPECT_EQ(v.status, Status::kUnknownKey);
  EXPECT_EQ(v.access_key_id, "AKIDUNKNOWN");
  EXPECT_NE(v.message.find("AKIDUNKNOWN"), std::string::npos);
  EXPECT_EQ(Check(SignedRequest(), {"storagegateway", "us-east-1"}, kSigned, KeyLookup()).status, Status::kUnknownKey);
}

TEST(SigV4Verify, BadSignature) {
  std::map<std::string, std::function<void(Request&)>> cases = {
      {"one body byte", [](Request& r) { r.body[r.body.size() - 3] ^= 1; }},
      {"body appended", [](Request& r) { r.body += " "; }},
      {"signed header value", [](Request& r) { Header(r, "X-Amz-Target") = "StorageGateway_20130630.ListGateways"; }},
      {"host", [](Request& r) { Header(r, "Host") = "evil.example.com"; }},
      {"target", [](Request& r) { r.target = "/?x=1"; }},
      {"method", [](Request& r) { r.method = "PUT"; }},
      {"signature altered",
       [](Request& r) {
         char& c = Header(r, "Authorization").back();
         c = c == '0' ? '1' : '0';
       }},
      {"signature upper case",
       [](Request& r) {
         std::string& a = Header(r, "Authorization");
         std::transform(a.end() - 64, a.end(), a.end() - 64, [](unsigned char c) { return std::toupper(c); });
       }},
      {"signed header added to the list",
       [](Request& r) {
         std::string& a = Header(r, "Authorization");
         a.replace(a.find("SignedHeaders="), 14, "SignedHeaders=accept;");
         r.headers.emplace_back("Accept", "*/*");
       }},
  };
  for (auto& [name, mutate] : cases) {
    SCOPED_TRACE(name);
    Request r = SignedRequest();
    mutate(r);
    Verdict v = Check(r);
    EXPECT_EQ(v.status, Status::kBadSignature) << v.message;
    EXPECT_EQ(v.access_key_id, kKeyId);
  }
  // A different secret for the same key id.
  Secret other("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEz");
  Verdict v =
      Check(SignedRequest(), {"storagegateway", "us-east-1"}, kSigned, [&](std::string_view) { return &other; });
  EXPECT_EQ(v.status, Status::kBadSignature);
}

TEST(SigV4Verify, UnsignedHeadersMayChange) {
  Request r = SignedRequest();
  r.headers.emplace_back("User-Agent", "anything");
  EXPECT_EQ(Check(r).status, Status::kValid);
}

TEST(SigV4Verify, ClockSkew) {
  const Request r = SignedRequest();
  Verdict late = Check(r, {"storagegateway", "us-east-1"}, kSigned + 16min);
  EXPECT_EQ(late.status, Status::kExpired);
  EXPECT_EQ(late.message,
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T125200Z - 15 min.)");
  Verdict early = Check(r, {"storagegateway", "us-east-1"}, kSigned - 16min);
  EXPECT_EQ(early.status, Status::kExpired);
  EXPECT_EQ(early.message,
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z "
            "(20150830T122000Z + 15 min.)");
  EXPECT_EQ(Check(r, {"storagegateway", "us-east-1"}, kSigned + 14min).status, Status::kValid);
  EXPECT_EQ(Check(r, {"storagegateway", "us-east-1"}, kSigned - 14min).status, Status::kValid);
  EXPECT_EQ(Check(r, {"storagegateway", "us-east-1"}, kSigned + 15min).status, Status::kValid);  // the edge
  EXPECT_EQ(Check(r, {"storagegateway", "us-east-1"}, kSigned + 15min + 1s).status, Status::kExpired);
  EXPECT_EQ(Check(r, {"storagegateway", "us-east-1", 60s}, kSigned + 2min).status, Status::kExpired);
  // A skew too large to add to a time (a "no clock check" setting) must not overflow.
  EXPECT_EQ(Check(r, {"storagegateway", "us-east-1", std::chrono::seconds::max()}, kSigned + 24h * 365 * 100).status,
            Status::kValid);
  EXPECT_EQ(
      Check(r, {"storagegateway", "us-east-1", std::chrono::seconds::max()}, system_clock::time_point::min()).status,
      Status::kValid);
  // Expiry is judged before the signature: an old request with a wrong signature is kExpired.
  Request tampered = r;
  tampered.body += " ";
  EXPECT_EQ(Check(tampered, {"storagegateway", "us-east-1"}, kSigned + 1h).status, Status::kExpired);
}

TEST(SigV4Verify, HostileInputs) {
  // Huge values, signed and unsigned.
  Request big = SignedRequest();
  big.headers.emplace_back("X-Junk", std::string(1 << 20, 'x'));
  EXPECT_EQ(Check(big).status, Status::kValid);
  Request big_signed{"POST", "/", {{"Host", "h"}, {"X-Amz-Meta", std::string(1 << 20, ' ') + "v"}}, "{}"};
  SignHeaders(big_signed, Credentials{kKeyId, kSecret, ""},
              SignOptions{"us-east-1", "storagegateway", AmzDate(kSigned), {}, true});
  EXPECT_EQ(Check(big_signed).status, Status::kValid);

  // Bad UTF-8 and odd bytes everywhere round-trip.
  Request odd{"P\xffST",
              "/\xc3\x28/../%/%%/%zz?\xe2\x82=\xf0&%=%&=",
              {{"Host", "h\xfe"}, {"X-Amz-Odd", "\x01\x02\xff"}, {"X-\x80", "v"}},
              std::string("\0\xff", 2)};
  SignHeaders(odd, Credentials{kKeyId, kSecret, ""},
              SignOptions{"us-east-1", "storagegateway", AmzDate(kSigned), {}, true});
  EXPECT_EQ(Check(odd).status, Status::kValid);

  // Many headers, many duplicates.
  Request many = SignedRequest();
  for (int i = 0; i < 20000; ++i) many.headers.emplace_back("X-Dup", std::to_string(i));
  EXPECT_EQ(Check(many).status, Status::kValid);

  // Nothing at all.
  Request empty;
  EXPECT_EQ(Check(empty).status, Status::kMissing);
  Request only_auth{"", "", {{"Authorization", ""}}, ""};
  EXPECT_EQ(Check(only_auth).status, Status::kMalformed);
  Request huge_auth{"GET", "/", {{"Authorization", std::string(1 << 20, 'A')}}, ""};
  EXPECT_EQ(Check(huge_auth).status, Status::kMalformed);
}

// --- ParseAuthorization --------------------------------------------------------------------

const std::string kSig = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
const std::string kCred = "Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request";

TEST(SigV4ParseAuthorization, WellFormed) {
  auto a = ParseAuthorization("AWS4-HMAC-SHA256 " + kCred +
                              ", SignedHeaders=content-type;host;x-amz-date, Signature=" + kSig);
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_EQ(a->algorithm, "AWS4-HMAC-SHA256");
  EXPECT_EQ(a->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(a->scope.date, "20150830");
  EXPECT_EQ(a->scope.region, "us-east-1");
  EXPECT_EQ(a->scope.service, "iam");
  EXPECT_EQ(a->signed_headers, (std::vector<std::string>{"content-type", "host", "x-amz-date"}));
  EXPECT_EQ(a->signature, kSig);
  // No spaces after the commas, another order, surrounding whitespace.
  auto b = ParseAuthorization("  AWS4-HMAC-SHA256\tSignature=" + kSig + "," + kCred + ",SignedHeaders=host  ");
  ASSERT_TRUE(b.ok()) << b.error().ToString();
  EXPECT_EQ(b->signed_headers, std::vector<std::string>{"host"});
}

TEST(SigV4ParseAuthorization, Garbage) {
  const std::string sh = "SignedHeaders=host;x-amz-date";
  const std::string sig = "Signature=" + kSig;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"blank", "   \t "},
      {"no spaces", "AWS4-HMAC-SHA256" + kCred + "," + sh + "," + sig},
      {"algorithm only", "AWS4-HMAC-SHA256"},
      {"missing Credential", "AWS4-HMAC-SHA256 " + sh + ", " + sig},
      {"missing SignedHeaders", "AWS4-HMAC-SHA256 " + kCred + ", " + sig},
      {"missing Signature", "AWS4-HMAC-SHA256 " + kCred + ", " + sh},
      {"extra commas", "AWS4-HMAC-SHA256 " + kCred + ",, " + sh + ", " + sig},
      {"trailing comma", "AWS4-HMAC-SHA256 " + kCred + ", " + sh + ", " + sig + ","},
      {"leading comma", "AWS4-HMAC-SHA256 ," + kCred + ", " + sh + ", " + sig},
      {"duplicate", "AWS4-HMAC-SHA256 " + kCred + ", " + kCred + ", " + sh + ", " + sig},
      {"unknown parameter", "AWS4-HMAC-SHA256 " + kCred + ", " + sh + ", " + sig + ", Extra=1"},
      {"bare value", "AWS4-HMAC-SHA256 " + kCred + ", " + sh + ", " + kSig},
      {"signature as a name", "AWS4-HMAC-SHA256 " + kCred + ", " + sh + ", " + kSig + "=x"},
      {"empty value", "AWS4-HMAC-SHA256 Credential=, " + sh + ", " + sig},
      {"credential 4 parts", "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/aws4_request, " + sh + ", " + sig},
      {"credential 6 parts",
       "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/x/aws4_request, " + sh + ", " + sig},
      {"credential bad date",
       "AWS4-HMAC-SHA256 Credential=AKID/2015083/us-east-1/iam/aws4_request, " + sh + ", " + sig},
      {"credential bad terminator",
       "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws5_request, " + sh + ", " + sig},
      {"credential empty key", "AWS4-HMAC-SHA256 Credential=/20150830/us-east-1/iam/aws4_request, " + sh + ", " + sig},
      {"credential empty region", "AWS4-HMAC-SHA256 Credential=AKID/20150830//iam/aws4_request, " + sh + ", " + sig},
      {"upper-case signed header", "AWS4-HMAC-SHA256 " + kCred + ", SignedHeaders=Host, " + sig},
      {"empty signed header", "AWS4-HMAC-SHA256 " + kCred + ", SignedHeaders=host;;x-amz-date, " + sig},
      {"short signature", "AWS4-HMAC-SHA256 " + kCred + ", " + sh + ", " + sig.substr(0, sig.size() - 1)},
      {"long signature", "AWS4-HMAC-SHA256 " + kCred + ", " + sh + ", " + sig + "0"},
      {"non-hex signature", "AWS4-HMAC-SHA256 " + kCred + ", " + sh + ", Signature=" + std::string(64, 'z')},
      {"control bytes", "AWS4-HMAC-SHA256 Credential=AK\x01ID/20150830/us-east-1/iam/aws4_request, " + sh + ", " + sig},
      {"1 MB of A", std::string(1 << 20, 'A')},
      {"1 MB of commas", "AWS4-HMAC-SHA256 " + std::string(1 << 20, ',')},
  };
  for (const auto& [name, value] : cases) {
    SCOPED_TRACE(name);
    auto a = ParseAuthorization(value);
    ASSERT_FALSE(a.ok());
    EXPECT_FALSE(a.error().message.empty());
    ExpectSecretFree(a.error().ToString(), kSig);
    EXPECT_LT(a.error().ToString().size(), 300u);
  }
}

}  // namespace
}  // namespace chapcheck::sigv4
