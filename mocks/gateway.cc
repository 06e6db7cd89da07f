#include "mocks/gateway.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <memory_resource>
#include <nlohmann/json.hpp>
#include <random>
#include <unordered_set>

#include "base/inline_arena.h"
#include "base/strings.h"
#include "base/utf8.h"
#include "protocol/awsjson.h"

namespace chapcheck::mocks {
namespace {

using json = nlohmann::json;

constexpr std::string_view kPrefixes[] = {"StorageGateway_20130630", "StorageGateway_20120630"};
constexpr std::string_view kNamespace = "com.amazonaws.storagegateway.v20130630#";
constexpr const char* kInvalidRequest = "InvalidGatewayRequestException";

HeaderSeen Header(const HttpRequest& r, std::string_view name) { return SeenHeader(r.headers, name); }

// 52 characters of [a-z0-9], the shape of the request ids in AWS's examples.
constexpr std::size_t kRequestIdSize = 52;
std::array<char, kRequestIdSize> NewRequestId() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::array<char, kRequestIdSize> id;
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (i % 12 == 0) bits = rng();  // 36^12 < 2^64: twelve characters from one draw
    id[i] = kAlphabet[bits % 36];
    bits /= 36;
  }
  return id;
}

using awsjson::AllPlain;  // printable ASCII but '"' and '\\': no escape, in or out
using awsjson::PlainChar;
// Non-empty and every character satisfies `ok` (a template: the predicate is inlined).
template <class Pred>
bool AllOf(std::string_view s, Pred ok) {
  for (char c : s) {
    if (!ok(c)) return false;
  }
  return !s.empty();
}
bool IqnChar(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == ':' || c == '.' || c == '-'; }
bool GatewayIdChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; }
bool RegionChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }
bool Digit(char c) { return c >= '0' && c <= '9'; }

struct TargetArn {
  std::string gateway_arn;
  std::string iqn;
};

// arn:<aws|aws-cn|aws-us-gov>:storagegateway:<region>:<12 digits>:gateway/<id>/target/<iqn>
std::optional<TargetArn> ParseTargetArn(std::string_view arn) {
  std::string_view part[6];
  std::size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    const auto colon = arn.find(':', start);
    if (colon == std::string_view::npos) return std::nullopt;
    part[i] = arn.substr(start, colon - start);
    start = colon + 1;
  }
  part[5] = arn.substr(start);
  if (part[0] != "arn") return std::nullopt;
  if (part[1] != "aws" && part[1] != "aws-cn" && part[1] != "aws-us-gov") return std::nullopt;
  if (part[2] != "storagegateway" || !AllOf(part[3], RegionChar)) return std::nullopt;
  if (part[4].size() != 12 || !AllOf(part[4], Digit)) return std::nullopt;
  std::string_view res = part[5];
  if (res.substr(0, 8) != "gateway/") return std::nullopt;
  res.remove_prefix(8);
  const auto slash = res.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view id = res.substr(0, slash);
  res.remove_prefix(slash);
  if (!AllOf(id, GatewayIdChar) || res.substr(0, 8) != "/target/") return std::nullopt;
  const std::string_view iqn = res.substr(8);
  if (!AllOf(iqn, IqnChar)) return std::nullopt;
  const std::size_t gateway_len = static_cast<std::size_t>(id.data() + id.size() - arn.data());
  return TargetArn{std::string(arn.substr(0, gateway_len)), std::string(iqn)};
}

// A top-level member of a request body that ReadJson read.
struct TopMember {
  enum class Kind { kNull, kString, kOther };
  std::string name;
  Kind kind = Kind::kOther;
  std::string value;  // the string, when kind is kString
};

// nlohmann's SAX events for a request body: keeps the top-level members and notes a repeated
// key in any object, without building a DOM. A parse error stops the parse (the handler returns
// false), so no exception is thrown.
class BodyReader {
 public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  bool null() { return Value(TopMember::Kind::kNull, nullptr); }
  bool boolean(bool) { return Value(TopMember::Kind::kOther, nullptr); }
  bool number_integer(number_integer_t) { return Value(TopMember::Kind::kOther, nullptr); }
  bool number_unsigned(number_unsigned_t) { return Value(TopMember::Kind::kOther, nullptr); }
  bool number_float(number_float_t, const string_t&) { return Value(TopMember::Kind::kOther, nullptr); }
  bool string(string_t& s) { return Value(TopMember::Kind::kString, &s); }
  bool binary(binary_t&) { return Value(TopMember::Kind::kOther, nullptr); }
  bool start_object(std::size_t) {
    Value(TopMember::Kind::kOther, nullptr);
    if (depth_ == 0) root_is_object_ = true;
    if (depth_ != 0) keys_.emplace_back();  // the root's keys go to top_keys_
    ++depth_;
    return true;
  }
  bool key(string_t& k) {
    // Once a key repeats the body is refused: later keys need no set (and a repeated key's node,
    // made before the look-up finds the match, would stay in the arena until the parse ends).
    // The parse goes on, so that a syntax error further on still wins.
    if (!duplicate_) {
      duplicate_ = depth_ == 1 ? !top_keys_.emplace(std::string_view(k)).second
                               : !keys_.empty() && !keys_.back().insert(k).second;
    }
    if (depth_ == 1) {
      pending_.assign(k);  // a copy: the lexer reuses its buffer for the value
      has_pending_ = true;
    }
    return true;
  }
  bool end_object() {
    --depth_;
    if (depth_ != 0 && !keys_.empty()) keys_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    Value(TopMember::Kind::kOther, nullptr);
    ++depth_;
    return true;
  }
  bool end_array() {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    failed_ = true;
    return false;
  }

  bool failed() const { return failed_; }
  bool duplicate() const { return duplicate_; }
  bool root_is_object() const { return root_is_object_; }
  std::vector<TopMember>& members() { return members_; }

 private:
  // A value that starts at depth 1 of an object is a top-level member.
  bool Value(TopMember::Kind kind, const string_t* s) {
    if (depth_ == 1 && root_is_object_ && has_pending_) {
      // A body with a repeated key is refused: its members are not kept (a 1 MB body of one
      // repeated key would otherwise hold 160,000 of them).
      if (!duplicate_) members_.push_back({pending_, kind, s != nullptr ? *s : std::string()});
      has_pending_ = false;
    }
    return true;
  }

  int depth_ = 0;
  // The keys of each open object: a hash set, so that a body of many keys costs linear time (a
  // list made a 1 MiB body of 100,000 keys take 12 s). Keys at depth 1 are the root object's.
  // Its set lives in an arena on the parse's stack frame, spilling to the heap past its room:
  // otherwise each key costs a heap block or two, which under AddressSanitizer (the fuzz
  // targets) cost more than the parse. The sets of nested objects are freed as each closes, so a
  // body of many small objects holds only the open ones (an arena would hold them all).
  InlineArena<1024> arena_;
  std::pmr::unordered_set<std::pmr::string> top_keys_{arena_.get()};
  std::vector<std::unordered_set<std::string>> keys_;  // of the open nested objects
  std::string pending_;  // the top-level key whose value comes next
  bool has_pending_ = false;
  bool root_is_object_ = false;
  bool duplicate_ = false;
  bool failed_ = false;
  std::vector<TopMember> members_ = [] {
    std::vector<TopMember> m;
    m.reserve(8);  // a request has a few members: one allocation, not one per doubling
    return m;
  }();
};

// Reads a body with nlohmann's parser: its top-level members, or nullopt with `why` set when
// the body is not JSON, repeats a key in any object, or is not an object.
std::optional<std::vector<TopMember>> ReadJson(const std::string& body, std::string& why) {
  // nlohmann reads a NUL between tokens as the end of the input ("{}\0anything" would pass as
  // {}); no JSON text holds a raw NUL, and AWS's parser refuses one.
  if (body.find('\0') != std::string::npos) {
    why = "The request body is not valid JSON";
    return std::nullopt;
  }
  BodyReader reader;
  json::sax_parse(body, &reader);
  if (reader.failed()) {
    why = "The request body is not valid JSON";
    return std::nullopt;
  }
  if (reader.duplicate()) {
    why = "Duplicate field in the request body";
    return std::nullopt;
  }
  if (!reader.root_is_object()) {
    why = "Start of structure or map expected";
    return std::nullopt;
  }
  return std::move(reader.members());
}

using Members = std::vector<std::pair<std::string_view, std::string_view>>;

// The fast path for what SDKs send: one flat object whose keys and values are all plain strings,
// e.g. {"TargetARN":"arn:...","InitiatorName":"iqn..."}, read in place. False for anything else
// (escapes, other types, nesting, a repeated key, a byte-order mark, ...), which then goes to
// ReadJson: so this accepts a subset of what ReadJson accepts, with the same meaning.
bool ParseFlat(std::string_view text, Members& members) {
  std::size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  };
  auto expect = [&](char c) {
    skip_space();
    if (i == text.size() || text[i] != c) return false;
    ++i;
    return true;
  };
  auto string = [&](std::string_view& out) {
    if (!expect('"')) return false;
    const std::size_t start = i;
    while (i < text.size() && PlainChar(text[i])) ++i;
    if (i == text.size() || text[i] != '"') return false;
    out = text.substr(start, i++ - start);
    return true;
  };
  if (!expect('{')) return false;
  skip_space();
  if (i < text.size() && text[i] == '}') {
    ++i;
  } else {
    do {
      std::string_view key, value;
      if (!string(key) || !expect(':') || !string(value)) return false;
      for (const auto& m : members) {
        if (m.first == key) return false;
      }
      members.emplace_back(key, value);
    } while (expect(','));
    if (i == text.size() || text[i] != '}') return false;
    ++i;
  }
  skip_space();
  return i == text.size();
}

// The request body: an object, its members read in place when ParseFlat can, else by ReadJson.
// It keeps a view of the text, which must outlive it (the request outlives the call).
class Body {
 public:
  // Empty means {}. nullopt (with `why` set) when the body is not one JSON object.
  static std::optional<Body> Parse(const std::string& text, std::string& why) {
    Body body;
    body.text_ = text;
    if (text.empty() || ParseFlat(text, body.flat_)) return body;
    body.flat_.clear();
    auto members = ReadJson(text, why);
    if (!members) return std::nullopt;
    body.read_ = std::move(*members);
    body.is_flat_ = false;
    return body;
  }

  // A string member: nullopt when absent or null; `wrong` set when present with another type.
  std::optional<std::string> Member(std::string_view name, bool& wrong) const {
    if (is_flat_) {
      for (const auto& [key, value] : flat_) {
        if (key == name) return std::string(value);
      }
      return std::nullopt;
    }
    for (const auto& m : read_) {
      if (m.name != name) continue;
      if (m.kind == TopMember::Kind::kNull) return std::nullopt;
      if (m.kind != TopMember::Kind::kString) {
        wrong = true;
        return std::nullopt;
      }
      return m.value;
    }
    return std::nullopt;
  }

  // The whole object as a DOM, built on first use.
  const json& Json() {
    if (!dom_) {
      if (is_flat_) {
        dom_ = json::object();
        for (const auto& [key, value] : flat_) (*dom_)[std::string(key)] = std::string(value);
      } else {
        dom_ = json::parse(text_);  // ReadJson found it one valid object
      }
    }
    return *dom_;
  }

 private:
  Body() = default;
  std::string_view text_;
  bool is_flat_ = true;
  Members flat_;
  std::vector<TopMember> read_;
  std::optional<json> dom_;
};

}  // namespace

const std::string* HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreAsciiCase(k, name)) return &v;
  }
  return nullptr;
}

// One request in flight: its parsed pieces and the response helpers that apply the envelope
// defects in one place.
struct Gateway::Call {
  const HttpRequest& request;
  const DefectSet& defects;
  std::optional<Body> body;  // set once the envelope checks have passed
  // A response whose header list and strings the answer takes over and writes into; null: none.
  mutable HttpResponse* recycled = nullptr;

  HttpResponse Respond(int status, std::string payload) const {
    HttpResponse r;
    if (recycled != nullptr) {
      r = std::move(*recycled);
      recycled = nullptr;
    }
    r.status = status;
    if (r.headers.capacity() < 2) r.headers.reserve(2);
    std::size_t n = 0;
    const auto put = [&r, &n](std::string_view name, std::string_view value) {
      if (n == r.headers.size()) r.headers.emplace_back();
      r.headers[n].first.assign(name);
      r.headers[n].second.assign(value);
      ++n;
    };
    if (!defects.Has(Defect::kNoRequestId)) {
      const auto id = NewRequestId();
      put("x-amzn-RequestId", std::string_view(id.data(), id.size()));
    }
    put("Content-Type", defects.Has(Defect::kWrongContentType) ? std::string_view("application/json") : awsjson::kContentType);
    r.headers.resize(n);
    r.body = std::move(payload);
    return r;
  }

  HttpResponse Fail(int status, std::string_view type, std::string_view message, std::string_view code = "") const {
    if (type == kInvalidRequest && defects.Has(Defect::kWrongStatus)) status = 500;
    if (defects.Has(Defect::kNoErrorCode)) code = "";
    std::string namespaced;
    std::string_view wire_type = type;
    if (defects.Has(Defect::kNamespacedErrorType)) wire_type = namespaced = std::string(kNamespace) + std::string(type);
    // awsjson's writer: the same bytes as nlohmann's dump(), written directly when no text needs
    // an escape (most requests a fuzzer sends end here), into the recycled body when there is one.
    std::string body = recycled != nullptr ? std::move(recycled->body) : std::string();
    awsjson::AssignErrorBody(body, wire_type, defects.Has(Defect::kNoMessage) ? nullptr : &message, code);
    return Respond(status, std::move(body));
  }

  HttpResponse Invalid(std::string_view code, std::string_view message) const {
    return Fail(400, kInvalidRequest, message, code);
  }

  HttpResponse Ok(const json& payload) const {
    return Respond(200, payload.dump(-1, ' ', false, json::error_handler_t::replace));
  }

  // An object of string members, written as json's dump writes it (keys sorted), directly when no
  // value needs an escape.
  HttpResponse Ok(Members members) const {
    std::sort(members.begin(), members.end());
    const bool plain = std::all_of(members.begin(), members.end(),
                                   [](const auto& m) { return AllPlain(m.first) && AllPlain(m.second); });
    if (!plain) {
      json j = json::object();
      for (const auto& [key, value] : members) j[std::string(key)] = std::string(value);
      return Ok(j);
    }
    std::size_t size = 2;
    for (const auto& [key, value] : members) size += key.size() + value.size() + 6;
    std::string out;
    out.reserve(size);
    out += '{';
    for (const auto& [key, value] : members) {
      if (out.size() > 1) out += ',';
      out += '"';
      out += key;
      out += "\":\"";
      out += value;
      out += '"';
    }
    out += '}';
    return Respond(200, std::move(out));
  }

  std::optional<std::string> Member(std::string_view name, bool& wrong) const { return body->Member(name, wrong); }
};

Gateway::Gateway(Fixture fixture, GatewayOptions options) : state_(std::move(fixture)), options_(std::move(options)) {
  if (!options_.clock) options_.clock = [] { return std::chrono::system_clock::now(); };
}

void Gateway::SetPortal(std::string address, int port) {
  options_.portal_address = std::move(address);
  options_.portal_port = port;
}

void Gateway::SetGatewayPortal(const std::string& gateway_arn, std::string address, int port) {
  std::lock_guard lock(portals_mu_);
  portals_[gateway_arn] = {std::move(address), port};
}

void Gateway::Close(const CloseRequest& request) {
  if (closer_) closer_(request);
}

HttpResponse Gateway::Handle(const HttpRequest& request) {
  Call call{request, options_.defects, std::nullopt};
  return Answer(call);
}

void Gateway::Handle(const HttpRequest& request, HttpResponse& response) {
  Call call{request, options_.defects, std::nullopt, &response};
  HttpResponse answer = Answer(call);  // (`response`, moved into it, is empty now)
  response = std::move(answer);
}

HttpResponse Gateway::Answer(Call& call) {
  const HttpRequest& request = call.request;
  const DefectSet& d = call.defects;

  // 1. SigV4
  if (!d.Has(Defect::kNoAuth)) {
    sigv4::VerifyOptions vo;
    vo.service = "storagegateway";
    vo.region = state_.region();
    if (d.Has(Defect::kNoClockSkewCheck)) vo.max_skew = std::chrono::hours(24 * 365 * 100);
    const auto lookup = [this](std::string_view id) { return state_.FindAccessKey(id); };
    const sigv4::Verdict v = sigv4::Verify(request, lookup, vo, options_.clock());
    switch (v.status) {
      case sigv4::Status::kValid: break;
      case sigv4::Status::kMissing:
        return call.Fail(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
      case sigv4::Status::kMalformed: return call.Fail(400, "IncompleteSignatureException", v.message);
      case sigv4::Status::kUnknownKey:
        return call.Fail(400, "UnrecognizedClientException", "The security token included in the request is invalid.");
      case sigv4::Status::kExpired: return call.Fail(400, "InvalidSignatureException", v.message);
      case sigv4::Status::kBadSignature:
        if (d.Has(Defect::kIgnoreSignature)) break;
        return call.Fail(400, "InvalidSignatureException",
                         "The request signature we calculated does not match the signature you provided. Check your "
                         "AWS Secret Access Key and signing method. Consult the service documentation for details.");
    }
  }

  // 2. The operation: POST /, X-Amz-Target
  const std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
  const HeaderSeen target = Header(request, "X-Amz-Target");
  std::string_view operation;  // a view of the request's header
  if (request.method == "POST" && path == "/" && target.count == 1) {
    const std::string_view t = target.first;
    const auto dot = t.rfind('.');
    if (dot != std::string_view::npos) {
      const std::string_view prefix = t.substr(0, dot);
      const bool known = std::find(std::begin(kPrefixes), std::end(kPrefixes), prefix) != std::end(kPrefixes);
      const bool legacy_refused = d.Has(Defect::kLegacyPrefixRejected) && prefix == kPrefixes[1];
      if (known && !legacy_refused) operation = t.substr(dot + 1);
    }
  }
  using Handler = HttpResponse (Gateway::*)(Call&);
  const std::pair<std::string_view, Handler> ops[] = {
      {"UpdateChapCredentials", &Gateway::UpdateChapCredentials},
      {"DescribeChapCredentials", &Gateway::DescribeChapCredentials},
      {"DeleteChapCredentials", &Gateway::DeleteChapCredentials},
      {"ListVolumes", &Gateway::ListVolumes},
      {"DescribeStorediSCSIVolumes", &Gateway::DescribeStorediSCSIVolumes},
  };
  Handler handler = nullptr;
  for (const auto& [name, h] : ops) {
    if (operation == name) handler = h;
  }
  if (!handler) return call.Fail(400, "UnknownOperationException", "The operation is not supported by this service.");

  // 3. Serialization: the media type, then one JSON object
  const HeaderSeen type = Header(request, "Content-Type");
  if (type.count != 1 || !EqualsIgnoreAsciiCase(TrimSpaces(type.first.substr(0, type.first.find(';'))), awsjson::kContentType)) {
    return call.Fail(400, "SerializationException", "Content-Type must be application/x-amz-json-1.1");
  }
  std::string why;
  call.body = Body::Parse(request.body, why);
  if (!call.body) {
    if (d.Has(Defect::kMalformedJsonAsInvalidParameters)) return call.Invalid("InvalidParameters", why);
    return call.Fail(400, "SerializationException", why);
  }
  return (this->*handler)(call);
}

HttpResponse Gateway::UpdateChapCredentials(Call& call) {
  const DefectSet& d = options_.defects;
  bool wrong = false;
  const auto arn = call.Member("TargetARN", wrong);
  const auto init_secret = call.Member("SecretToAuthenticateInitiator", wrong);
  const auto initiator = call.Member("InitiatorName", wrong);
  const auto target_secret = call.Member("SecretToAuthenticateTarget", wrong);
  if (wrong) return call.Fail(400, "SerializationException", "A member of the request has the wrong JSON type");

  const std::optional<TargetArn> parsed = arn ? ParseTargetArn(*arn) : std::nullopt;

  // Look-ups (gateway, then target). Normally last; a defect runs them before the member rules.
  auto lookups = [&]() -> std::optional<HttpResponse> {
    if (!parsed) return std::nullopt;
    const bool right_codes = !d.Has(Defect::kWrongErrorCode);
    auto gw = state_.FindGateway(parsed->gateway_arn);
    if (!gw) return call.Invalid(right_codes ? "GatewayNotFound" : "InvalidParameters", "The specified gateway was not found.");
    if (!gw->online && !d.Has(Defect::kOfflineGatewayAccepted)) {
      return call.Invalid(right_codes ? "GatewayNotConnected" : "InvalidParameters", "The specified gateway is not connected.");
    }
    if (!gw->HasIscsi()) {
      return call.Invalid(right_codes ? "NotSupported" : "InvalidParameters",
                          "This operation is not supported for the gateway type.");
    }
    if (!state_.TargetExists(*arn)) {
      if (d.Has(Defect::kUnknownTargetCreated)) {
        state_.AddTarget(*arn);
      } else {
        return call.Invalid(right_codes ? "TargetNotFound" : "InvalidParameters", "The specified target was not found.");
      }
    }
    return std::nullopt;
  };
  auto reject = [&](HttpResponse r) {
    if (d.Has(Defect::kDropOnReject) && parsed && state_.TargetExists(*arn)) {
      Close(CloseRequest{*arn, false, std::nullopt, std::chrono::milliseconds(0), "rejected update (defect drop-on-reject)"});
    }
    return r;
  };
  if (d.Has(Defect::kLookupBeforeValidation)) {
    if (auto r = lookups()) return reject(std::move(*r));
  }

  // Member rules: InvalidParameters.
  if (!arn) return reject(call.Invalid("InvalidParameters", "TargetARN is required."));
  if (!init_secret) return reject(call.Invalid("InvalidParameters", "SecretToAuthenticateInitiator is required."));
  if (!initiator) return reject(call.Invalid("InvalidParameters", "InitiatorName is required."));
  const std::size_t arn_chars = utf8::CountCodePoints(*arn).value_or(arn->size());
  if (arn_chars < 50 || arn_chars > 800) {
    return reject(call.Invalid("InvalidParameters", "TargetARN must be between 50 and 800 characters."));
  }
  const std::size_t min = d.Has(Defect::kSecretMin11) ? 11 : 12;
  const std::size_t max = d.Has(Defect::kSecretMax17) ? 17 : 16;
  auto secret_length = [&](const std::string& s) {
    return d.Has(Defect::kSecretCountsCharacters) ? utf8::CountCodePoints(s).value_or(s.size()) : s.size();
  };
  auto length_error = [&](const char* member, const std::string& value) {
    std::string message = std::string(member) + " must be between 12 and 16 bytes when encoded in UTF-8.";
    if (d.Has(Defect::kSecretInErrorMessage)) message += " Received: " + value;
    return call.Invalid("InvalidParameters", message);
  };
  if (secret_length(*init_secret) < min || secret_length(*init_secret) > max) {
    return reject(length_error("SecretToAuthenticateInitiator", *init_secret));
  }
  const std::size_t iqn_len = initiator->size();
  if (iqn_len < 1 || iqn_len > 255) return reject(call.Invalid("InvalidParameters", "InitiatorName must be 1 to 255 characters."));
  for (char c : *initiator) {
    const bool upper_ok = d.Has(Defect::kIqnAllowsUppercase) && c >= 'A' && c <= 'Z';
    const bool colon_refused = d.Has(Defect::kIqnRejectsColon) && c == ':';
    if ((!IqnChar(c) && !upper_ok) || colon_refused) {
      return reject(call.Invalid("InvalidParameters",
                                 "InitiatorName may contain only lowercase letters, digits, ':', '.' and '-'."));
    }
  }
  if (target_secret) {
    if (secret_length(*target_secret) < min || secret_length(*target_secret) > max) {
      if (d.Has(Defect::kPartialUpdate) && parsed && state_.TargetExists(*arn)) {
        // The defect: the initiator secret is stored before the target secret is checked.
        auto old = state_.Credential(*arn, *initiator);
        ChapCredential c{*arn, *initiator, Secret(*init_secret),
                         old ? old->secret_to_authenticate_target : std::nullopt};
        state_.Put(std::move(c));
      }
      return reject(length_error("SecretToAuthenticateTarget", *target_secret));
    }
    if (*target_secret == *init_secret && !d.Has(Defect::kEqualSecretsAccepted)) {
      return reject(call.Invalid("InvalidParameters",
                                 "SecretToAuthenticateInitiator and SecretToAuthenticateTarget must differ."));
    }
  }

  // The ARN's form: TargetInvalid (a defect skips it and lets the look-ups answer).
  if (!parsed) {
    if (!d.Has(Defect::kArnNotValidated)) return reject(call.Invalid("TargetInvalid", "The TargetARN is not valid."));
    return reject(call.Invalid(d.Has(Defect::kWrongErrorCode) ? "InvalidParameters" : "TargetNotFound",
                               "The specified target was not found."));
  }
  if (!d.Has(Defect::kLookupBeforeValidation)) {
    if (auto r = lookups()) return reject(std::move(*r));
  }

  // Accepted: store, close the target's connections, then answer.
  ChapCredential c{*arn, *initiator, Secret(*init_secret),
                   target_secret ? std::optional<Secret>(Secret(*target_secret)) : std::nullopt};
  state_.Put(std::move(c));
  if (!d.Has(Defect::kKeepConnections) && closer_) {
    CloseRequest close{*arn, false, std::nullopt, std::chrono::milliseconds(0), "CHAP credentials updated"};
    if (d.Has(Defect::kDropOtherTargets)) close.all_targets = true;
    if (d.Has(Defect::kDropOnlyUpdatedInitiator)) close.initiator = *initiator;
    if (d.Has(Defect::kDropLate)) close.delay = std::chrono::seconds(10);
    Close(close);
  }
  Members echo;
  if (!d.Has(Defect::kNoEcho)) echo = {{"TargetARN", *arn}, {"InitiatorName", *initiator}};
  if (d.Has(Defect::kEchoSecret)) echo.emplace_back("SecretToAuthenticateInitiator", *init_secret);
  return call.Ok(std::move(echo));
}

std::optional<HttpResponse> Gateway::FindTarget(Call& call, const std::string& arn) {
  const auto parsed = ParseTargetArn(arn);
  if (!parsed) return call.Invalid("TargetInvalid", "The TargetARN is not valid.");
  auto gw = state_.FindGateway(parsed->gateway_arn);
  if (!gw) return call.Invalid("GatewayNotFound", "The specified gateway was not found.");
  if (!gw->online) return call.Invalid("GatewayNotConnected", "The specified gateway is not connected.");
  if (!state_.TargetExists(arn)) return call.Invalid("TargetNotFound", "The specified target was not found.");
  return std::nullopt;
}

HttpResponse Gateway::DescribeChapCredentials(Call& call) {
  bool wrong = false;
  const auto arn = call.Member("TargetARN", wrong);
  if (wrong) return call.Fail(400, "SerializationException", "A member of the request has the wrong JSON type");
  if (!arn) return call.Invalid("InvalidParameters", "TargetARN is required.");
  if (auto refused = FindTarget(call, *arn)) return *refused;
  json list = json::array();
  for (const auto& c : state_.CredentialsOf(*arn)) {
    // DescribeChapCredentials returns the secrets: that is the documented operation.
    json e{{"TargetARN", c.target_arn},
           {"InitiatorName", c.initiator},
           {"SecretToAuthenticateInitiator", c.secret_to_authenticate_initiator.Reveal()}};
    if (c.secret_to_authenticate_target) e["SecretToAuthenticateTarget"] = c.secret_to_authenticate_target->Reveal();
    list.push_back(std::move(e));
  }
  return call.Ok(json{{"ChapCredentials", list}});
}

HttpResponse Gateway::DeleteChapCredentials(Call& call) {
  bool wrong = false;
  const auto arn = call.Member("TargetARN", wrong);
  const auto initiator = call.Member("InitiatorName", wrong);
  if (wrong) return call.Fail(400, "SerializationException", "A member of the request has the wrong JSON type");
  if (!arn || !initiator) return call.Invalid("InvalidParameters", "TargetARN and InitiatorName are required.");
  if (initiator->empty() || initiator->size() > 255 || !AllOf(*initiator, IqnChar)) {
    return call.Invalid("InvalidParameters", "InitiatorName may contain only lowercase letters, digits, ':', '.' and '-'.");
  }
  if (auto refused = FindTarget(call, *arn)) return *refused;
  if (!state_.Delete(*arn, *initiator)) {
    return call.Invalid("ChapCredentialNotFound", "No CHAP credentials exist for this target and initiator.");
  }
  return call.Ok(Members{{"TargetARN", *arn}, {"InitiatorName", *initiator}});
}

HttpResponse Gateway::ListVolumes(Call& call) {
  const json& b = call.body->Json();
  std::optional<std::string> gateway;
  if (b.contains("GatewayARN") && !b["GatewayARN"].is_null()) {
    if (!b["GatewayARN"].is_string()) return call.Fail(400, "SerializationException", "GatewayARN must be a string");
    gateway = b["GatewayARN"].get<std::string>();
    if (!state_.FindGateway(*gateway)) return call.Invalid("GatewayNotFound", "The specified gateway was not found.");
  }
  std::size_t start = 0, limit = 100;
  if (b.contains("Marker") && !b["Marker"].is_null()) {
    if (!b["Marker"].is_string()) return call.Fail(400, "SerializationException", "Marker must be a string");
    const std::string m = b["Marker"].get<std::string>();
    if (m.empty() || m.size() > 9 || !AllOf(m, Digit)) return call.Invalid("InvalidParameters", "The marker is not valid.");
    start = std::stoul(m);
  }
  if (b.contains("Limit") && !b["Limit"].is_null()) {
    if (!b["Limit"].is_number_integer()) return call.Fail(400, "SerializationException", "Limit must be an integer");
    const auto l = b["Limit"].get<long long>();
    if (l < 1 || l > 100) return call.Invalid("InvalidParameters", "Limit must be between 1 and 100.");
    limit = static_cast<std::size_t>(l);
  }
  std::vector<Volume> vols;
  for (const auto& v : state_.Volumes()) {
    if (!gateway || v.gateway_arn == *gateway) vols.push_back(v);
  }
  std::sort(vols.begin(), vols.end(), [](const Volume& a, const Volume& b) { return a.arn < b.arn; });
  json infos = json::array();
  for (std::size_t i = start; i < vols.size() && infos.size() < limit; ++i) {
    const Volume& v = vols[i];
    const auto gw = state_.FindGateway(v.gateway_arn);
    infos.push_back({{"VolumeARN", v.arn},
                     {"VolumeId", v.id},
                     {"GatewayARN", v.gateway_arn},
                     {"GatewayId", gw ? gw->id : ""},
                     {"VolumeType", gw && gw->type == "CACHED" ? "CACHED iSCSI" : "STORED iSCSI"},
                     {"VolumeSizeInBytes", v.size_bytes},
                     {"VolumeAttachmentStatus", "ATTACHED"}});
  }
  json out{{"VolumeInfos", infos}};
  if (gateway) out["GatewayARN"] = *gateway;
  if (start + infos.size() < vols.size()) out["Marker"] = std::to_string(start + infos.size());
  return call.Ok(out);
}

HttpResponse Gateway::DescribeStorediSCSIVolumes(Call& call) {
  const json& b = call.body->Json();
  if (!b.contains("VolumeARNs") || b["VolumeARNs"].is_null()) return call.Invalid("InvalidParameters", "VolumeARNs is required.");
  if (!b["VolumeARNs"].is_array()) return call.Fail(400, "SerializationException", "VolumeARNs must be a list");
  std::vector<Volume> found;
  std::string gateway;
  for (const json& item : b["VolumeARNs"]) {
    if (!item.is_string()) return call.Fail(400, "SerializationException", "VolumeARNs must be a list of strings");
    auto v = state_.FindVolume(item.get<std::string>());
    if (!v) return call.Invalid("VolumeNotFound", "The specified volume was not found.");
    if (!gateway.empty() && v->gateway_arn != gateway) {
      return call.Invalid("InvalidParameters", "The volumes must be from one gateway.");
    }
    gateway = v->gateway_arn;
    found.push_back(*v);
  }
  std::sort(found.begin(), found.end(), [](const Volume& a, const Volume& b) { return a.arn < b.arn; });
  json list = json::array();
  for (const Volume& v : found) {
    std::pair<std::string, int> portal{options_.portal_address, options_.portal_port};
    {
      std::lock_guard lock(portals_mu_);
      if (auto it = portals_.find(v.gateway_arn); it != portals_.end()) portal = it->second;
    }
    list.push_back({{"VolumeARN", v.arn},
                    {"VolumeId", v.id},
                    {"VolumeType", "STORED"},
                    {"VolumeStatus", "AVAILABLE"},
                    {"VolumeAttachmentStatus", "ATTACHED"},
                    {"VolumeSizeInBytes", v.size_bytes},
                    {"VolumeDiskId", v.disk_id},
                    {"PreservedExistingData", false},
                    {"VolumeiSCSIAttributes",
                     {{"TargetARN", v.target_arn},
                      {"NetworkInterfaceId", portal.first},
                      {"NetworkInterfacePort", portal.second},
                      {"LunNumber", 0},
                      {"ChapEnabled", !state_.CredentialsOf(v.target_arn).empty()}}}});
  }
  return call.Ok(json{{"StorediSCSIVolumes", list}});
}

}  // namespace chapcheck::mocks
