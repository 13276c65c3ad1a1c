#include "cli/usage_errors.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "config/did_you_mean.h"

namespace cnake::cli {
namespace {

constexpr const char* kSecretWords[] = {"key",    "token",  "password",
                                        "passwd", "secret", "credential"};

// One option as the command line spells it: "--name" or "-n".
struct Spelling {
  std::string text;
  const CLI::Option* option;
};

void AddOptions(const CLI::App& app, std::vector<Spelling>& out) {
  for (const CLI::Option* opt : app.get_options()) {
    for (const std::string& l : opt->get_lnames()) out.push_back({"--" + l, opt});
    for (const std::string& s : opt->get_snames()) out.push_back({"-" + s, opt});
  }
}

const CLI::App* FindSubcommand(const CLI::App& app, const std::string& name) {
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name() == name) return sub;
  }
  return nullptr;
}

std::vector<std::string> SubcommandNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  return names;
}

const Spelling* Find(const std::vector<Spelling>& known, std::string_view text) {
  for (const Spelling& s : known) {
    if (s.text == text) return &s;
  }
  return nullptr;
}

std::string UnknownOption(const std::string& name, const std::vector<Spelling>& known,
                          const std::string& where) {
  std::string bare = name.substr(name.find_first_not_of('-'));
  if (LooksLikeSecretOption(bare)) {
    return fmt::format(
        "unknown option {}: secrets are never taken from the command line, where every user of "
        "the machine can read them (its value is not shown). Set the API key in the "
        "environment, CNAKE_API_KEY, or name a key file in api.api_key_file",
        name);
  }
  std::vector<std::string> candidates;
  for (const Spelling& s : known) candidates.push_back(s.text);
  if (auto suggestion = DidYouMean(name, candidates)) {
    return fmt::format("unknown option {}{}; did you mean {}?", name, where, *suggestion);
  }
  return fmt::format("unknown option {}{}", name, where);
}

}  // namespace

bool LooksLikeSecretOption(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::any_of(std::begin(kSecretWords), std::end(kSecretWords),
                     [&](const char* w) { return lower.find(w) != std::string::npos; });
}

std::optional<std::string> ExplainUsageError(const CLI::App& app,
                                             const std::vector<std::string>& args) {
  std::vector<Spelling> known;
  AddOptions(app, known);
  // The command is the first word that is not an option or an option's value.
  const CLI::App* command = nullptr;
  std::optional<std::string> stray_word;
  std::vector<std::string> problems;
  bool skip_value = false, options_end = false, secret_given = false;
  for (const std::string& arg : args) {
    const bool looks_like_option = !options_end && arg.size() >= 2 && arg[0] == '-';
    if (skip_value) {
      skip_value = false;
      if (!looks_like_option) continue;
    }
    if (!looks_like_option) {
      if (command == nullptr && !stray_word) {
        if ((command = FindSubcommand(app, arg)) != nullptr) {
          AddOptions(*command, known);
        } else {
          stray_word = arg;
        }
      }
      continue;
    }
    if (arg == "--") {
      options_end = true;
      continue;
    }
    const std::string name = arg.substr(0, arg.find('='));
    if (const Spelling* s = Find(known, name)) {
      skip_value = name == arg && s->option->get_items_expected_min() > 0;
      continue;
    }
    if (stray_word && !LooksLikeSecretOption(name)) continue;  // options of the unknown command
    const std::string where = command ? " for `" + command->get_name() + "`" : "";
    secret_given = secret_given || LooksLikeSecretOption(name);
    problems.push_back(UnknownOption(name, known, where));
    // Whatever follows an unknown option may be its value: never echoed.
    skip_value = name == arg;
  }
  // With a secret on the line, any other word may be it (--api-key= abc):
  // only option names are shown.
  if (command == nullptr && stray_word && !secret_given) {
    const std::vector<std::string> names = SubcommandNames(app);
    auto suggestion = DidYouMean(*stray_word, names);
    problems.insert(problems.begin(),
                    suggestion ? fmt::format("unknown command '{}'; did you mean '{}'?",
                                             *stray_word, *suggestion)
                               : fmt::format("unknown command '{}'; the commands are: {}",
                                             *stray_word, fmt::join(names, ", ")));
  }
  if (problems.empty()) return std::nullopt;
  return fmt::format("{}", fmt::join(problems, "\n"));
}

}  // namespace cnake::cli
