// anthropic-batch-emulator: serves the emulated Message Batches API until SIGINT or SIGTERM.
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <string>
#include <string_view>

#include <pthread.h>

#include "anthropic/emulator/emulator.hpp"

namespace {

constexpr const char* kUsage =
    "usage: anthropic-batch-emulator [options]\n"
    "\n"
    "Serves a local emulation of Anthropic's Message Batches API (beta) over HTTP.\n"
    "Prints 'listening on http://HOST:PORT' once ready; stops on SIGINT or SIGTERM.\n"
    "\n"
    "options:\n"
    "  --port N              TCP port (default 0: chosen by the OS)\n"
    "  --host H              interface to bind (default 127.0.0.1)\n"
    "  --api-key K           accepted credential (repeatable; default sk-ant-emulator)\n"
    "  --any-api-key         accept any non-empty credential\n"
    "  --processing-ms N     simulated processing time of a batch (default 2000)\n"
    "  --expiry-ms N         a batch not ended this long after creation expires\n"
    "                        (default 86400000, i.e. 24 h)\n"
    "  --fault-rate F        fraction 0..1 of requests answered with a fault status (default 0)\n"
    "  --fault-statuses L    comma-separated statuses injected in turn by --fault-rate\n"
    "                        (default 429,500,529,408,504)\n"
    "  --fault-drop-results N  cut the next N results downloads after about half of the\n"
    "                        body by closing the connection (default 0)\n"
    "  --fault-slow-body R   send response bodies (results and JSON) at no more than R\n"
    "                        bytes per second: N bytes take >= N/R s (default 0: off)\n"
    "  --retry-after-ms N    also send retry-after-ms: N on injected 429s\n"
    "  --latency-ms N        delay added to every response (default 0)\n"
    "  --data-dir DIR        persist state in DIR (survives restarts)\n"
    "  --seed N              seed for faults and ids (default 1)\n"
    "  --models L            comma-separated models requests may name; others end errored\n"
    "                        with not_found_error (default: any name starting with claude-)\n"
    "  --max-body-bytes N    requests larger than this get 413, before the body is read\n"
    "                        or as soon as it passes the limit (default 268435456)\n"
    "  --max-connections N   connections served at once, one thread each (default 256)\n"
    "  --public-base-url U   origin used in results_url (default: the request's Host)\n"
    "  --keep-alive-s N      idle keep-alive timeout in seconds, 0 = no keep-alive (default 1)\n"
    "  --no-version-check    do not require the anthropic-version header\n"
    "  --ordered             results in request order (default: shuffled, seeded by batch id)\n"
    "  -h, --help            show this help\n";

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "anthropic-batch-emulator: %s\n\n%s", message.c_str(), kUsage);
  std::exit(2);
}

long long parse_int(const std::string& flag, const std::string& value, long long min,
                    long long max) {
  if (value.empty()) usage_error(flag + " needs a number");
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(value.c_str(), &end, 10);
  if (errno != 0 || end == nullptr || *end != '\0' || v < min || v > max) {
    usage_error("invalid value for " + flag + ": '" + value + "'");
  }
  return v;
}

double parse_rate(const std::string& flag, const std::string& value) {
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(value.c_str(), &end);
  if (value.empty() || errno != 0 || end == nullptr || *end != '\0' || !(v >= 0.0 && v <= 1.0)) {
    usage_error("invalid value for " + flag + ": '" + value + "' (expected 0..1)");
  }
  return v;
}

bool takes_value(const std::string& flag) {
  static const char* const kFlags[] = {"--port",           "--host",
                                       "--api-key",        "--processing-ms",
                                       "--expiry-ms",      "--fault-rate",
                                       "--retry-after-ms", "--latency-ms",
                                       "--data-dir",       "--seed",
                                       "--max-body-bytes", "--public-base-url",
                                       "--keep-alive-s",   "--max-connections",
                                       "--fault-statuses", "--fault-drop-results",
                                       "--models",         "--fault-slow-body"};
  for (const char* f : kFlags) {
    if (flag == f) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  using std::chrono::milliseconds;
  anthropic::emulator::EmulatorOptions options;
  bool keys_given = false;
  bool any_key = false;

  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "--any-api-key") {
      any_key = true;
      continue;
    }
    if (arg == "--no-version-check") {
      options.require_anthropic_version = false;
      continue;
    }
    if (arg == "--ordered") {
      options.ordered_results = true;
      continue;
    }
    // Every other option takes a value: "--flag value" or "--flag=value".
    std::string flag = arg;
    std::string value;
    if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      flag = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else {
      if (arg.rfind("--", 0) != 0) usage_error("unexpected argument '" + arg + "'");
      if (!takes_value(flag)) usage_error("unknown option '" + flag + "'");
      if (i + 1 >= argc) usage_error(flag + " needs a value");
      value = argv[++i];
    }
    constexpr long long kMaxMs = 10LL * 365 * 24 * 3600 * 1000;
    if (flag == "--port") {
      options.port = static_cast<int>(parse_int(flag, value, 0, 65535));
    } else if (flag == "--host") {
      if (value.empty()) usage_error("--host needs a value");
      options.host = value;
    } else if (flag == "--api-key") {
      if (value.empty()) usage_error("--api-key needs a non-empty value");
      if (!keys_given) options.api_keys.clear();
      keys_given = true;
      options.api_keys.push_back(value);
    } else if (flag == "--processing-ms") {
      options.processing_time = milliseconds(parse_int(flag, value, 0, kMaxMs));
    } else if (flag == "--expiry-ms") {
      options.expiry_after = milliseconds(parse_int(flag, value, 0, kMaxMs));
    } else if (flag == "--fault-rate") {
      options.fault_rate = parse_rate(flag, value);
    } else if (flag == "--fault-statuses") {
      options.fault_statuses.clear();
      std::size_t begin = 0;
      while (begin <= value.size()) {
        std::size_t comma = value.find(',', begin);
        if (comma == std::string::npos) comma = value.size();
        options.fault_statuses.push_back(
            static_cast<int>(parse_int(flag, value.substr(begin, comma - begin), 400, 599)));
        begin = comma + 1;
      }
    } else if (flag == "--fault-drop-results") {
      options.fault_drop_results = static_cast<std::size_t>(parse_int(flag, value, 0, 1000000));
    } else if (flag == "--fault-slow-body") {
      options.fault_slow_body_bytes_per_sec = static_cast<std::size_t>(
          parse_int(flag, value, 0, std::numeric_limits<long long>::max()));
    } else if (flag == "--models") {
      options.models.clear();
      std::size_t begin = 0;
      while (begin <= value.size()) {
        std::size_t comma = value.find(',', begin);
        if (comma == std::string::npos) comma = value.size();
        std::string model = value.substr(begin, comma - begin);
        if (model.empty()) usage_error("invalid value for --models: '" + value + "' (empty name)");
        options.models.push_back(std::move(model));
        begin = comma + 1;
      }
    } else if (flag == "--retry-after-ms") {
      options.fault_retry_after_ms = milliseconds(parse_int(flag, value, 0, kMaxMs));
    } else if (flag == "--latency-ms") {
      options.latency = milliseconds(parse_int(flag, value, 0, 600000));
    } else if (flag == "--data-dir") {
      if (value.empty()) usage_error("--data-dir needs a value");
      options.data_dir = value;
    } else if (flag == "--seed") {
      options.seed = static_cast<std::uint64_t>(
          parse_int(flag, value, 0, std::numeric_limits<long long>::max()));
    } else if (flag == "--max-body-bytes") {
      options.max_body_bytes = static_cast<std::size_t>(
          parse_int(flag, value, 1, std::numeric_limits<long long>::max()));
    } else if (flag == "--max-connections") {
      options.max_connections = static_cast<std::size_t>(parse_int(flag, value, 1, 100000));
    } else if (flag == "--keep-alive-s") {
      options.keep_alive_timeout = std::chrono::seconds(parse_int(flag, value, 0, 3600));
    } else if (flag == "--public-base-url") {
      options.public_base_url = value;
    } else {
      usage_error("unknown option '" + flag + "'");
    }
  }
  if (any_key) options.api_keys.clear();

  // Block the stop signals before any thread starts, so that every server thread inherits the
  // mask and sigwait() below is the only receiver.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  try {
    anthropic::emulator::Emulator emulator(options);
    emulator.start();
    std::printf("listening on %s\n", emulator.base_url().c_str());
    std::fflush(stdout);
    int received = 0;
    sigwait(&signals, &received);
    std::fprintf(stderr, "anthropic-batch-emulator: %s, stopping\n",
                 received == SIGINT ? "SIGINT" : "SIGTERM");
    emulator.stop();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "anthropic-batch-emulator: %s\n", e.what());
    return 1;
  }
  return 0;
}
