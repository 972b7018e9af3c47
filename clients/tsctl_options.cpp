#include "clients/tsctl_options.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include <CLI/CLI.hpp>

#include "clients/client_transport.h"
#include "clients/tsctl_command.h"
#include "common/cluster_file/cluster_file.h"

namespace ts::tsctl {
namespace {

namespace cfg = client_config;

constexpr const char* kBrokerEnv = "TS_BROKER";
constexpr const char* kShutdownEnv = "TS_SHUTDOWN";

std::string Range(int low, int high) { return std::to_string(low) + ".." + std::to_string(high); }

// Every tsctl option, bound to `options`. Help, version and "--" are the
// word finder's, not CLI11's. Validators carry no description, so the value
// names stay EP, MS, N (no CLI11 type text in the help).
std::unique_ptr<CLI::App> MakeParser(TsctlOptions& options, bool from_environment) {
  auto app = std::make_unique<CLI::App>("tsctl", "tsctl");
  app->set_help_flag();
  CLI::Option* broker = app->add_option("--broker", options.broker, "the broker's client endpoint, or every broker's as a comma list (EP1,EP2): a call moves to the next on a timeout or refusal")
                            ->type_name("EP")
                            ->default_str(cfg::kDefaultBrokerEndpoint);
  CLI::Option* shutdown =
      app->add_option("--shutdown-endpoint", options.shutdown_endpoint, "the broker's shutdown endpoint, or every broker's as a comma list (shutdown goes to each in turn)")
          ->type_name("EP")
          ->default_str(cfg::kDefaultShutdownEndpoint);
  if (from_environment) {
    broker->envname(kBrokerEnv);
    shutdown->envname(kShutdownEnv);
  }
  app->add_option("--cluster", options.cluster,
                  "the cluster file (docs/OPERATIONS.md): every broker's client and shutdown endpoints, and the "
                  "client key (client_key, else KEYS/clients/client; shutdown: KEYS/admins/admin); --broker, "
                  "--shutdown-endpoint, --key, --admin-key given beside it override the file")
      ->type_name("FILE");
  app->add_flag("--json", options.json, "print each reply as one JSON object per line (--output json)");
  app->add_option("--output", options.output,
                  "table (for people), json (one object per reply per line) or tsv (KEY<tab>VALUE lines, "
                  "nothing else on stdout: for pipes)")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"table", "json", "tsv"}).description(""))
      ->default_str("table");
  app->add_option("--timeout-ms", options.timeout_ms, "how long one attempt waits for its reply, " + Range(cfg::kMinTimeoutMs, cfg::kMaxTimeoutMs))
      ->type_name("MS")
      ->check(CLI::Range(cfg::kMinTimeoutMs, cfg::kMaxTimeoutMs).description(""))
      ->default_str(std::to_string(cfg::kDefaultRequestTimeout.count()));
  app->add_option("--retries", options.retries, "attempts after the first when one times out, " + Range(0, cfg::kMaxRequestRetries))
      ->type_name("N")
      ->check(CLI::Range(0, cfg::kMaxRequestRetries).description(""))
      ->default_str(std::to_string(cfg::kDefaultRequestRetries));
  app->add_option("--refused-ms", options.refused_ms,
                  "say 'connection refused' once every connect has failed this long")
      ->type_name("MS")
      ->check(CLI::Range(0, cfg::kMaxTimeoutMs).description(""))
      ->default_str(std::to_string(cfg::kDefaultRefusedAfter.count()));
  CLI::Option* key = app->add_option("--key", options.key, "the client's CURVE pair, BASE of BASE.pub/BASE.secret "
                                     "(./run.sh cli passes DIR/keys/clients/client)")
                         ->type_name("FILE");
  CLI::Option* server_key = app->add_option("--server-key", options.server_key,
                                            "the broker's public key file (default: brokers/broker-1.pub beside --key)")
                                ->type_name("FILE");
  app->add_option("--admin-key", options.admin_key, "the admin pair for shutdown (default: --key)")->type_name("FILE");
  if (from_environment) {
    key->envname(std::string(kClientKeyEnv));
    server_key->envname(std::string(kServerKeyEnv));
  }
  // Given twice, the later wins: `./run.sh cli` puts the cluster's endpoints
  // first, and a user's own --broker after them overrides.
  for (CLI::Option* option : app->get_options()) option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  return app;
}

const CLI::Option* FindOption(const CLI::App& app, const std::string& name) {
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& long_name : option->get_lnames()) {
      if (name == "--" + long_name) return option;
    }
  }
  return nullptr;
}

std::string JoinedOptionNames(const CLI::App& app) {
  std::string names;
  for (const CLI::Option* option : app.get_options()) names += (names.empty() ? "" : ", ") + option->get_name();
  return names;
}

bool NamesOption(const std::vector<std::string>& words, const std::string& name) {
  for (const std::string& word : words) {
    if (word == name || word.rfind(name + "=", 0) == 0) return true;
  }
  return false;
}

// The endpoint option `name`, when the words (or the environment) set it.
Status CheckEndpointOption(const CLI::App& app, const std::vector<std::string>& words, const std::string& name,
                           const std::string& value) {
  const CLI::Option* option = FindOption(app, name);
  if (option == nullptr || option->count() == 0) return Status::Ok();
  Status valid = CheckEndpoint(value);
  if (valid.ok()) return valid;
  const std::string source = NamesOption(words, name) ? name : option->get_envname();
  return Error{ErrorKind::kMalformedRequest, source + " '" + value + "': " + valid.error().message};
}

// --cluster FILE: what the file says, except what the words give beside it
// (they win; the environment does not: a typed --cluster is the nearer word).
Status ApplyClusterFile(const std::vector<std::string>& option_words, TsctlOptions& parsed) {
  Result<cluster_file::ClusterFile> file = cluster_file::LoadClusterFile(parsed.cluster);
  if (!file.ok()) return Error{ErrorKind::kMalformedRequest, "--cluster: " + file.error().message};
  if (!NamesOption(option_words, "--broker")) parsed.broker = file.value().ClientEndpoints();
  if (!NamesOption(option_words, "--shutdown-endpoint")) parsed.shutdown_endpoint = file.value().ShutdownEndpoints();
  const std::optional<std::string> client_key = file.value().ClientKeyBase();
  if (client_key && !NamesOption(option_words, "--key")) parsed.key = *client_key;
  std::error_code ignored;
  if (file.value().keys_dir && !NamesOption(option_words, "--admin-key") &&
      std::filesystem::exists(*file.value().keys_dir + "/admins/admin.secret", ignored)) {
    parsed.admin_key = *file.value().keys_dir + "/admins/admin";
  }
  return Status::Ok();
}

}  // namespace

Result<SplitWords> SplitOptionWords(const std::vector<std::string>& words) {
  TsctlOptions scratch;
  const std::unique_ptr<CLI::App> app = MakeParser(scratch, /*from_environment=*/false);
  SplitWords split;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == "--") {
      // Everything after it is the command's; the command word stays first.
      std::vector<std::string> rest(words.begin() + static_cast<long>(i) + 1, words.end());
      if (split.command_words.empty() && !rest.empty()) {
        split.command_words.push_back(rest.front());
        rest.erase(rest.begin());
      }
      if (!split.command_words.empty()) split.command_words.push_back("--");
      split.command_words.insert(split.command_words.end(), rest.begin(), rest.end());
      break;
    }
    if (word == "-h" || word == "--help") {
      split.help = true;
      continue;
    }
    if (word == "--version") {
      split.version = true;
      continue;
    }
    if (word.size() <= 2 || word.compare(0, 2, "--") != 0) {
      split.command_words.push_back(word);
      continue;
    }
    const size_t equals = word.find('=');
    const std::string name = word.substr(0, equals);
    if (const CLI::Option* option = FindOption(*app, name)) {
      split.option_words.push_back(word);
      const bool takes_value = option->get_expected_min() > 0;
      if (takes_value && equals == std::string::npos) {
        if (i + 1 >= words.size()) {
          return Error{ErrorKind::kMalformedRequest, name + " needs a value (" + option->get_type_name() + ")"};
        }
        split.option_words.push_back(words[++i]);
      }
      continue;
    }
    if (const CommandOption* option = FindCommandOption(name)) {
      // The command's own; the command parser checks that it is the right one.
      split.command_words.push_back(word);
      if (option->takes_value && equals == std::string::npos && i + 1 < words.size()) {
        split.command_words.push_back(words[++i]);
      }
      continue;
    }
    return Error{ErrorKind::kMalformedRequest,
                 "unknown option '" + name + "' (tsctl's options: " + JoinedOptionNames(*app) +
                     "; a pattern that starts with '--' goes after a '--' word)"};
  }
  return split;
}

Status ApplyOptionWords(const std::vector<std::string>& option_words, bool from_environment,
                        TsctlOptions& options) {
  TsctlOptions parsed = options;
  const std::unique_ptr<CLI::App> app = MakeParser(parsed, from_environment);
  std::vector<std::string> reversed(option_words.rbegin(), option_words.rend());  // CLI11 wants them so
  try {
    app->parse(reversed);
  } catch (const CLI::ParseError& error) {
    return Error{ErrorKind::kMalformedRequest, error.what()};
  }
  if (NamesOption(option_words, "--cluster")) {
    if (Status applied = ApplyClusterFile(option_words, parsed); !applied.ok()) return applied;
  }
  if (Status broker = CheckEndpointOption(*app, option_words, "--broker", parsed.broker); !broker.ok()) {
    return broker;
  }
  if (Status shutdown = CheckEndpointOption(*app, option_words, "--shutdown-endpoint", parsed.shutdown_endpoint);
      !shutdown.ok()) {
    return shutdown;
  }
  // --json is --output json; both in one command must agree.
  if (NamesOption(option_words, "--json")) {
    if (NamesOption(option_words, "--output") && parsed.output != "json") {
      return Error{ErrorKind::kMalformedRequest, "--json and --output " + parsed.output + " disagree: choose one"};
    }
    parsed.output = "json";
  }
  parsed.json = parsed.output == "json";
  // Keys given now replace the ones already read; none keeps them (a prompt line's options).
  if (!parsed.key.empty() || !parsed.server_key.empty()) {
    Result<std::optional<ClientCurve>> curve = LoadClientCurve(parsed.key, parsed.server_key);
    if (!curve.ok()) return curve.error();
    parsed.curve = curve.value();
    parsed.admin_curve = parsed.curve;
  }
  if (!parsed.admin_key.empty()) {
    Result<std::optional<ClientCurve>> admin = LoadClientCurve(parsed.admin_key, parsed.server_key);
    if (!admin.ok()) return Error{ErrorKind::kMalformedRequest, "--admin-key: " + admin.error().message};
    parsed.admin_curve = admin.value();
  }
  options = parsed;
  return Status::Ok();
}

std::vector<std::string> OptionNames() {
  TsctlOptions scratch;
  const std::unique_ptr<CLI::App> app = MakeParser(scratch, /*from_environment=*/false);
  std::vector<std::string> names;
  for (const CLI::Option* option : app->get_options()) names.push_back(option->get_name());
  names.emplace_back("--help");
  names.emplace_back("--version");
  return names;
}

std::string OptionsHelp() {
  TsctlOptions scratch;
  const std::unique_ptr<CLI::App> app = MakeParser(scratch, /*from_environment=*/true);
  std::vector<std::pair<std::string, std::string>> rows;
  for (const CLI::Option* option : app->get_options()) {
    std::string name = option->get_name();
    if (option->get_expected_min() > 0) name += " " + option->get_type_name();
    std::string text = option->get_description();
    std::string notes;
    if (!option->get_default_str().empty()) notes = "default " + option->get_default_str();
    if (!option->get_envname().empty()) notes += (notes.empty() ? "" : ", ") + std::string("env ") + option->get_envname();
    if (!notes.empty()) text += " (" + notes + ")";
    rows.emplace_back(std::move(name), std::move(text));
  }
  rows.emplace_back("-h, --help", "this text; 'COMMAND --help' or 'help COMMAND' explains one command");
  rows.emplace_back("--version", "print tsctl's version");
  size_t width = 0;
  for (const auto& row : rows) width = std::max(width, row.first.size());
  std::string text;
  for (const auto& [name, description] : rows) {
    text += "  " + name + std::string(width - name.size() + 2, ' ') + description + "\n";
  }
  return text;
}

std::string UsageText() {
  return "usage: tsctl [OPTIONS] [COMMAND [ARG ...]]   (no COMMAND: the interactive prompt)\n"
         "\n"
         "options (anywhere, before or after the command; '--' ends them):\n" +
         OptionsHelp() + "\n" + HelpText() +
         "\n"
         "exit status: 0 everything asked was done; 1 the service answered but refused\n"
         "something (an error reply, or a pair not added or not updated); 2 usage error;\n"
         "3 service unreachable (connection refused, no reply in time, or the broker\n"
         "answered 'unavailable').\n";
}

}  // namespace ts::tsctl
