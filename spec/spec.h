// Spec: the immutable, loaded form of an operation's contract (spec/*.json, format
// "chapcheck-spec/1", documented in docs/spec-format.md).
//
// Load it once with LoadSpec()/ParseSpec() (spec/loader.h); after that it is read-only and may
// be shared by any number of threads. Every rule carries its id, phase, outcome, source and
// severity, so a finding can always name the clause it enforces and where that clause comes from.
#pragma once

#include <cstddef>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spec/charset.h"

namespace chapcheck::spec {

enum class Severity { kMust, kShould };
enum class Phase { kAuthentication, kOperation, kSerialization, kValidation, kFormat, kLookup };
enum class JsonType { kString, kNumber, kInteger, kBoolean, kObject, kArray };
enum class LengthUnit { kCharacters, kUtf8Bytes };

std::string_view ToString(Severity s);
std::string_view ToString(Phase p);
std::string_view ToString(JsonType t);
std::string_view ToString(LengthUnit u);

struct Source {
  std::string id;
  std::string title;
  bool documented = false;  // authority "documented" (true) or "inferred" (false)
  std::string url;
};

// The fields every rule has.
struct RuleHead {
  std::string id;
  Phase phase = Phase::kValidation;
  std::string outcome;         // key into Errors::outcomes
  std::string source;          // where the constraint itself comes from
  std::string outcome_source;  // where "this breach yields that error" comes from
  Severity severity = Severity::kMust;
  std::string doc;
};

struct LengthBound {
  std::size_t min = 0;
  std::size_t max = 0;
  LengthUnit unit = LengthUnit::kCharacters;
};

// A documented reading that conflicts with the rule, kept so that lint can show the conflict
// and how it was resolved (FACTS.md: the 2012 guide's charset without ':').
struct Alternative {
  std::string source;
  std::optional<LengthBound> length;
  std::optional<Charset> pattern;
  std::string note;
  std::string resolution;
};

enum class MemberRuleKind { kType, kRequired, kLength, kPattern, kFormat };
std::string_view ToString(MemberRuleKind k);

struct MemberRule {
  RuleHead head;
  MemberRuleKind kind = MemberRuleKind::kType;
  LengthBound length;              // kLength
  std::optional<Charset> pattern;  // kPattern
  std::string grammar;             // kFormat: key into Spec::grammars
  std::vector<Alternative> alternatives;
};

struct Member {
  std::string name;
  JsonType type = JsonType::kString;
  bool required = false;
  bool sensitive = false;
  std::string aws_shape;
  std::string doc;
  std::vector<MemberRule> rules;

  const MemberRule* Find(MemberRuleKind kind) const;
};

// Cross-member rule. The only kind so far is "distinct": no two of the members, when present
// as strings, are equal.
struct CrossRule {
  RuleHead head;
  std::vector<std::string> members;
};

enum class Condition {
  kAuthMissing,
  kAuthMalformed,
  kAuthUnknownKey,
  kAuthBadSignature,
  kAuthExpired,
  kMethodOrPath,
  kUnknownTarget,
  kContentType,
  kBodyNotJson,
  kBodyNotObject,
  kDuplicateKeys,
};
std::string_view ToString(Condition c);

struct ProtocolRule {
  RuleHead head;
  Condition when = Condition::kBodyNotJson;
};

struct TargetPrefix {
  std::string prefix;
  bool current = false;
  std::string source;
};

struct Signing {
  std::string scheme;  // "sigv4"
  std::string name;    // signing name, e.g. "storagegateway"
  std::string algorithm;
  int max_clock_skew_seconds = 900;
  std::vector<std::string> signed_headers;
  std::string source;
};

struct Interpretation {
  std::string as;  // e.g. "empty-object", "absent", "ignored"
  std::string source;
  std::string doc;
};

struct Protocol {
  std::string kind;  // "awsJson1_1"
  std::string method;
  std::string path;
  std::string content_type;
  std::string target_header;
  std::vector<TargetPrefix> targets;
  Signing signing;
  Interpretation empty_body{"empty-object", "", ""};
  Interpretation null_member{"absent", "", ""};
  Interpretation unknown_members{"ignored", "", ""};
  Interpretation content_type_parameters{"ignored", "", ""};
  std::vector<ProtocolRule> rules;

  const TargetPrefix* CurrentTarget() const;
};

// One part of an ARN: a literal, a choice, or a run of charset characters.
struct Segment {
  std::string name;  // for {name} in lookup keys; may be empty
  std::string literal;
  std::vector<std::string> one_of;
  std::optional<Charset> charset;
  std::size_t min_length = 0;
  std::size_t max_length = std::numeric_limits<std::size_t>::max();
};

struct ArnGrammar {
  std::string id;
  std::string doc;
  Segment partition, service, region, account;
  char separator = '/';
  std::vector<Segment> resource;
};

enum class LookupKind { kExists, kOnline, kSupportsIscsi };
enum class Resource { kGateway, kTarget };

struct Lookup {
  RuleHead head;
  LookupKind kind = LookupKind::kExists;
  Resource resource = Resource::kTarget;
  std::string member;  // the member whose value (through its format grammar) gives the key
  std::string key;     // template: "{partName}" from the grammar, "{$}" for the whole value
};

struct OutputMember {
  std::string name;
  JsonType type = JsonType::kString;
  std::string aws_shape;
};

struct Echo {
  std::string id;
  std::string output;
  std::string input;
  std::string source;
  Severity severity = Severity::kMust;
  std::string doc;
};

struct Output {
  int status = 200;
  std::vector<OutputMember> members;
  std::vector<Echo> echo;
  std::optional<Echo> forbid_sensitive_echo;  // only id/source/severity/doc are used
};

struct Envelope {
  std::string type_field = "__type";
  std::string message_field = "message";
  std::string error_field = "error";
  std::string code_field = "errorCode";
  std::string details_field = "errorDetails";
  std::string server_type_form = "bare";
  std::vector<std::string> client_accepts_type_forms;
  std::string request_id_header;
  std::string content_type;
  std::string source;
};

struct ErrorType {
  std::string name;
  int status = 400;
  std::vector<int> also_allowed_status;
  std::vector<std::string> aliases;
  bool has_error_code = false;
  bool transient = false;
  std::string source;
  std::string doc;
};

struct OutcomeDef {
  std::string type;        // an ErrorType name
  std::string error_code;  // empty when the type carries none
};

struct Errors {
  Envelope envelope;
  std::vector<ErrorType> types;
  std::string codes_source;
  std::vector<std::string> documented_codes;
  std::vector<std::string> transient_codes;
  std::vector<int> transient_status;
  std::map<std::string, OutcomeDef> outcomes;

  const ErrorType* FindType(std::string_view name_or_alias) const;
};

enum class EffectKind {
  kConnectionsClosed,
  kConnectionsKept,
  kOldSecretRefused,
  kNewSecretAccepted,
  kMutualChapIffMember,
  kStateUnchanged,
};
std::string_view ToString(EffectKind k);

struct Effect {
  std::string id;
  bool on_accepted = true;
  EffectKind kind = EffectKind::kConnectionsClosed;
  std::string scope;
  std::string member;
  std::optional<double> deadline_seconds;
  std::string source;
  Severity severity = Severity::kMust;
  std::string doc;
};

struct Example {
  std::string id;
  std::string source;
  std::string doc;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;           // the request body, serialised compactly
  int response_status = 200;
  std::string response_body;  // serialised compactly
};

struct KnownDifference {
  std::string key;
  std::string aws;
  std::string why;
};

struct Spec {
  std::string origin;  // file name or "<embedded>", for messages
  std::string format;
  std::string operation;
  std::string service;
  std::string doc;
  std::vector<std::string> siblings;
  std::map<std::string, Source> sources;
  std::vector<Phase> phases;  // precedence, first decides
  Protocol protocol;
  std::vector<Member> members;
  std::vector<CrossRule> cross_rules;
  std::map<std::string, ArnGrammar> grammars;
  std::vector<Lookup> lookups;
  Output output;
  Errors errors;
  std::vector<Effect> effects;
  std::vector<Example> examples;
  std::vector<KnownDifference> known_differences;

  const Member* FindMember(std::string_view name) const;
  const Source* FindSource(std::string_view id) const;
  // Rank of a phase in the precedence order (0 decides first).
  int PhaseRank(Phase p) const;
  // Every rule head of the spec (protocol, member, cross-member, lookup), in precedence order.
  std::vector<const RuleHead*> RulesInPrecedenceOrder() const;
  // The rule with this id, or nullptr.
  const RuleHead* FindRule(std::string_view id) const;
};

}  // namespace chapcheck::spec
