#include "spec/aws_model_diff.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

namespace chapcheck::spec {
namespace {

using json = nlohmann::json;

// Thrown inside this file when the model lacks something the comparison needs.
struct ModelError {
  std::string message;
};

const json& Need(const json& j, std::string_view key, const std::string& what) {
  if (!j.is_object() || !j.contains(key)) throw ModelError{what + " has no \"" + std::string(key) + "\""};
  return j.at(key);
}

std::string StrOr(const json& j, std::string_view key, std::string fallback) {
  if (j.is_object() && j.contains(key) && j.at(key).is_string()) return j.at(key).get<std::string>();
  return fallback;
}

std::string JsonTypeOfShape(const std::string& aws_type) {
  if (aws_type == "string" || aws_type == "blob") return "string";
  if (aws_type == "integer" || aws_type == "long") return "integer";
  if (aws_type == "double" || aws_type == "float" || aws_type == "timestamp") return "number";
  if (aws_type == "boolean") return "boolean";
  if (aws_type == "structure" || aws_type == "map") return "object";
  if (aws_type == "list") return "array";
  return "unknown(" + aws_type + ")";
}

std::string StripAnchors(std::string p) {
  if (!p.empty() && p.front() == '^') p.erase(0, 1);
  if (!p.empty() && p.back() == '$') p.pop_back();
  return p;
}

// "between 12 and 16 bytes" in a documentation string -> "12..16 utf8-bytes".
std::string BytesRuleInDocs(const std::string& doc) {
  const std::string lower = [&] {
    std::string s = doc;
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }();
  for (std::size_t at = lower.find("between "); at != std::string::npos; at = lower.find("between ", at + 1)) {
    std::size_t p = at + 8;
    auto number = [&](std::string& out) {
      while (p < lower.size() && std::isdigit(static_cast<unsigned char>(lower[p]))) out.push_back(lower[p++]);
      return !out.empty() && out.size() < 9;
    };
    std::string lo, hi;
    if (!number(lo)) continue;
    if (lower.compare(p, 5, " and ") != 0) continue;
    p += 5;
    if (!number(hi)) continue;
    if (lower.compare(p, 6, " bytes") != 0) continue;
    return lo + ".." + hi + " utf8-bytes";
  }
  return "";
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "(none)" : out;
}

class Differ {
 public:
  Differ(const Spec& spec, const json& model) : spec_(spec), model_(model) {}

  ModelDiff Run() {
    const json& meta = Need(model_, "metadata", "the model");
    const json& ops = Need(model_, "operations", "the model");
    shapes_ = &Need(model_, "shapes", "the model");
    out_.model_summary = StrOr(meta, "endpointPrefix", "?") + " " + StrOr(meta, "apiVersion", "?") +
                         ", operation " + spec_.operation;

    ComparePrococol(meta);
    if (!ops.contains(spec_.operation)) {
      Diff("operation", spec_.operation, "(absent)");
      return Finish();
    }
    const json& op = ops.at(spec_.operation);
    if (op.contains("http")) {
      Diff("protocol.method", spec_.protocol.method, StrOr(op["http"], "method", "(none)"));
      Diff("protocol.path", spec_.protocol.path, StrOr(op["http"], "requestUri", "(none)"));
    }
    CompareInput(op);
    CompareOutput(op);
    CompareErrors(op);
    return Finish();
  }

 private:
  void Diff(const std::string& key, const std::string& spec_value, const std::string& aws_value) {
    if (spec_value == aws_value) return;
    out_.differences.push_back(Difference{key, spec_value, aws_value, false, ""});
  }

  const json& Shape(const std::string& name, const std::string& what) {
    if (!shapes_->contains(name)) throw ModelError{what + " refers to shape \"" + name + "\", which the model lacks"};
    return shapes_->at(name);
  }

  void ComparePrococol(const json& meta) {
    const std::string proto = StrOr(meta, "protocol", "?");
    const std::string kind = proto == "json" ? "awsJson" + [&] {
      std::string v = StrOr(meta, "jsonVersion", "1.0");
      std::replace(v.begin(), v.end(), '.', '_');
      return v;
    }() : proto;
    Diff("protocol.kind", spec_.protocol.kind, kind);
    const TargetPrefix* current = spec_.protocol.CurrentTarget();
    const std::string aws_prefix = StrOr(meta, "targetPrefix", "(none)");
    Diff("protocol.targets.current", current ? current->prefix : "(none)", aws_prefix);
    std::vector<std::string> legacy;
    for (const auto& t : spec_.protocol.targets) {
      if (!t.current) legacy.push_back(t.prefix);
    }
    Diff("protocol.targets.legacy", Join(legacy), "(none)");
    Diff("protocol.signing.name", spec_.protocol.signing.name,
         StrOr(meta, "signingName", StrOr(meta, "endpointPrefix", "(none)")));
    const std::string sig = StrOr(meta, "signatureVersion", "(none)");
    Diff("protocol.signing.scheme", spec_.protocol.signing.scheme, sig == "v4" ? "sigv4" : sig);
  }

  void CompareMember(const std::string& prefix, const Member& m, const json& ref, const json& shape) {
    const std::string key = prefix + "." + m.name;
    const std::string shape_name = StrOr(ref, "shape", "?");
    if (!m.aws_shape.empty()) Diff(key + ".shape", m.aws_shape, shape_name);
    Diff(key + ".type", std::string(ToString(m.type)), JsonTypeOfShape(StrOr(shape, "type", "?")));

    const MemberRule* length = m.Find(MemberRuleKind::kLength);
    const bool has_min = shape.contains("min") && shape["min"].is_number();
    const bool has_max = shape.contains("max") && shape["max"].is_number();
    const std::string aws_len = has_min || has_max
        ? (has_min ? std::to_string(shape["min"].get<long long>()) : std::string("0")) + ".." +
              (has_max ? std::to_string(shape["max"].get<long long>()) : std::string("")) + " characters"
        : "(none)";
    const std::string spec_len = length ? std::to_string(length->length.min) + ".." +
                                              std::to_string(length->length.max) + " " +
                                              std::string(ToString(length->length.unit))
                                        : "(none)";
    Diff(key + ".length", spec_len, aws_len);
    // The byte rule lives in documentation text; compare it too, so a change there shows.
    const std::string doc_rule = BytesRuleInDocs(StrOr(ref, "documentation", ""));
    if (!doc_rule.empty() || (length && length->length.unit == LengthUnit::kUtf8Bytes)) {
      const std::string spec_bytes = length && length->length.unit == LengthUnit::kUtf8Bytes ? spec_len : "(none)";
      Diff(key + ".length.documented", spec_bytes, doc_rule.empty() ? "(none)" : doc_rule);
    }
    const MemberRule* pattern = m.Find(MemberRuleKind::kPattern);
    Diff(key + ".pattern", pattern ? pattern->pattern->text() : "(none)",
         shape.contains("pattern") ? StripAnchors(StrOr(shape, "pattern", "")) : "(none)");
    const bool aws_sensitive = (shape.contains("sensitive") && shape["sensitive"] == true) ||
                               (ref.contains("sensitive") && ref["sensitive"] == true);
    Diff(key + ".sensitive", m.sensitive ? "true" : "false", aws_sensitive ? "true" : "false");
  }

  void CompareInput(const json& op) {
    if (!op.contains("input")) {
      Diff("input", "structure", "(none)");
      return;
    }
    const std::string input_name = StrOr(op["input"], "shape", "?");
    const json& input = Shape(input_name, "the operation's input");
    const json& members = Need(input, "members", "shape " + input_name);
    std::vector<std::string> aws_required, spec_required;
    if (input.contains("required") && input["required"].is_array()) {
      for (const auto& r : input["required"]) {
        if (r.is_string()) aws_required.push_back(r.get<std::string>());
      }
    }
    for (const Member& m : spec_.members) {
      if (m.required) spec_required.push_back(m.name);
    }
    std::sort(aws_required.begin(), aws_required.end());
    std::sort(spec_required.begin(), spec_required.end());
    Diff("input.required", Join(spec_required), Join(aws_required));

    for (const Member& m : spec_.members) {
      if (!members.contains(m.name)) {
        Diff("input." + m.name, "present", "(absent)");
        continue;
      }
      const json& ref = members.at(m.name);
      CompareMember("input", m, ref, Shape(StrOr(ref, "shape", "?"), "input member " + m.name));
    }
    for (const auto& [name, ref] : members.items()) {
      if (!spec_.FindMember(name)) Diff("input." + name, "(absent)", "present");
    }
  }

  void CompareOutput(const json& op) {
    std::set<std::string> aws_members;
    if (op.contains("output")) {
      const std::string name = StrOr(op["output"], "shape", "?");
      const json& shape = Shape(name, "the operation's output");
      if (shape.contains("members") && shape["members"].is_object()) {
        for (const auto& [member, ref] : shape["members"].items()) {
          aws_members.insert(member);
          auto it = std::find_if(spec_.output.members.begin(), spec_.output.members.end(),
                                 [&member = member](const OutputMember& o) { return o.name == member; });
          if (it == spec_.output.members.end()) {
            Diff("output." + member, "(absent)", "present");
            continue;
          }
          const json& ms = Shape(StrOr(ref, "shape", "?"), "output member " + member);
          Diff("output." + member + ".type", std::string(ToString(it->type)), JsonTypeOfShape(StrOr(ms, "type", "?")));
          if (!it->aws_shape.empty()) Diff("output." + member + ".shape", it->aws_shape, StrOr(ref, "shape", "?"));
        }
      }
    }
    for (const auto& o : spec_.output.members) {
      if (!aws_members.count(o.name)) Diff("output." + o.name, "present", "(absent)");
    }
  }

  void CompareErrors(const json& op) {
    std::vector<std::string> modelled;
    if (op.contains("errors") && op["errors"].is_array()) {
      for (const auto& e : op["errors"]) modelled.push_back(StrOr(e, "shape", "?"));
    }
    // Every modelled error must be a type the spec knows, with the same envelope members.
    std::set<std::string> enums;
    for (const std::string& name : modelled) {
      if (!spec_.errors.FindType(name)) {
        Diff("errors.types." + name, "(absent)", "present");
        continue;
      }
      const json& shape = Shape(name, "error " + name);
      const json empty = json::object();
      const json& members = shape.contains("members") ? shape["members"] : empty;
      const ErrorType* t = spec_.errors.FindType(name);
      const std::string& ef = spec_.errors.envelope.error_field;
      const bool aws_has_code = members.contains(ef);
      Diff("errors.types." + name + ".hasErrorCode", t->has_error_code ? "true" : "false",
           aws_has_code ? "true" : "false");
      if (aws_has_code) {
        const json& err = Shape(StrOr(members[ef], "shape", "?"), "error member " + ef);
        const json& err_members = err.contains("members") ? err["members"] : empty;
        const std::string& cf = spec_.errors.envelope.code_field;
        if (!err_members.contains(cf)) {
          Diff("errors.envelope.codeField", cf, "(absent)");
        } else {
          const json& code_shape = Shape(StrOr(err_members[cf], "shape", "?"), "error code");
          if (code_shape.contains("enum") && code_shape["enum"].is_array()) {
            for (const auto& v : code_shape["enum"]) {
              if (v.is_string()) enums.insert(v.get<std::string>());
            }
          }
        }
        if (!err_members.contains(spec_.errors.envelope.details_field)) {
          Diff("errors.envelope.detailsField", spec_.errors.envelope.details_field, "(absent)");
        }
      }
    }
    for (const auto& t : spec_.errors.types) {
      const bool operation_level = t.has_error_code;  // the spec's modelled (operation) errors
      if (operation_level && std::find(modelled.begin(), modelled.end(), t.name) == modelled.end()) {
        Diff("errors.types." + t.name, "present", "(not modelled for the operation)");
      }
    }
    if (enums.empty()) return;
    std::set<std::string> used(spec_.errors.documented_codes.begin(), spec_.errors.documented_codes.end());
    for (const auto& [name, def] : spec_.errors.outcomes) {
      if (!def.error_code.empty()) used.insert(def.error_code);
    }
    for (const auto& code : used) {
      if (!enums.count(code)) Diff("errors.codes." + code, "used", "(not in the model's ErrorCode enum)");
    }
    for (const auto& v : enums) {
      if (!v.empty() && (std::isspace(static_cast<unsigned char>(v.back())) ||
                         std::isspace(static_cast<unsigned char>(v.front())))) {
        out_.notes.push_back("the model's ErrorCode enum has \"" + v + "\", with surrounding white space");
      }
    }
    out_.notes.push_back("the model's ErrorCode enum has " + std::to_string(enums.size()) +
                         " values; the spec documents " + std::to_string(spec_.errors.documented_codes.size()) +
                         " for this operation (from " + spec_.errors.codes_source + ")");
  }

  ModelDiff Finish() {
    std::set<std::string> seen;
    for (Difference& d : out_.differences) {
      seen.insert(d.key);
      for (const KnownDifference& k : spec_.known_differences) {
        if (k.key != d.key) continue;
        if (k.aws == d.aws_value) {
          d.known = true;
          d.why = k.why;
        } else {
          out_.notes.push_back("known difference " + k.key + " expected the model to say \"" + k.aws +
                               "\"; it now says \"" + d.aws_value + "\"");
        }
      }
    }
    for (const KnownDifference& k : spec_.known_differences) {
      if (!seen.count(k.key)) {
        out_.notes.push_back("known difference " + k.key + " no longer appears: the model and the spec agree now");
      }
    }
    return std::move(out_);
  }

  const Spec& spec_;
  const json& model_;
  const json* shapes_ = nullptr;
  ModelDiff out_;
};

}  // namespace

std::size_t ModelDiff::new_count() const {
  return static_cast<std::size_t>(
      std::count_if(differences.begin(), differences.end(), [](const Difference& d) { return !d.known; }));
}

Result<std::string> ReadModelFile(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");  // reads plain files unchanged
  if (!f) return Error{"", "cannot open " + path};
  std::string out;
  constexpr std::size_t kMax = 64u << 20;
  char buf[1 << 16];
  while (true) {
    const int n = gzread(f, buf, sizeof buf);
    if (n < 0) {
      gzclose(f);
      return Error{"", path + ": not a readable gzip or text file"};
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > kMax) {
      gzclose(f);
      return Error{"", path + ": larger than 64 MiB; not a service model"};
    }
  }
  gzclose(f);
  return out;
}

Result<ModelDiff> DiffAgainstAwsModel(const Spec& spec, std::string_view model_text) {
  json model;
  try {
    model = json::parse(model_text.begin(), model_text.end());
  } catch (const std::exception&) {
    return Error{"", "the model is not valid JSON"};
  }
  try {
    return Differ(spec, model).Run();
  } catch (const ModelError& e) {
    return Error{"", "not a botocore service model: " + e.message};
  } catch (const json::exception& e) {
    return Error{"", std::string("not a botocore service model: unexpected structure (") + e.what() + ")"};
  }
}

}  // namespace chapcheck::spec
