// End-to-end tests of the `anthropic-batch` program: the built binary runs as a child process
// against an in-process emulator (manual clock), with an explicit environment, and the tests check
// its exit status, standard output, standard error and the files it writes.
//
// Every child runs with a deadline: a hang kills it and fails the test instead of blocking.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "anthropic/emulator/emulator.hpp"
#include "support/raw_server.hpp"
#include "support/test_server.hpp"

#ifndef ANTHROPIC_BATCH_BINARY
#error "ANTHROPIC_BATCH_BINARY must name the anthropic-batch program"
#endif

namespace {

using anthropic::emulator::Emulator;
using anthropic::emulator::EmulatorOptions;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
namespace fs = std::filesystem;

constexpr const char* kKey = "sk-ant-emulator";
constexpr milliseconds kProcessing = std::chrono::minutes(1);
// Generous: sanitizer builds are slow, and a child that outlives it is a failure anyway.
constexpr milliseconds kDefaultTimeout = seconds(30);

using Env = std::map<std::string, std::string>;

struct Outcome {
  int code = -1;  ///< exit status; 128 + signal when killed by a signal; -1 when timed out
  std::string out;
  std::string err;
  bool timed_out = false;
  bool signaled = false;  ///< killed by a signal (not an exit(), whatever `code` says)
};

std::ostream& operator<<(std::ostream& os, const Outcome& r) {
  return os << "exit " << r.code << (r.timed_out ? " (timed out)" : "")
            << (r.signaled ? " (killed by a signal)" : "") << "\n--- stdout ---\n"
            << r.out << "--- stderr ---\n"
            << r.err << "--------------";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A running `anthropic-batch`: stdout (a pipe, or a pseudo-terminal) and stderr are read
/// separately; stdin comes from a file. The destructor kills a child still running.
class Child {
 public:
  Child(const std::vector<std::string>& args, const Env& env,
        const std::string& stdin_path = "/dev/null", bool stdout_tty = false) {
    int err[2];
    if (::pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    err_fd_ = err[0];
    int out_write = -1;
    std::string tty_name;
    if (stdout_tty) {
      out_fd_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
      const char* name = out_fd_ < 0 || ::grantpt(out_fd_) != 0 || ::unlockpt(out_fd_) != 0
                             ? nullptr
                             : ::ptsname(out_fd_);
      if (name != nullptr) tty_name = name;
      // The slave end, open in the parent until the child has it, so the master cannot hang up.
      out_write = tty_name.empty() ? -1 : ::open(tty_name.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
      if (out_write < 0) {
        if (out_fd_ >= 0) ::close(out_fd_);
        ::close(err[0]);
        ::close(err[1]);
        throw std::runtime_error("no pseudo-terminal");
      }
    } else {
      int out[2];
      if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
      out_fd_ = out[0];
      out_write = out[1];
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, stdin_path.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_write, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);

    std::vector<std::string> argv_storage = {ANTHROPIC_BATCH_BINARY};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_storage;
    for (const auto& [name, value] : env) env_storage.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& e : env_storage) envp.push_back(e.data());
    envp.push_back(nullptr);

    int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(out_write);
    ::close(err[1]);
    if (rc != 0) {
      pid_ = -1;
      ::close(out_fd_);
      ::close(err_fd_);
      throw std::runtime_error(std::string("posix_spawn failed: ") + std::strerror(rc));
    }
  }

  ~Child() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) ::close(out_fd_);
    if (err_fd_ >= 0) ::close(err_fd_);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  const std::string& out() const { return out_; }
  pid_t pid() const { return pid_; }

  /// Reads output until `done(stdout so far, stderr so far)` holds. False on timeout.
  bool wait_for(const std::function<bool(const std::string&, const std::string&)>& done,
                milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done(out_, err_)) {
      if ((out_fd_ < 0 && err_fd_ < 0) || std::chrono::steady_clock::now() >= deadline) {
        return false;
      }
      pump(milliseconds(20));
    }
    return true;
  }

  /// Reads output until `done(stdout so far)` holds. False on timeout or when stdout closed first.
  bool wait_for_output(const std::function<bool(const std::string&)>& done, milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done(out_)) {
      if (out_fd_ < 0 || std::chrono::steady_clock::now() >= deadline) return false;
      pump(milliseconds(20));
    }
    return true;
  }

  /// Waits for the child to exit and both streams to close; kills it at the deadline.
  Outcome finish(milliseconds timeout = kDefaultTimeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    Outcome run;
    while (out_fd_ >= 0 || err_fd_ >= 0 || !reaped_) {
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        reaped_ = true;
        run.timed_out = true;
        break;
      }
      if (out_fd_ >= 0 || err_fd_ >= 0) {
        pump(milliseconds(20));
      } else {
        std::this_thread::sleep_for(milliseconds(5));
      }
      if (!reaped_) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
          reaped_ = true;
          status_ = status;
        }
      }
    }
    if (!run.timed_out) {
      run.code = WIFEXITED(status_)     ? WEXITSTATUS(status_)
                 : WIFSIGNALED(status_) ? 128 + WTERMSIG(status_)
                                        : -1;
      run.signaled = WIFSIGNALED(status_);
    }
    run.out = out_;
    run.err = err_;
    return run;
  }

 private:
  void pump(milliseconds slice) {
    pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};  // poll ignores fd -1
    if (::poll(fds, 2, static_cast<int>(slice.count())) <= 0) return;
    auto drain = [](int& fd, short revents, std::string& into) {
      if (fd < 0 || revents == 0) return;
      char buf[4096];
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) {
        into.append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {  // EOF, or EIO from a pty
        ::close(fd);
        fd = -1;
      }
    };
    drain(out_fd_, fds[0].revents, out_);
    drain(err_fd_, fds[1].revents, err_);
  }

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
  bool reaped_ = false;
  int status_ = 0;
};

/// Sanitizer settings of the test process are handed down; nothing else is inherited (no proxy,
/// no ANTHROPIC_* variable, no ANTHROPIC_LOG).
Env bare_env() {
  Env env = {{"PATH", "/usr/bin:/bin"}};
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* v = std::getenv(name)) env[name] = v;
  }
  return env;
}

std::string request_line(const std::string& custom_id, const std::string& text, bool valid = true) {
  // `max_tokens: 0` ends `errored` (the SDK checks members and kinds before sending, the API
  // checks ranges as it processes each request).
  json params = {{"model", "claude-test"},
                 {"max_tokens", valid ? 64 : 0},
                 {"messages", json::array({{{"role", "user"}, {"content", text}}})}};
  return json{{"custom_id", custom_id}, {"params", params}}.dump();
}

class CliTest : public ::testing::Test {
 protected:
  /// Most tests move the emulator's clock by hand; `run` jobs need it to move by itself.
  virtual EmulatorOptions emulator_options() const {
    EmulatorOptions options;
    options.manual_clock = true;
    options.processing_time = kProcessing;
    options.keep_alive_timeout = seconds(0);
    return options;
  }

  void SetUp() override {
    emulator_ = std::make_unique<Emulator>(emulator_options());
    emulator_->start();
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("anthropic-cli-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }

  void TearDown() override {
    emulator_->stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  /// The environment of most runs: credentials and base URL from ANTHROPIC_* variables.
  Env env() const {
    Env e = bare_env();
    e["ANTHROPIC_API_KEY"] = kKey;
    e["ANTHROPIC_BASE_URL"] = emulator_->base_url();
    return e;
  }

  Outcome run(const std::vector<std::string>& args, const Env& e, milliseconds timeout,
              const std::string& stdin_path = "/dev/null") {
    Child child(args, e, stdin_path);
    return child.finish(timeout);
  }
  Outcome run(const std::vector<std::string>& args) { return run(args, env(), kDefaultTimeout); }
  Outcome run(const std::vector<std::string>& args, const Env& e) {
    return run(args, e, kDefaultTimeout);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return path(name);
  }

  /// A file of three requests: two valid ones and one that ends `errored`.
  std::string three_requests() const {
    return write("three.jsonl", request_line("req-1", "hello one") + "\n" +
                                    request_line("req-2", "hello two") + "\n" +
                                    request_line("req-3", "zero max_tokens", false) + "\n");
  }

  /// Submits `three_requests()` and returns the new batch id.
  std::string submit_three() {
    Outcome r = run({"submit", three_requests()});
    EXPECT_EQ(r.code, 0) << r;
    std::smatch m;
    // The second line is the create call's request-id (what support asks for).
    std::regex re(
        R"(^created (msgbatch_[A-Za-z0-9]+) with 3 requests \(in_progress\)\nrequest-id: req_\w+\n$)");
    if (!std::regex_match(r.out, m, re)) {
      ADD_FAILURE() << "unexpected submit output\n" << r;
      return "";
    }
    return m[1];
  }

  std::unique_ptr<Emulator> emulator_;
  fs::path dir_;
};

void expect_usage_error(const Outcome& r, const std::string& message) {
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_EQ(r.out, "") << r;
  EXPECT_TRUE(contains(r.err, message)) << "expected \"" << message << "\" in stderr\n" << r;
  EXPECT_TRUE(contains(r.err, "(see anthropic-batch --help)")) << r;
}

/// A failure: exit 1 by default, or 3 (not found), 4 (authentication), 5 (network).
void expect_failure(const Outcome& r, const std::string& message, int code = 1) {
  EXPECT_EQ(r.code, code) << r;
  EXPECT_EQ(r.out, "") << r;
  EXPECT_TRUE(contains(r.err, message)) << "expected \"" << message << "\" in stderr\n" << r;
}

// ------------------------------------------------------------------------------------------
// Help and usage errors

TEST_F(CliTest, MainHelpExitsZeroWithoutCredentials) {
  for (const char* flag : {"--help", "-h"}) {
    Outcome r = run({flag}, bare_env());
    EXPECT_EQ(r.code, 0) << r;
    EXPECT_EQ(r.err, "") << r;
    EXPECT_EQ(r.out.rfind("usage: anthropic-batch [options] <command> [arguments]\n", 0), 0u) << r;
    for (const char* command : {"submit FILE", "status ID", "watch ID", "cancel ID", "results ID",
                                "list ", "delete ID", "--api-key KEY", "--base-url URL", "--json",
                                "--emulator", "exit status: 0 success, 1 API"}) {
      EXPECT_TRUE(contains(r.out, command)) << command << "\n" << r;
    }
  }
  // A global option before --help does not matter.
  Outcome r = run({"--json", "--help"}, bare_env());
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.out.rfind("usage: anthropic-batch [options]", 0), 0u) << r;
  EXPECT_EQ(emulator_->stats().requests, 0u);
}

TEST_F(CliTest, CommandHelpExitsZero) {
  const std::map<std::string, std::string> expected = {
      {"submit",
       "usage: anthropic-batch submit FILE [--anthropic-beta NAME]... [--wait] [-o OUT]\n"},
      {"status", "usage: anthropic-batch status ID\n"},
      {"watch", "usage: anthropic-batch watch ID [--interval-ms N]\n"},
      {"cancel", "usage: anthropic-batch cancel ID\n"},
      {"results", "usage: anthropic-batch results ID [-o FILE]\n"},
      {"list", "usage: anthropic-batch list [--limit N] [--all]\n"},
      {"delete", "usage: anthropic-batch delete ID\n"},
  };
  for (const auto& [command, first_line] : expected) {
    for (const char* flag : {"--help", "-h"}) {
      Outcome r = run({command, flag}, bare_env());
      EXPECT_EQ(r.code, 0) << command << " " << flag << "\n" << r;
      EXPECT_EQ(r.err, "") << r;
      EXPECT_EQ(r.out.rfind(first_line, 0), 0u) << command << " " << flag << "\n" << r;
    }
  }
  // --help wins over the rest of the line, even a missing operand or a bad value.
  Outcome r = run({"submit", "--help", "-o"}, bare_env());
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.out, "An error names FILE:LINE.")) << r;
  EXPECT_EQ(emulator_->stats().requests, 0u);
}

TEST_F(CliTest, UsageErrorsExitTwoBeforeAnyRequest) {
  const std::string file = three_requests();
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{}, "no command given"},
      {{"frobnicate"}, "unknown command \"frobnicate\""},
      {{"--frob", "list"}, "unknown option \"--frob\""},
      {{"list", "--frob"}, "unknown option \"--frob\" for list"},
      {{"status", "--wait", "x"}, "unknown option \"--wait\" for status"},
      {{"results", "x", "--all"}, "unknown option \"--all\" for results"},
      {{"status"}, "status takes exactly one ID"},
      {{"status", "a", "b"}, "status takes exactly one ID"},
      {{"watch"}, "watch takes exactly one ID"},
      {{"cancel"}, "cancel takes exactly one ID"},
      {{"results"}, "results takes exactly one ID"},
      {{"delete"}, "delete takes exactly one ID"},
      {{"submit"}, "submit takes exactly one FILE"},
      {{"status", ""}, "the operand must not be empty"},
      {{"list", "extra"}, "list takes no operand"},
      {{"list", "--limit", "0"}, "--limit must be an integer from 1 to 1000; got \"0\""},
      {{"list", "--limit", "1001"}, "--limit must be an integer from 1 to 1000; got \"1001\""},
      {{"list", "--limit", "ten"}, "--limit must be an integer from 1 to 1000; got \"ten\""},
      {{"list", "--limit", "5x"}, "--limit must be an integer from 1 to 1000; got \"5x\""},
      {{"list", "--limit"}, "missing value of --limit"},
      {{"watch", "x", "--interval-ms", "50"}, "--interval-ms must be an integer from 100"},
      {{"submit", file, "-o", path("out.jsonl")}, "-o needs --wait for submit"},
      {{"submit", file, "--wait", "-o"}, "missing value of -o"},
      {{"submit", file, "--anthropic-beta"}, "missing value of --anthropic-beta"},
      {{"--api-key"}, "missing value of --api-key"},
      {{"list", "--base-url"}, "missing value of --base-url"},
      {{"--max-retries", "11", "list"}, "--max-retries must be an integer from 0 to 10"},
      {{"list", "--max-retries", "-1"}, "--max-retries must be an integer from 0 to 10"},
  };
  // Usage is checked before the credentials: the same with and without them.
  for (const Env& e : {env(), bare_env()}) {
    for (const auto& c : cases) {
      SCOPED_TRACE(::testing::PrintToString(c.args));
      expect_usage_error(run(c.args, e), c.message);
    }
  }
  EXPECT_EQ(emulator_->stats().requests, 0u);
  EXPECT_FALSE(fs::exists(path("out.jsonl")));
}

// ------------------------------------------------------------------------------------------
// Credentials, flags and environment variables

TEST_F(CliTest, NoCredentialsExitsTwo) {
  // The SDK rejects the missing credential before sending anything (AnthropicInvalidRequest-
  // Exception), which the program reports as a usage error.
  Env e = bare_env();
  e["ANTHROPIC_BASE_URL"] = emulator_->base_url();
  e["ANTHROPIC_API_KEY"] = "";  // empty counts as unset
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"list"}, {"status", "msgbatch_x"}, {"submit", three_requests()}}) {
    Outcome r = run(args, e);
    EXPECT_EQ(r.code, 2) << r;
    EXPECT_EQ(r.out, "") << r;
    EXPECT_TRUE(contains(r.err, "no credentials")) << r;
    EXPECT_TRUE(contains(r.err, "ANTHROPIC_API_KEY")) << r;
  }
  EXPECT_EQ(emulator_->stats().requests, 0u);
}

TEST_F(CliTest, WrongApiKeyIsAnAuthenticationErrorAndIsNotEchoed) {
  const std::string secret = "sk-ant-wrong-SECRET-0123456789";
  Env with_env_key = env();
  with_env_key["ANTHROPIC_API_KEY"] = secret;
  Env with_flag_base = bare_env();
  with_flag_base["ANTHROPIC_BASE_URL"] = emulator_->base_url();
  const std::vector<std::pair<std::vector<std::string>, Env>> runs = {
      {{"list"}, with_env_key},
      {{"--api-key", secret, "list"}, with_flag_base},
      {{"status", "msgbatch_x", "--api-key", secret}, with_flag_base},
      {{"--json", "--api-key", secret, "submit", three_requests()}, with_flag_base},
  };
  for (const auto& [args, e] : runs) {
    SCOPED_TRACE(::testing::PrintToString(args));
    Outcome r = run(args, e);
    expect_failure(r, "401 authentication_error: invalid bearer token", 4);
    EXPECT_FALSE(contains(r.err, secret)) << r;
    EXPECT_FALSE(contains(r.err, "SECRET")) << r;
    EXPECT_FALSE(contains(r.out, "SECRET")) << r;
  }
  EXPECT_EQ(emulator_->batch_count(), 0u);
}

TEST_F(CliTest, FlagsWorkWithoutEnvironmentAndOverrideIt) {
  // Flags only, before or after the command.
  const std::string url = emulator_->base_url();
  Outcome r = run({"--api-key", kKey, "--base-url", url, "list"}, bare_env());
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.out.rfind("ID", 0), 0u) << r;
  r = run({"list", "--api-key", kKey, "--base-url", url, "--json"}, bare_env());
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.out, "") << r;  // no batch, and no header with --json

  // A flag beats the environment: wrong key / unreachable URL in the environment.
  Env wrong = bare_env();
  wrong["ANTHROPIC_API_KEY"] = "sk-ant-not-this-one";
  wrong["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:1";
  r = run({"--api-key", kKey, "--base-url", url, "submit", three_requests()}, wrong);
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(emulator_->batch_count(), 1u);

  // The environment alone (key from ANTHROPIC_API_KEY, or a bearer ANTHROPIC_AUTH_TOKEN).
  r = run({"list"}, env());
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(lines_of(r.out).size(), 2u) << r;
  Env token = bare_env();
  token["ANTHROPIC_AUTH_TOKEN"] = kKey;
  token["ANTHROPIC_BASE_URL"] = url;
  r = run({"list"}, token);
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(lines_of(r.out).size(), 2u) << r;

  // The environment's URL is used when no flag is given: a trailing slash is fine.
  Env slash = env();
  slash["ANTHROPIC_BASE_URL"] = url + "/";
  r = run({"list", "--json"}, slash);
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(lines_of(r.out).size(), 1u) << r;
}

TEST_F(CliTest, InvalidBaseUrlIsRejected) {
  Outcome r = run({"--base-url", "ftp://example.com", "list"}, env());
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_TRUE(contains(r.err, "base_url must be an http:// or https:// URL")) << r;
}

// ------------------------------------------------------------------------------------------
// Commands against the emulator

TEST_F(CliTest, SubmitStatusResultsDeleteLifecycle) {
  const std::string id = submit_three();
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(emulator_->batch_count(), 1u);

  Outcome r = run({"status", id});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.err, "") << r;
  EXPECT_EQ(r.out.rfind(id + "\n  status:     in_progress\n", 0), 0u) << r;
  EXPECT_TRUE(contains(r.out,
                       "  requests:   3 (processing=3 succeeded=0 errored=0 canceled=0 "
                       "expired=0)\n"))
      << r;
  EXPECT_TRUE(contains(r.out, "  created:    ")) << r;
  EXPECT_TRUE(contains(r.out, "  expires:    ")) << r;
  EXPECT_FALSE(contains(r.out, "ended:")) << r;

  // Results are not available before the end: an API error, exit 1.
  expect_failure(run({"results", id}), "has not yet ended");

  emulator_->advance(kProcessing);
  r = run({"status", id});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.out, "  status:     ended\n")) << r;
  EXPECT_TRUE(contains(r.out,
                       "  requests:   3 (processing=0 succeeded=2 errored=1 canceled=0 "
                       "expired=0)\n"))
      << r;
  EXPECT_TRUE(contains(r.out, "  ended:      ")) << r;
  EXPECT_TRUE(contains(r.out, "  results:    " + emulator_->base_url())) << r;

  // Human-readable results: one line per request (in the order they arrive, which the API does
  // not guarantee and the emulator shuffles: sorted here), then a summary.
  r = run({"results", id});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.err, "") << r;
  auto shown = lines_of(r.out);
  if (shown.size() > 1) std::sort(shown.begin(), shown.end() - 1);
  EXPECT_EQ(shown, (std::vector<std::string>{
                       "req-1\tsucceeded\tEcho: hello one",
                       "req-2\tsucceeded\tEcho: hello two",
                       "req-3\terrored\tinvalid_request_error: max_tokens: Input should be greater "
                       "than or equal to 1",
                       "3 results errored=1 succeeded=2",
                   }))
      << r;

  // -o: exactly the JSONL lines, in the order received, and a summary on stdout.
  const std::string out_path = path("results.jsonl");
  r = run({"results", id, "-o", out_path});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.out, "3 results errored=1 succeeded=2 written to " + out_path + "\n") << r;
  const std::string saved = read_file(out_path);
  auto saved_lines = lines_of(saved);
  ASSERT_EQ(saved_lines.size(), 3u) << saved;
  EXPECT_EQ(saved.back(), '\n');
  std::map<std::string, std::string> type_by_id;
  for (const auto& line : saved_lines) {
    json j = json::parse(line);
    EXPECT_TRUE(j.at("result").is_object()) << line;
    type_by_id[j.at("custom_id").get<std::string>()] = j["result"]["type"];
  }
  EXPECT_EQ(type_by_id, (std::map<std::string, std::string>{
                            {"req-1", "succeeded"}, {"req-2", "succeeded"}, {"req-3", "errored"}}));

  // --json: the raw lines, the same as the file, nothing else.
  r = run({"--json", "results", id});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.out, saved) << r;

  // -o into a directory that does not exist: an I/O failure.
  expect_failure(run({"results", id, "-o", path("no/such/dir/out.jsonl")}), "cannot write");

  r = run({"delete", id});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.out, "deleted " + id + "\n") << r;
  EXPECT_EQ(emulator_->batch_count(), 0u);

  for (const char* command : {"status", "results", "delete", "cancel"}) {
    SCOPED_TRACE(command);
    Outcome gone = run({command, id});
    expect_failure(gone, "API error 404 not_found_error", 3);
    EXPECT_TRUE(contains(gone.err, id)) << gone;
  }
}

TEST_F(CliTest, SubmitFromStdinWithBetaCrlfAndBlankLines) {
  const std::string file =
      write("stdin.jsonl", "\n" + request_line("a", "x") + "\r\n  \t\n" + request_line("b", "y") +
                               "\r\n\r\n");  // no newline after the last line is fine too
  Outcome r = run({"submit", "-", "--anthropic-beta", "extra-beta-2025-01-01"}, env(),
                  kDefaultTimeout, file);
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_TRUE(std::regex_match(
      r.out,
      std::regex(R"(created msgbatch_\w+ with 2 requests \(in_progress\)\nrequest-id: req_\w+\n)")))
      << r;
  EXPECT_EQ(emulator_->batch_count(), 1u);

  const std::string last_unterminated = write("unterminated.jsonl", request_line("only", "z"));
  r = run({"submit", last_unterminated});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.out, " with 1 requests ")) << r;
}

TEST_F(CliTest, SubmitRefusesWhatTheApiVersionRejectsBeforeCreatingABatch) {
  const std::string file =
      write("sampling.jsonl",
            request_line("ok", "x") + "\n" +
                R"({"custom_id":"hot","params":{"model":"claude-sonnet-4-5","max_tokens":8,)"
                R"("temperature":0.7,"messages":[{"role":"user","content":"y"}]}})"
                "\n");
  // The default version (2026-10-21) removed temperature: nothing is created.
  expect_failure(
      run({"submit", file}),
      file + ":2: requests[1]: params.temperature was removed in API version 2026-10-21");
  EXPECT_EQ(emulator_->batch_count(), 0u);

  // 2023-06-01 still takes it.
  Outcome r = run({"--api-version", "2023-06-01", "submit", file});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.out, " with 2 requests ")) << r;
  EXPECT_EQ(emulator_->batch_count(), 1u);

  r = run({"list", "--api-version", "latest"});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_TRUE(contains(r.err, "anthropic_version must be a YYYY-MM-DD date")) << r;
}

TEST_F(CliTest, CommandsUseTheGaResourceUnlessBetaIsGiven) {
  // A recording server shows the resource on the wire: under 2023-06-01 only the beta resource
  // marks its calls with ?beta=true and the batches beta header.
  anthropic::testing::TestServer server;
  server.respond(200, anthropic::testing::batch_json("msgbatch_w"));
  Env e = env();
  e["ANTHROPIC_BASE_URL"] = server.base_url();

  Outcome r = run({"--api-version", "2023-06-01", "status", "msgbatch_w"}, e);
  EXPECT_EQ(r.code, 0) << r;
  auto request = server.last_request();
  EXPECT_EQ(request.target, "/v1/messages/batches/msgbatch_w");
  EXPECT_EQ(request.header_count("anthropic-beta"), 0u);

  r = run({"--api-version", "2023-06-01", "status", "msgbatch_w", "--beta"}, e);
  EXPECT_EQ(r.code, 0) << r;
  request = server.last_request();
  EXPECT_EQ(request.target, "/v1/messages/batches/msgbatch_w?beta=true");
  EXPECT_EQ(request.header("anthropic-beta"), "message-batches-2024-09-24");

  // Under the default version the two resources look the same; a beta header is sent only when
  // asked for.
  const std::string file = write("one.jsonl", request_line("a", "x") + "\n");
  r = run({"submit", file, "--anthropic-beta", "files-api-2025-04-14"}, e);
  EXPECT_EQ(r.code, 0) << r;
  request = server.last_request();
  EXPECT_EQ(request.target, "/v1/messages/batches");
  EXPECT_EQ(request.header("anthropic-beta"), "files-api-2025-04-14");
  EXPECT_EQ(request.header("authorization"), std::string("Bearer ") + kKey);
}

TEST_F(CliTest, CancelShowsCanceling) {
  const std::string id = submit_three();
  ASSERT_FALSE(id.empty());
  Outcome r = run({"cancel", id});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.out, "cancel requested: " + id +
                       " is canceling (processing=3 succeeded=0 errored=0 canceled=0 expired=0)\n")
      << r;

  r = run({"status", id});
  EXPECT_TRUE(contains(r.out, "  status:     canceling\n")) << r;
  EXPECT_TRUE(contains(r.out, "  canceled:   ")) << r;

  // A canceling batch cannot be deleted.
  expect_failure(run({"delete", id}), "cannot be deleted while it is canceling");

  emulator_->advance(kProcessing / 4);
  r = run({"--json", "status", id});
  EXPECT_EQ(r.code, 0) << r;
  json j = json::parse(r.out);
  EXPECT_EQ(j["processing_status"], "ended");
  EXPECT_EQ(j["request_counts"]["canceled"], 3);
  EXPECT_TRUE(j["cancel_initiated_at"].is_string());

  expect_failure(run({"cancel", id}), "has already ended and cannot be canceled");
  r = run({"results", id});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(lines_of(r.out).back(), "3 results canceled=3") << r;
}

TEST_F(CliTest, WatchPrintsLinesUntilEnded) {
  const std::string id = submit_three();
  ASSERT_FALSE(id.empty());
  Child watch({"watch", id, "--interval-ms", "100"}, env());
  // The first poll, then more polls with nothing new (no line), then the end.
  ASSERT_TRUE(watch.wait_for_output([](const std::string& out) { return contains(out, "\n"); },
                                    kDefaultTimeout))
      << watch.out();
  std::this_thread::sleep_for(milliseconds(300));
  emulator_->advance(kProcessing);
  Outcome r = watch.finish();
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.err, "") << r;
  EXPECT_EQ(lines_of(r.out),
            (std::vector<std::string>{
                id + " in_progress processing=3 succeeded=0 errored=0 canceled=0 expired=0",
                id + " ended processing=0 succeeded=2 errored=1 canceled=0 expired=0",
                id + " ended: processing=0 succeeded=2 errored=1 canceled=0 expired=0",
            }))
      << r;
  EXPECT_FALSE(contains(r.out, "\r")) << r;  // no progress bar when stdout is not a terminal

  // Watching an ended batch returns at once.
  r = run({"watch", id});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(lines_of(r.out).size(), 2u) << r;

  expect_failure(run({"watch", "msgbatch_nope", "--interval-ms", "100"}), "404 not_found_error", 3);
}

TEST_F(CliTest, WatchJsonPrintsOneDocumentPerPoll) {
  const std::string id = submit_three();
  ASSERT_FALSE(id.empty());
  Child watch({"--json", "watch", id, "--interval-ms", "100"}, env());
  ASSERT_TRUE(watch.wait_for_output([](const std::string& out) { return contains(out, "\n"); },
                                    kDefaultTimeout))
      << watch.out();
  emulator_->advance(kProcessing);
  Outcome r = watch.finish();
  EXPECT_EQ(r.code, 0) << r;
  auto lines = lines_of(r.out);
  ASSERT_GE(lines.size(), 2u) << r;
  for (const auto& line : lines) {
    json j = json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    EXPECT_EQ(j["id"], id);
  }
  EXPECT_EQ(json::parse(lines.front())["processing_status"], "in_progress");
  EXPECT_EQ(json::parse(lines.back())["processing_status"], "ended");
  EXPECT_EQ(json::parse(lines.back())["request_counts"]["succeeded"], 2);
}

TEST_F(CliTest, WatchOnATerminalDrawsAProgressBar) {
  int probe = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (probe < 0) GTEST_SKIP() << "no pseudo-terminal available";
  ::close(probe);
  const std::string id = submit_three();
  ASSERT_FALSE(id.empty());
  Child watch({"watch", id, "--interval-ms", "100"}, env(), "/dev/null", /*stdout_tty=*/true);
  ASSERT_TRUE(watch.wait_for_output(
      [](const std::string& out) { return contains(out, "in_progress"); }, kDefaultTimeout))
      << watch.out();
  emulator_->advance(kProcessing);
  Outcome r = watch.finish();
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.out, "\r[" + std::string(30, '-') + "]   0% in_progress processing=3"))
      << r;
  EXPECT_TRUE(contains(r.out, "\r[" + std::string(30, '#') + "] 100% ended processing=0")) << r;
  EXPECT_TRUE(contains(r.out, id + " ended: processing=0 succeeded=2 errored=1")) << r;
}

TEST_F(CliTest, ListNewestFirstAndPaging) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(submit_three());
    ASSERT_FALSE(ids.back().empty());
    emulator_->advance(seconds(1));
  }
  const std::vector<std::string> newest_first(ids.rbegin(), ids.rend());
  auto ids_in = [](const std::string& out, bool header) {
    std::vector<std::string> found;
    auto lines = lines_of(out);
    for (std::size_t i = header ? 1 : 0; i < lines.size(); ++i) {
      if (lines[i].rfind("msgbatch_", 0) == 0)
        found.push_back(lines[i].substr(0, lines[i].find(' ')));
    }
    return found;
  };

  Outcome r = run({"list"});
  EXPECT_EQ(r.code, 0) << r;
  auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 4u) << r;
  EXPECT_TRUE(std::regex_match(lines[0], std::regex(R"(ID\s+STATUS\s+COUNT\s+CREATED)"))) << r;
  EXPECT_TRUE(
      std::regex_match(lines[1], std::regex(R"(msgbatch_\w+\s+in_progress\s+3\s+\d{4}-.*Z)")))
      << r;
  EXPECT_EQ(ids_in(r.out, true), newest_first) << r;

  r = run({"list", "--limit", "1"});
  EXPECT_EQ(r.code, 0) << r;
  lines = lines_of(r.out);
  EXPECT_EQ(ids_in(r.out, true), std::vector<std::string>{newest_first[0]}) << r;
  EXPECT_EQ(lines.size(), 2u) << r;  // the hint goes to standard error, out of a pipe's way
  EXPECT_TRUE(contains(r.err, "(more: use --all)")) << r;

  // --all walks every page of one batch each.
  auto before = emulator_->stats().requests;
  r = run({"list", "--limit", "1", "--all"});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(ids_in(r.out, true), newest_first) << r;
  EXPECT_FALSE(contains(r.out, "(more")) << r;
  EXPECT_GE(emulator_->stats().requests - before, 3u);

  r = run({"--json", "list", "--limit", "1", "--all"});
  EXPECT_EQ(r.code, 0) << r;
  std::vector<std::string> json_ids;
  for (const auto& line : lines_of(r.out)) {
    json j = json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    json_ids.push_back(j.at("id").get<std::string>());
    EXPECT_EQ(j["type"], "message_batch");
    EXPECT_EQ(j["request_counts"]["processing"], 3);
  }
  EXPECT_EQ(json_ids, newest_first);

  r = run({"list", "--json", "--limit", "2"});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(lines_of(r.out).size(), 2u) << r;  // no "(more" hint in JSON output
}

TEST_F(CliTest, JsonOutputsParse) {
  Outcome r = run({"--json", "submit", three_requests()});
  EXPECT_EQ(r.code, 0) << r;
  json created = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(created.is_discarded()) << r;
  const std::string id = created.at("id").get<std::string>();
  EXPECT_EQ(created["type"], "message_batch");
  EXPECT_EQ(created["processing_status"], "in_progress");
  EXPECT_EQ(created["request_counts"]["processing"], 3);
  EXPECT_TRUE(created["ended_at"].is_null());

  r = run({"status", id, "--json"});
  EXPECT_EQ(r.code, 0) << r;
  json status = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(status.is_discarded()) << r;
  EXPECT_EQ(status["id"], id);
  for (const char* key : {"created_at", "expires_at", "ended_at", "cancel_initiated_at",
                          "archived_at", "results_url"}) {
    EXPECT_TRUE(status.contains(key)) << key;
  }

  r = run({"--json", "cancel", id});
  EXPECT_EQ(r.code, 0) << r;
  json canceled = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(canceled.is_discarded()) << r;
  EXPECT_EQ(canceled["processing_status"], "canceling");

  emulator_->advance(kProcessing);
  r = run({"--json", "status", id});
  EXPECT_EQ(json::parse(r.out)["results_url"].get<std::string>().rfind("http://", 0), 0u) << r;

  // results -o with --json: the summary is JSON too.
  const std::string out_path = path("out.jsonl");
  r = run({"--json", "results", id, "-o", out_path});
  EXPECT_EQ(r.code, 0) << r;
  json summary = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(summary.is_discarded()) << r;
  EXPECT_EQ(summary["results"], 3);
  EXPECT_EQ(summary["by_type"]["canceled"], 3);
  EXPECT_EQ(summary["output"], out_path);
  EXPECT_EQ(lines_of(read_file(out_path)).size(), 3u);

  r = run({"--json", "delete", id});
  EXPECT_EQ(r.code, 0) << r;
  json deleted = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(deleted.is_discarded()) << r;
  EXPECT_EQ(deleted, (json{{"id", id}, {"type", "message_batch_deleted"}}));
}

TEST_F(CliTest, EmulatorFlagSubmitWaitWritesResults) {
  // No usable credentials or URL in the environment: --emulator needs none and ignores them.
  Env e = bare_env();
  e["ANTHROPIC_API_KEY"] = "sk-ant-not-this-one";
  e["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:1";
  std::string content;
  for (int i = 0; i < 5; ++i) {
    content += request_line("item-" + std::to_string(i), "text " + std::to_string(i)) + "\n";
  }
  const std::string file = write("five.jsonl", content);
  const std::string out_path = path("five-results.jsonl");
  Outcome r = run({"--emulator", "submit", file, "--wait", "-o", out_path}, e, seconds(60));
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.err, "(using an in-process emulator at http://127.0.0.1:")) << r;
  auto lines = lines_of(r.out);
  ASSERT_GE(lines.size(), 3u) << r;
  EXPECT_TRUE(std::regex_match(
      lines.front(), std::regex(R"(created msgbatch_\w+ with 5 requests \(in_progress\))")))
      << r;
  EXPECT_TRUE(contains(r.out, " ended: processing=0 succeeded=5 ")) << r;
  EXPECT_EQ(lines.back(), "5 results succeeded=5 written to " + out_path) << r;
  std::vector<std::string> ids;
  for (const auto& line : lines_of(read_file(out_path))) {
    ids.push_back(json::parse(line).at("custom_id").get<std::string>());
  }
  std::sort(ids.begin(), ids.end());  // the emulator writes results in no particular order
  EXPECT_EQ(ids, (std::vector<std::string>{"item-0", "item-1", "item-2", "item-3", "item-4"}));
  EXPECT_EQ(emulator_->stats().requests, 0u);  // the fixture's emulator was not involved

  // Its state lives only as long as the command.
  r = run({"--emulator", "--json", "list"}, bare_env());
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.out, "") << r;
  EXPECT_EQ(r.err, "") << r;  // the notice is not printed with --json
}

// ------------------------------------------------------------------------------------------
// Bad input files: exit 1, FILE:LINE in the message, and nothing sent

struct BadFile {
  const char* name;
  std::string content;
  std::string message;  // after "anthropic-batch: <path>"
};

class CliBadInputTest : public CliTest, public ::testing::WithParamInterface<BadFile> {};

TEST_P(CliBadInputTest, ExitsOneNamingFileAndLine) {
  const BadFile& c = GetParam();
  const std::string file = write(std::string(c.name) + ".jsonl", c.content);
  Outcome r = run({"submit", file});
  expect_failure(r, "anthropic-batch: " + file + c.message);
  EXPECT_EQ(lines_of(r.err).size(), 1u) << r;
  EXPECT_EQ(emulator_->stats().requests, 0u);
  EXPECT_EQ(emulator_->batch_count(), 0u);

  // The same from standard input, named <stdin>.
  r = run({"submit", "-"}, env(), kDefaultTimeout, file);
  expect_failure(r, "anthropic-batch: <stdin>" + c.message);
  EXPECT_EQ(emulator_->stats().requests, 0u);
}

const std::string kGood1 = request_line("good-1", "a");
const std::string kGood2 = request_line("good-2", "b");

INSTANTIATE_TEST_SUITE_P(
    Files, CliBadInputTest,
    ::testing::Values(
        BadFile{"malformed", kGood1 + "\n" + kGood2 + "\n{\"custom_id\": \"c\", \"params\": {\n",
                ":3: malformed JSON"},
        BadFile{"trailing_garbage", kGood1 + " x\n", ":1: malformed JSON"},
        BadFile{"unknown_key",
                kGood1 + "\n" + R"({"custom_id":"c","params":{},"metadata":{"a":1}})" + "\n",
                ":2: metadata: Extra inputs are not permitted"},
        BadFile{"duplicate",
                kGood1 + "\n\n" + kGood2 + "\n" + request_line("good-1", "again") + "\n",
                ":4: requests[2].custom_id \"good-1\" is used by an earlier request"},
        BadFile{"invalid_custom_id", kGood1 + "\n" + request_line("has space", "a") + "\n",
                ":2: requests[1].custom_id \"has space\" must be 1 to 64 characters"},
        BadFile{"long_custom_id", request_line(std::string(65, 'x'), "a") + "\n",
                ":1: requests[0].custom_id"},
        BadFile{"empty_custom_id",
                R"({"custom_id":"","params":{}})"
                "\n",
                ":1: requests[0].custom_id \"\" must be 1 to 64 characters"},
        BadFile{"params_array", kGood1 + "\n" + R"({"custom_id":"x","params":[1,2]})" + "\n",
                ":2: \"params\" must be a JSON object"},
        BadFile{"params_string",
                R"({"custom_id":"x","params":"hi"})"
                "\n",
                ":1: \"params\" must be a JSON object"},
        BadFile{"params_missing",
                R"({"custom_id":"x"})"
                "\n",
                ":1: \"params\" must be a JSON object"},
        BadFile{"custom_id_missing",
                "\n\n"
                R"({"params":{}})"
                "\n",
                ":3: missing \"custom_id\""},
        BadFile{"custom_id_number",
                R"({"custom_id":7,"params":{}})"
                "\n",
                ":1: missing \"custom_id\""},
        BadFile{"not_an_object", "[1,2]\n", ":1: expected a JSON object"},
        // The params are read as the typed request: the members the API requires, their kinds.
        BadFile{"params_lack_max_tokens",
                kGood1 + "\n" +
                    R"({"custom_id":"x","params":{"model":"m","messages":[]}})"
                    "\n",
                ":2: requests[1].params: `max_tokens` is missing"},
        BadFile{"params_text_max_tokens",
                R"({"custom_id":"x","params":{"model":"m","max_tokens":"1","messages":[]}})"
                "\n",
                ":1: requests[0].params: `max_tokens` is not an integer"},
        BadFile{"empty", "", ": no requests in the file"},
        BadFile{"blank_lines_only", "\n  \n\t\r\n", ": no requests in the file"}),
    [](const ::testing::TestParamInfo<BadFile>& p) { return std::string(p.param.name); });

TEST_F(CliTest, MissingInputFileExitsOne) {
  const std::string missing = path("does-not-exist.jsonl");
  Outcome r = run({"submit", missing});
  expect_failure(r, "anthropic-batch: " + missing + ": cannot open: No such file or directory");
  EXPECT_EQ(emulator_->stats().requests, 0u);
}

// ------------------------------------------------------------------------------------------
// Output files that appear complete or not at all; Ctrl-C (SIGINT) and SIGTERM

/// The names in `dir`, sorted: proves that no temporary file was left behind.
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// One results line as the API sends it.
std::string result_line(int i) {
  return json{{"custom_id", "req-" + std::to_string(i)},
              {"result",
               {{"type", "succeeded"},
                {"message",
                 {{"id", "msg_" + std::to_string(i)},
                  {"type", "message"},
                  {"role", "assistant"},
                  {"model", "claude-test"},
                  {"content", json::array({{{"type", "text"}, {"text", "hello"}}})},
                  {"stop_reason", "end_turn"},
                  {"stop_sequence", nullptr},
                  {"usage", {{"input_tokens", 1}, {"output_tokens", 1}}}}}}}}
      .dump();
}

/// Waits (up to 30 s) for the peer to close `fd`: a server that has said all it will say.
void hold_until_peer_closes(int fd) {
  char buf[4096];
  auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0 && ::recv(fd, buf, sizeof buf, 0) <= 0) return;
  }
}

/// How a raw results server cuts its body in the middle of the third line.
enum class Cut { kShortContentLength, kUnterminatedChunks, kCloseDelimited };

std::string cut_response(Cut cut) {
  const std::string whole = result_line(1) + "\n" + result_line(2) + "\n" + result_line(3) + "\n";
  const std::string sent = whole.substr(0, whole.size() - 40);  // mid-way through line 3
  const std::string head = "HTTP/1.1 200 OK\r\ncontent-type: application/x-jsonl\r\n";
  switch (cut) {
    case Cut::kShortContentLength:  // a transport failure: fewer bytes than announced
      return head + "content-length: " + std::to_string(whole.size()) + "\r\n\r\n" + sent;
    case Cut::kUnterminatedChunks: {  // a transport failure: no last chunk
      std::ostringstream hex;
      hex << std::hex << sent.size();
      return head + "transfer-encoding: chunked\r\n\r\n" + hex.str() + "\r\n" + sent + "\r\n";
    }
    case Cut::kCloseDelimited:  // HTTP sees a complete body; only the fragment gives it away
      return head + "connection: close\r\n\r\n" + sent;
  }
  return "";
}

TEST_F(CliTest, ResultsCutMidLineExitsNonZeroAndLeavesNoFile) {
  for (Cut cut : {Cut::kShortContentLength, Cut::kUnterminatedChunks, Cut::kCloseDelimited}) {
    for (bool retries : {false, true}) {
      SCOPED_TRACE("cut " + std::to_string(static_cast<int>(cut)) +
                   (retries ? ", default retries" : ", --max-retries 0"));
      // Every connection gets the same cut body, so a download that resumes or restarts fails
      // again, up to the retry budget.
      anthropic::testing::RawServer server([cut](int fd) {
        anthropic::testing::RawServer::read_request(fd);
        anthropic::testing::RawServer::write_all(fd, cut_response(cut));
      });
      Env e = env();
      e["ANTHROPIC_BASE_URL"] = server.base_url();
      const std::string out_path = path("cut.jsonl");
      std::vector<std::string> args = {"results", "msgbatch_cut", "-o", out_path};
      if (!retries) args.insert(args.begin(), {"--max-retries", "0"});
      const auto before = names_in(dir_);
      Outcome r = run(args, e, seconds(90));
      // A transfer cut short is a network failure; a close that HTTP sees as a complete body
      // leaves a fragment, which is corrupt data.
      const int expected_code = cut == Cut::kCloseDelimited ? 1 : 5;
      EXPECT_EQ(r.code, expected_code) << r;
      EXPECT_FALSE(r.signaled) << r;
      EXPECT_EQ(r.out, "") << r;
      EXPECT_FALSE(fs::exists(out_path)) << r;
      EXPECT_EQ(names_in(dir_), before) << "a temporary file was left behind\n" << r;
      EXPECT_GE(server.connections(), 1);
      if (!retries && cut != Cut::kCloseDelimited) {
        EXPECT_EQ(server.connections(), 1) << r;
      }

      // A file that was there before is left as it was: the rename never happened.
      const std::string kept = write("kept.jsonl", "the previous results\n");
      args[args.size() - 1] = kept;
      r = run(args, e, seconds(90));
      EXPECT_EQ(r.code, expected_code) << r;
      EXPECT_EQ(read_file(kept), "the previous results\n") << r;
      fs::remove(kept);
      EXPECT_EQ(names_in(dir_), before) << r;
    }
  }
}

TEST_F(CliTest, ResultsToFileLeavesOnlyTheFile) {
  const std::string id = submit_three();
  ASSERT_FALSE(id.empty());
  emulator_->advance(kProcessing);
  const auto before = names_in(dir_);
  const std::string out_path = path("complete.jsonl");
  Outcome r = run({"results", id, "-o", out_path});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(lines_of(read_file(out_path)).size(), 3u);
  auto expected = before;
  expected.push_back("complete.jsonl");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(names_in(dir_), expected);

  // Replacing an existing file works the same way.
  r = run({"results", id, "-o", out_path});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(lines_of(read_file(out_path)).size(), 3u);
  EXPECT_EQ(names_in(dir_), expected);

  // An unwritable FILE fails before the download.
  const auto requests = emulator_->stats().requests;
  expect_failure(run({"results", id, "-o", dir_.string()}), "cannot write " + dir_.string());
  EXPECT_EQ(emulator_->stats().requests, requests);
}

/// Waits (up to 10 s) until `pid` blocks `signal`, which the CLI does first thing in main: a
/// signal sent before that (a slow start under a sanitizer) would kill it by its default action.
void wait_until_blocked(pid_t pid, int signal) {
  const auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("SigBlk:", 0) != 0) continue;
      const unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
      if ((mask >> (signal - 1)) & 1u) return;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
}

/// Sends `signal` to `child` (once it blocks it) and returns how long it took to exit, with its
/// outcome.
std::pair<Outcome, milliseconds> interrupt(Child& child, int signal) {
  wait_until_blocked(child.pid(), signal);
  auto sent = std::chrono::steady_clock::now();
  ::kill(child.pid(), signal);
  Outcome r = child.finish(seconds(30));
  return {r, std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - sent)};
}

void expect_interrupted(const Outcome& r, milliseconds took) {
  EXPECT_FALSE(r.signaled) << "the signal killed the program instead of stopping it\n" << r;
  EXPECT_EQ(r.code, 130) << r;
  EXPECT_TRUE(contains(r.err, "anthropic-batch: interrupted")) << r;
  // "Within a second"; the bound is generous for sanitizer builds on a loaded machine.
  EXPECT_LT(took, seconds(5)) << r;
  std::cout << "[ measured ] stopped " << took.count() << " ms after the signal\n";
}

TEST_F(CliTest, WatchStopsOnSigintAndSigterm) {
  const std::string id = submit_three();
  ASSERT_FALSE(id.empty());
  for (int signal : {SIGINT, SIGTERM}) {
    SCOPED_TRACE(signal == SIGINT ? "SIGINT" : "SIGTERM");
    // A long interval: the signal arrives during the wait between polls.
    Child watch({"watch", id, "--interval-ms", "20000"}, env());
    ASSERT_TRUE(watch.wait_for_output([](const std::string& out) { return contains(out, "\n"); },
                                      kDefaultTimeout))
        << watch.out();
    std::this_thread::sleep_for(milliseconds(200));
    auto [r, took] = interrupt(watch, signal);
    expect_interrupted(r, took);
  }
  // The batch itself is not touched.
  Outcome r = run({"--json", "status", id});
  EXPECT_EQ(json::parse(r.out)["processing_status"], "in_progress") << r;
}

// `run` on Ctrl-C: the batches keep running (the default without a terminal), are cancelled
// (--on-interrupt cancel), or the user is asked on a terminal; the same command then resumes.
TEST_F(CliTest, RunStopsOnSignalLeavingCancellingOrAskingAndResumes) {
  const std::string input = three_requests();
  struct Case {
    std::string name;
    std::vector<std::string> extra;
    bool terminal;
    std::string status;   // of the batches afterwards
    std::string message;  // on stderr
  };
  const std::vector<Case> cases = {
      {"leave", {}, false, "in_progress", "the job's batches keep running"},
      {"cancel", {"--on-interrupt", "cancel"}, false, "canceling", "were asked to cancel"},
      {"ask", {}, true, "canceling", "asked to cancel 2 batches"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> args = {"run",
                                     input,
                                     "-o",
                                     path(c.name + ".jsonl"),
                                     "--state",
                                     path(c.name + ".state"),
                                     "--max-requests-per-batch",
                                     "2",
                                     "--poll-interval-ms",
                                     "20000"};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    int master = -1;
    std::string stdin_path = "/dev/null";
    if (c.terminal) {
      master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
      ASSERT_GE(master, 0);
      ASSERT_EQ(::grantpt(master), 0);
      ASSERT_EQ(::unlockpt(master), 0);
      stdin_path = ::ptsname(master);
    }
    Child job(args, env(), stdin_path);
    auto created_twice = [](const std::string&, const std::string& err) {
      std::size_t n = 0;
      for (auto at = err.find("created msgbatch_"); at != std::string::npos;
           at = err.find("created msgbatch_", at + 1)) {
        ++n;
      }
      return n == 2;
    };
    ASSERT_TRUE(job.wait_for(created_twice, kDefaultTimeout));
    wait_until_blocked(job.pid(), SIGINT);
    ::kill(job.pid(), SIGINT);
    if (c.terminal) {
      ASSERT_TRUE(job.wait_for(
          [](const std::string&, const std::string& err) { return contains(err, "[y/N]"); },
          kDefaultTimeout));
      ASSERT_EQ(::write(master, "y\n", 2), 2);
    }
    Outcome r = job.finish(kDefaultTimeout);
    if (master >= 0) ::close(master);
    EXPECT_EQ(r.code, 130) << r;
    EXPECT_TRUE(contains(r.err, c.message)) << r;
    EXPECT_TRUE(contains(r.err, "run the same command to resume the job")) << r;
    std::smatch m;
    std::string err = r.err;
    std::regex created("created (msgbatch_\\w+)");
    int checked = 0;
    for (auto it = std::sregex_iterator(err.begin(), err.end(), created);
         it != std::sregex_iterator(); ++it, ++checked) {
      Outcome status = run({"--json", "status", (*it)[1]});
      EXPECT_EQ(json::parse(status.out)["processing_status"], c.status) << status;
    }
    EXPECT_EQ(checked, 2) << r;
  }
  // Every job resumes with the same command once its batches end.
  emulator_->advance(std::chrono::minutes(2));
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Outcome r = run({"run", input, "-o", path(c.name + ".jsonl"), "--state",
                     path(c.name + ".state"), "--max-requests-per-batch", "2"});
    EXPECT_EQ(r.code, 0) << r;
    EXPECT_EQ(lines_of(read_file(dir_ / (c.name + ".jsonl"))).size(), 3u) << r;
  }
}

TEST_F(CliTest, ResultsStopOnSignalAndLeaveNoFile) {
  for (int signal : {SIGINT, SIGTERM}) {
    SCOPED_TRACE(signal == SIGINT ? "SIGINT" : "SIGTERM");
    // Two whole lines, then a server that stalls with the connection open.
    std::atomic<bool> sent{false};
    anthropic::testing::RawServer server([&sent](int fd) {
      anthropic::testing::RawServer::read_request(fd);
      const std::string body = result_line(1) + "\n" + result_line(2) + "\n";
      std::ostringstream hex;
      hex << std::hex << body.size();
      anthropic::testing::RawServer::write_all(
          fd,
          "HTTP/1.1 200 OK\r\ncontent-type: application/x-jsonl\r\n"
          "transfer-encoding: chunked\r\n\r\n" +
              hex.str() + "\r\n" + body + "\r\n");
      sent = true;
      hold_until_peer_closes(fd);
    });
    Env e = env();
    e["ANTHROPIC_BASE_URL"] = server.base_url();
    const auto before = names_in(dir_);
    const std::string out_path = path("stalled.jsonl");
    Child results({"results", "msgbatch_stalled", "-o", out_path}, e);
    auto deadline = std::chrono::steady_clock::now() + kDefaultTimeout;
    while (!sent && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(10));
    }
    ASSERT_TRUE(sent);
    std::this_thread::sleep_for(milliseconds(300));  // the two lines are read and written
    auto [r, took] = interrupt(results, signal);
    expect_interrupted(r, took);
    EXPECT_EQ(r.out, "") << r;
    EXPECT_FALSE(fs::exists(out_path)) << r;
    EXPECT_EQ(names_in(dir_), before) << "a temporary file was left behind\n" << r;
  }
}

TEST_F(CliTest, SubmitWaitPrintsTheBatchIdAndStopsOnSignal) {
  for (int signal : {SIGINT, SIGTERM}) {
    SCOPED_TRACE(signal == SIGINT ? "SIGINT" : "SIGTERM");
    const std::string file = three_requests();
    const auto before = names_in(dir_);
    const std::string out_path = path("waited.jsonl");
    Child submit({"submit", file, "--wait", "-o", out_path}, env());
    std::string id;
    ASSERT_TRUE(submit.wait_for(
        [&id](const std::string&, const std::string& err) {
          std::smatch m;
          if (!std::regex_search(err, m, std::regex(R"(created (msgbatch_[A-Za-z0-9]+))"))) {
            return false;
          }
          id = m[1];
          return true;
        },
        kDefaultTimeout));
    std::this_thread::sleep_for(milliseconds(300));  // waiting now
    auto [r, took] = interrupt(submit, signal);
    expect_interrupted(r, took);
    // The id was on standard error as soon as the batch existed, and again in the last words.
    EXPECT_TRUE(contains(r.err, "anthropic-batch: created " + id + "; waiting for it to end")) << r;
    EXPECT_TRUE(contains(r.err, "batch " + id + " was created and keeps running")) << r;
    EXPECT_FALSE(fs::exists(out_path)) << r;
    EXPECT_EQ(names_in(dir_), before) << r;
    Outcome status = run({"--json", "status", id});
    EXPECT_EQ(json::parse(status.out)["processing_status"], "in_progress") << status;
  }
}

TEST_F(CliTest, SubmitReadingStandardInputStopsOnSignal) {
  // A FIFO that stays open with nothing written: the program blocks reading its input, where no
  // cancellation token reaches.
  const std::string fifo = path("input.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int writer = ::open(fifo.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(writer, 0);
  Child submit({"submit", "-"}, env(), fifo);
  std::this_thread::sleep_for(milliseconds(500));
  auto [r, took] = interrupt(submit, SIGINT);
  ::close(writer);
  expect_interrupted(r, took);
  EXPECT_EQ(r.out, "") << r;
  EXPECT_EQ(emulator_->stats().requests, 0u);
}

TEST_F(CliTest, SubmitWaitChecksTheOutputPathBeforeCreatingABatch) {
  const std::string file = three_requests();
  for (const std::string& bad : {path("no/such/dir/out.jsonl"), dir_.string()}) {
    SCOPED_TRACE(bad);
    Outcome r = run({"submit", file, "--wait", "-o", bad});
    expect_failure(r, "cannot write " + bad);
    EXPECT_EQ(emulator_->batch_count(), 0u);
    EXPECT_EQ(emulator_->stats().requests, 0u);
  }
}

TEST_F(CliTest, InvalidBaseUrlDoesNotEchoItsPassword) {
  const std::string url = "http://user:PASSWORD@host/x y";
  Env from_env = env();
  from_env["ANTHROPIC_BASE_URL"] = url;
  for (const auto& [args, e] : std::vector<std::pair<std::vector<std::string>, Env>>{
           {{"--base-url", url, "list"}, env()}, {{"status", "msgbatch_x"}, from_env}}) {
    Outcome r = run(args, e);
    EXPECT_EQ(r.code, 2) << r;
    EXPECT_TRUE(contains(r.err, "base_url must be an http:// or https:// URL")) << r;
    EXPECT_TRUE(contains(r.err, "\"http://host/x y\"")) << r;
    EXPECT_FALSE(contains(r.err, "PASSWORD")) << r;
    EXPECT_FALSE(contains(r.out, "PASSWORD")) << r;
  }
}

TEST_F(CliTest, UserInfoInAValidBaseUrlStaysOutOfErrorsAndLogs) {
  // Accepted as a base URL; neither a transport error nor a debug log line may show the password.
  const int port = anthropic::testing::closed_port();
  Env e = env();
  e["ANTHROPIC_LOG"] = "debug";
  Outcome r = run({"--max-retries", "0", "--base-url",
                   "http://user:PASSWORD@127.0.0.1:" + std::to_string(port), "list"},
                  e);
  EXPECT_EQ(r.code, 5) << r;  // network
  EXPECT_TRUE(contains(r.err, "127.0.0.1:" + std::to_string(port))) << r;
  EXPECT_FALSE(contains(r.err, "PASSWORD")) << r;

  // The same against a server that answers, with every request logged.
  const std::string id = submit_three();
  ASSERT_FALSE(id.empty());
  std::string url = emulator_->base_url();
  url.insert(std::string("http://").size(), "user:PASSWORD@");
  r = run({"--base-url", url, "status", id}, e);
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_FALSE(r.err.empty()) << "expected debug log lines\n" << r;
  EXPECT_FALSE(contains(r.err, "PASSWORD")) << r;
  EXPECT_FALSE(contains(r.out, "PASSWORD")) << r;
}

// --- run: batch jobs -----------------------------------------------------------------------------

class CliJobTest : public CliTest {
 protected:
  EmulatorOptions emulator_options() const override {
    EmulatorOptions options;
    options.processing_time = milliseconds(100);  // real time: the job polls until they end
    options.keep_alive_timeout = seconds(0);
    return options;
  }

  std::string thirty_requests() const {
    std::string content;
    for (int i = 0; i < 30; ++i) content += request_line("q-" + std::to_string(i), "hi") + "\n";
    return write("job.jsonl", content);
  }

  std::vector<std::string> run_args(const std::string& input) const {
    return {"run",
            input,
            "-o",
            path("out.jsonl"),
            "--state",
            path("state"),
            "--max-requests-per-batch",
            "10",
            "--max-in-flight",
            "2",
            "--poll-interval-ms",
            "100",
            "--lost-create-wait-ms",
            "300"};
  }

  /// custom_id → how many lines of OUT carry it.
  std::map<std::string, int> output_ids() const {
    std::map<std::string, int> ids;
    for (const auto& line : lines_of(read_file(dir_ / "out.jsonl"))) {
      ++ids[json::parse(line).at("custom_id").get<std::string>()];
    }
    return ids;
  }
};

TEST_F(CliJobTest, RunSplitsTheFileAndWritesEveryResultOnceWithASummary) {
  Outcome r = run(run_args(thirty_requests()));
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.out, "30 requests: 30 succeeded, 0 errored, 0 expired, 0 canceled")) << r;
  EXPECT_TRUE(contains(r.out, "batches: 3 (0 requests sent again)")) << r;
  EXPECT_TRUE(contains(r.err, "created msgbatch_")) << r;
  EXPECT_EQ(emulator_->batch_count(), 3u);
  auto ids = output_ids();
  EXPECT_EQ(ids.size(), 30u);
  for (const auto& [id, n] : ids) EXPECT_EQ(n, 1) << id;

  // Run again when it is done: nothing new is created, the output is unchanged.
  const std::string before = read_file(dir_ / "out.jsonl");
  Outcome again = run(run_args(path("job.jsonl")));
  EXPECT_EQ(again.code, 0) << again;
  EXPECT_EQ(emulator_->batch_count(), 3u);
  EXPECT_EQ(read_file(dir_ / "out.jsonl"), before);
}

TEST_F(CliJobTest, RunOrderedWritesTheResultsInTheInputsOrderAndResumesOnlyOrdered) {
  const std::string input = thirty_requests();
  auto args = run_args(input);
  args.push_back("--ordered");
  Outcome r = run(args);
  ASSERT_EQ(r.code, 0) << r;
  std::vector<std::string> ids;
  for (const auto& line : lines_of(read_file(dir_ / "out.jsonl"))) {
    ids.push_back(json::parse(line).at("custom_id").get<std::string>());
  }
  std::vector<std::string> expected;
  for (int i = 0; i < 30; ++i) expected.push_back("q-" + std::to_string(i));
  EXPECT_EQ(ids, expected);  // the emulator answers each batch shuffled
  EXPECT_FALSE(fs::exists(dir_ / "state" / "parts"));
  // The same state without --ordered is refused, as a usage of another job would be.
  Outcome unordered = run(run_args(input));
  EXPECT_NE(unordered.code, 0) << unordered;
  EXPECT_TRUE(contains(unordered.err, "--ordered")) << unordered;
}

TEST_F(CliJobTest, RunKilledWithSigkillAtManyPointsResumesWithNoBatchTwiceAndNoResultLost) {
  const std::string input = thirty_requests();
  for (const std::string point :
       {"validated:1", "intent:2", "sent:1", "sent:3", "created:2", "polled:2", "collecting:2",
        "result:5", "result:24", "collected:1", "collected:3"}) {
    SCOPED_TRACE(point);
    fs::remove_all(dir_ / "state");
    fs::remove(dir_ / "out.jsonl");
    // A fresh emulator: the batches of the last round (same size, same custom ids, minutes old)
    // would make a lost create ambiguous, which the job rightly refuses to guess.
    emulator_->stop();
    emulator_ = std::make_unique<Emulator>(emulator_options());
    emulator_->start();
    Env killed = env();
    killed["ANTHROPIC_BATCH_TEST_KILL_AT"] = point;
    Outcome r = run(run_args(input), killed);
    ASSERT_TRUE(r.signaled) << r;
    EXPECT_EQ(r.code, 128 + SIGKILL) << r;
    Outcome resumed = run(run_args(input));
    ASSERT_EQ(resumed.code, 0) << resumed;
    EXPECT_EQ(emulator_->batch_count(), 3u) << "a part was created twice\n" << resumed;
    auto ids = output_ids();
    EXPECT_EQ(ids.size(), 30u);
    for (const auto& [id, n] : ids) EXPECT_EQ(n, 1) << id;
    if (point.rfind("sent", 0) == 0) {
      EXPECT_TRUE(contains(resumed.err, "adopted msgbatch_")) << resumed;
    }
  }
}

TEST_F(CliJobTest, RunWithABadLineCreatesNothingAndNamesTheLine) {
  const std::string input =
      write("bad.jsonl", request_line("a", "x") + "\n" + request_line("b", "x") + "\n" +
                             request_line("a", "again") + "\n");
  Outcome r = run(run_args(input));
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_TRUE(contains(r.err, input + ":3: duplicate custom_id \"a\" (first used on line 1)")) << r;
  EXPECT_EQ(emulator_->stats().requests, 0u);
  EXPECT_FALSE(fs::exists(dir_ / "out.jsonl") && fs::file_size(dir_ / "out.jsonl") > 0);

  Outcome no_output = run({"run", input});
  EXPECT_EQ(no_output.code, 2) << no_output;
  EXPECT_TRUE(contains(no_output.err, "run needs -o OUT")) << no_output;
}

TEST_F(CliJobTest, RunJsonPrintsOneEventPerLineAndTheSummaryLast) {
  auto args = run_args(thirty_requests());
  args.push_back("--json");
  Outcome r = run(args);
  ASSERT_EQ(r.code, 0) << r;
  auto lines = lines_of(r.out);
  ASSERT_FALSE(lines.empty()) << r;
  std::map<std::string, int> events;
  for (const auto& line : lines) ++events[json::parse(line).at("event").get<std::string>()];
  EXPECT_EQ(events["created"], 3) << r;
  EXPECT_EQ(events["collected"], 3) << r;
  json summary = json::parse(lines.back());
  EXPECT_EQ(summary["event"], "summary");
  EXPECT_EQ(summary["requests"], 30);
  EXPECT_EQ(summary["succeeded"], 30);
  EXPECT_EQ(summary["batch_ids"].size(), 3u);
}

TEST_F(CliJobTest, SubmitWaitExitsOneWhenEveryRequestErroredUnlessAllowed) {
  const std::string file =
      write("all-bad.jsonl", request_line("x-1", "a", false) + "\n" +
                                 request_line("x-2", "b", false) + "\n");  // max_tokens 0: errored
  Outcome r = run({"submit", file, "--wait", "-o", path("bad-results.jsonl")});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_TRUE(contains(r.err, "ended errored (see the results; --allow-errors accepts this)")) << r;
  EXPECT_TRUE(fs::exists(path("bad-results.jsonl"))) << "the results are kept to look at";
  Outcome allowed =
      run({"submit", file, "--wait", "-o", path("bad-results-2.jsonl"), "--allow-errors"});
  EXPECT_EQ(allowed.code, 0) << allowed;
}

// --- what users of gh, aws and kubectl expect ------------------------------------------------

TEST_F(CliTest, VersionHelpCommandAndDidYouMean) {
  Outcome v = run({"--version"}, bare_env());
  EXPECT_EQ(v.code, 0) << v;
  EXPECT_TRUE(std::regex_match(v.out, std::regex("anthropic-batch [0-9]+\\.[0-9]+\\.[0-9]+\n")))
      << v;

  Outcome h = run({"help", "submit"}, bare_env());
  EXPECT_EQ(h.code, 0) << h;
  EXPECT_EQ(h.out.rfind("usage: anthropic-batch submit FILE", 0), 0u) << h;
  EXPECT_TRUE(contains(h.out, R"({"custom_id": "q-1", "params": {"model": )")) << h;
  EXPECT_TRUE(contains(h.out, "global options")) << h;
  for (const std::string command : {"status", "run", "list"}) {
    Outcome c = run({command, "--help"}, bare_env());
    EXPECT_TRUE(contains(c.out, "global options")) << c;
    EXPECT_TRUE(contains(c.out, "--api-key KEY")) << c;
  }
  Outcome main_help = run({"help"}, bare_env());
  EXPECT_EQ(main_help.out.rfind("usage: anthropic-batch [options]", 0), 0u) << main_help;
  expect_usage_error(run({"help", "nope"}, bare_env()), "no help for \"nope\"");
  expect_usage_error(run({"stauts", "x"}, bare_env()),
                     "unknown command \"stauts\"; did you mean \"status\"?");
  expect_usage_error(run({"lsit"}, bare_env()), "did you mean \"list\"?");
  Outcome far = run({"frobnicate"}, bare_env());
  EXPECT_FALSE(contains(far.err, "did you mean")) << far;
}

TEST_F(CliTest, ExitCodesTellNotFoundAuthenticationAndNetworkApart) {
  EXPECT_EQ(run({"status", "msgbatch_none"}).code, 3);
  Env wrong = env();
  wrong["ANTHROPIC_API_KEY"] = "sk-ant-wrong";
  EXPECT_EQ(run({"list"}, wrong).code, 4);
  Env down = env();
  down["ANTHROPIC_BASE_URL"] =
      "http://127.0.0.1:" + std::to_string(anthropic::testing::closed_port());
  EXPECT_EQ(run({"--max-retries", "0", "list"}, down).code, 5);
}

TEST_F(CliTest, ErrorsAreJsonUnderJson) {
  Outcome r = run({"--json", "status", "msgbatch_none"});
  EXPECT_EQ(r.code, 3) << r;
  json error = json::parse(r.err, nullptr, false);
  ASSERT_FALSE(error.is_discarded()) << r;
  EXPECT_EQ(error["error"]["type"], "not_found") << r;
  EXPECT_EQ(error["error"]["status"], 404) << r;
  EXPECT_EQ(error["error"]["exit_code"], 3) << r;
  EXPECT_TRUE(contains(error["error"]["message"].get<std::string>(), "not_found_error")) << r;

  Outcome usage = run({"list", "--json", "--limit", "0"});
  EXPECT_EQ(usage.code, 2) << usage;
  json u = json::parse(usage.err, nullptr, false);
  ASSERT_FALSE(u.is_discarded()) << usage;
  EXPECT_EQ(u["error"]["type"], "usage_error");
}

}  // namespace
