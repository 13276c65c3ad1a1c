// The prompt template (processing.prompt_template) and its placeholders.
//
// Syntax (a subset of Python's str.format): "{name}" is replaced by the value
// of placeholder `name`; "{{" and "}}" are literal braces. Known placeholders:
// {description}, {id}, {tags}, {code}. Validation and expansion share this code so a
// template that passes CheckPromptTemplate always expands. Thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace cnake {

// The placeholder names a template may use, in documentation order.
const std::vector<std::string>& PromptPlaceholders();

// Ok, or kInvalidArgument describing the first problem (unknown placeholder,
// unbalanced brace) without repeating the template.
Status CheckPromptTemplate(std::string_view tmpl);

// True when the (valid) template has the placeholder `name`.
bool UsesPlaceholder(std::string_view tmpl, std::string_view name);

// Expands a template that passed CheckPromptTemplate. Placeholders missing
// from `values` expand to "".
std::string ExpandPromptTemplate(std::string_view tmpl,
                                 const std::map<std::string, std::string>& values);

}  // namespace cnake
