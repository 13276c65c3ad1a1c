// A validator for the subset of JSON Schema (2020-12) that docs/schemas/
// uses: type (a name or a list), required, properties,
// additionalProperties (bool or schema), items, enum, const, minimum,
// maximum, $ref to "#/$defs/<name>". Any other keyword (except annotations:
// $schema, $id, title, description, examples) is reported as unsupported, so
// a schema cannot silently rely on a check this validator does not make.
// Test-only; header-only so that integration tests can use it without a
// link dependency.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace cnake::report::testing {

class SchemaLite {
 public:
  explicit SchemaLite(nlohmann::json schema) : root_(std::move(schema)) {}

  // Every violation as "<json pointer>: <what>"; empty when valid.
  std::vector<std::string> Validate(const nlohmann::json& instance) const {
    std::vector<std::string> errors;
    Check(instance, root_, "", errors, 0);
    return errors;
  }

 private:
  static bool HasType(const nlohmann::json& v, const std::string& t) {
    if (t == "null") return v.is_null();
    if (t == "boolean") return v.is_boolean();
    if (t == "object") return v.is_object();
    if (t == "array") return v.is_array();
    if (t == "string") return v.is_string();
    if (t == "integer") {
      return v.is_number_integer() ||
             (v.is_number_float() &&
              v.get<double>() == static_cast<double>(static_cast<long long>(v.get<double>())));
    }
    if (t == "number") return v.is_number();
    return false;
  }

  void Check(const nlohmann::json& v, const nlohmann::json& s, const std::string& path,
             std::vector<std::string>& errors, int depth) const {
    static const std::set<std::string> kKnown = {
        "$schema",     "$id",        "title",
        "description", "examples",   "type",
        "required",    "properties", "additionalProperties",
        "items",       "enum",       "const",
        "minimum",     "maximum",    "$ref",
        "$defs"};
    if (depth > 64) {
      errors.push_back(path + ": schema nesting too deep");
      return;
    }
    if (s.is_boolean()) {
      if (!s.get<bool>()) errors.push_back(path + ": not allowed");
      return;
    }
    for (const auto& [k, unused] : s.items()) {
      if (!kKnown.count(k)) errors.push_back(path + ": unsupported schema keyword " + k);
    }
    if (s.contains("$ref")) {
      const std::string ref = s["$ref"];
      const std::string prefix = "#/$defs/";
      if (ref.rfind(prefix, 0) != 0 || !root_["$defs"].contains(ref.substr(prefix.size()))) {
        errors.push_back(path + ": unresolvable $ref " + ref);
      } else {
        Check(v, root_["$defs"][ref.substr(prefix.size())], path, errors, depth + 1);
      }
    }
    if (s.contains("type")) {
      bool ok = false;
      if (s["type"].is_string()) {
        ok = HasType(v, s["type"]);
      } else {
        for (const auto& t : s["type"]) ok = ok || HasType(v, t);
      }
      if (!ok) {
        errors.push_back(path + ": expected type " + s["type"].dump() + ", got " + v.type_name());
        return;
      }
    }
    if (s.contains("enum")) {
      bool found = false;
      for (const auto& e : s["enum"]) found = found || e == v;
      if (!found) errors.push_back(path + ": " + v.dump() + " not in " + s["enum"].dump());
    }
    if (s.contains("const") && s["const"] != v) {
      errors.push_back(path + ": expected " + s["const"].dump());
    }
    if (v.is_number()) {
      if (s.contains("minimum") && v.get<double>() < s["minimum"].get<double>()) {
        errors.push_back(path + ": below minimum " + s["minimum"].dump());
      }
      if (s.contains("maximum") && v.get<double>() > s["maximum"].get<double>()) {
        errors.push_back(path + ": above maximum " + s["maximum"].dump());
      }
    }
    if (v.is_object()) CheckObject(v, s, path, errors, depth);
    if (v.is_array() && s.contains("items")) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        Check(v[i], s["items"], path + "/" + std::to_string(i), errors, depth + 1);
      }
    }
  }

  void CheckObject(const nlohmann::json& v, const nlohmann::json& s, const std::string& path,
                   std::vector<std::string>& errors, int depth) const {
    if (s.contains("required")) {
      for (const auto& r : s["required"]) {
        if (!v.contains(r.get<std::string>())) {
          errors.push_back(path + ": missing required " + r.get<std::string>());
        }
      }
    }
    const nlohmann::json props = s.value("properties", nlohmann::json::object());
    for (const auto& [k, child] : v.items()) {
      const std::string child_path = path + "/" + k;
      if (props.contains(k)) {
        Check(child, props[k], child_path, errors, depth + 1);
      } else if (s.contains("additionalProperties")) {
        Check(child, s["additionalProperties"], child_path, errors, depth + 1);
      }
    }
  }

  nlohmann::json root_;
};

}  // namespace cnake::report::testing
