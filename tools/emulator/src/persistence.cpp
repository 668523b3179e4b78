#include "persistence.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace anthropic::internal::emulator {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kFormatVersion = 1;

[[noreturn]] void fail(const std::string& what, const std::string& path, int err) {
  throw std::runtime_error("emulator: " + what + " " + path + ": " + std::strerror(err));
}

void fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("cannot open directory", dir, errno);
  ::fsync(fd);  // best effort: some file systems refuse fsync on directories
  ::close(fd);
}

/// Buffered writer on a file descriptor.
class FdWriter {
 public:
  FdWriter(int fd, std::string path) : fd_(fd), path_(std::move(path)) { buf_.reserve(1 << 16); }
  void write(const std::string& s) {
    buf_ += s;
    if (buf_.size() >= (1 << 16)) flush();
  }
  void flush() {
    std::size_t off = 0;
    while (off < buf_.size()) {
      ssize_t n = ::write(fd_, buf_.data() + off, buf_.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        fail("cannot write", path_, errno);
      }
      off += static_cast<std::size_t>(n);
    }
    buf_.clear();
  }

 private:
  int fd_;
  std::string path_;
  std::string buf_;
};

/// Writes `path` atomically through `fill(writer)`.
template <typename Fill>
void atomic_write(const std::string& dir, const std::string& path, Fill&& fill) {
  static std::atomic<unsigned> counter{0};
  const std::string tmp =
      path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create", tmp, errno);
  try {
    FdWriter w(fd, tmp);
    fill(w);
    w.flush();
    if (::fsync(fd) != 0) fail("cannot fsync", tmp, errno);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    fail("cannot close", tmp, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    fail("cannot rename to", path, err);
  }
  fsync_dir(dir);
}

json optional_micros(const std::optional<Micros>& t) { return t ? json(*t) : json(nullptr); }

std::optional<Micros> read_optional_micros(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<Micros>();
}

Status status_from(const std::string& s) {
  if (s == "canceling") return Status::canceling;
  if (s == "ended") return Status::ended;
  return Status::in_progress;
}

const char* unprocessed_name(Unprocessed u) {
  switch (u) {
    case Unprocessed::canceled:
      return "canceled";
    case Unprocessed::expired:
      return "expired";
    case Unprocessed::none:
      break;
  }
  return "none";
}

Unprocessed unprocessed_from(const std::string& s) {
  if (s == "canceled") return Unprocessed::canceled;
  if (s == "expired") return Unprocessed::expired;
  return Unprocessed::none;
}

std::shared_ptr<RequestSet> read_requests(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return nullptr;
  auto set = std::make_shared<RequestSet>();
  std::string line;
  if (!std::getline(in, line)) return nullptr;
  json head = json::parse(line);
  set->models = head.at("models").get<std::vector<std::string>>();
  set->requests.reserve(head.value("count", std::size_t{0}));
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    json j = json::parse(line);
    RequestRecord r;
    r.custom_id = j.at("c").get<std::string>();
    r.model = j.at("m").get<std::uint32_t>();
    if (r.model >= set->models.size()) throw std::runtime_error("model index out of range");
    r.text = j.value("t", std::string());
    r.input_tokens = j.value("i", std::uint32_t{0});
    r.max_tokens = j.value("x", std::int64_t{0});
    r.error = j.value("e", std::string());
    r.error_type = j.value("et", std::string());
    r.content = j.value("k", std::string());
    if (!r.content.empty() && !json::accept(r.content)) {
      throw std::runtime_error("content of a result is not JSON");
    }
    r.stop_reason = j.value("s", std::string());
    r.output_tokens = j.value("o", std::uint32_t{0});
    set->requests.push_back(std::move(r));
  }
  return set;
}

}  // namespace

Persistence::Persistence(std::string dir)
    : dir_(std::move(dir)), batches_dir_((fs::path(dir_) / "batches").string()) {}

PersistedState Persistence::load() {
  std::error_code ec;
  fs::create_directories(batches_dir_, ec);
  if (ec) throw std::runtime_error("emulator: cannot create " + batches_dir_ + ": " + ec.message());

  PersistedState state;
  const std::string state_path = (fs::path(dir_) / "state.json").string();
  if (fs::exists(state_path)) {
    std::ifstream in(state_path, std::ios::binary);
    json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (j.is_object()) {
      state.clock_offset = j.value("clock_offset_us", Micros{0});
      state.clock_now = j.value("clock_now_us", Micros{0});
      state.last_id_time = j.value("last_id_time", Micros{0});
      state.last_id_seq = j.value("last_id_seq", std::uint64_t{0});
    } else {
      std::fprintf(stderr, "emulator: ignoring unreadable %s\n", state_path.c_str());
    }
  }

  for (const auto& dir : {dir_, batches_dir_}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      if (name.find(".tmp.") != std::string::npos) fs::remove(entry.path(), ec);
    }
  }

  for (const auto& entry : fs::directory_iterator(batches_dir_)) {
    const std::string name = entry.path().filename().string();
    const std::string suffix = ".json";
    if (name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    const std::string id = name.substr(0, name.size() - suffix.size());
    if (!is_batch_id(id)) continue;
    try {
      std::ifstream in(entry.path(), std::ios::binary);
      json j = json::parse(in);
      Batch b;
      b.id = id;
      b.api_version = j.value("api_version", std::string());
      b.created_at = j.at("created_at").get<Micros>();
      b.expires_at = j.at("expires_at").get<Micros>();
      b.processing_time = j.at("processing_time").get<Micros>();
      b.expiry_after = j.at("expiry_after").get<Micros>();
      b.cancel_delay = j.at("cancel_delay").get<Micros>();
      b.status = status_from(j.at("status").get<std::string>());
      b.cancel_initiated_at = read_optional_micros(j, "cancel_initiated_at");
      b.ended_at = read_optional_micros(j, "ended_at");
      auto requests = read_requests((fs::path(batches_dir_) / (id + ".requests.jsonl")).string());
      if (!requests) throw std::runtime_error("requests file missing");
      if (requests->requests.size() != j.at("request_count").get<std::size_t>()) {
        throw std::runtime_error("requests file has the wrong number of requests");
      }
      b.requests = std::move(requests);
      if (b.status == Status::ended) {
        b.end(b.ended_at.value_or(b.created_at), j.at("completed").get<std::size_t>(),
              unprocessed_from(j.at("unprocessed").get<std::string>()));
      }
      state.batches.emplace(id, std::move(b));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "emulator: skipping batch %s: %s\n", id.c_str(), e.what());
    }
  }

  // Requests files whose batch is gone (a crash between the two writes of create or delete).
  for (const auto& entry : fs::directory_iterator(batches_dir_)) {
    const std::string name = entry.path().filename().string();
    const std::string suffix = ".requests.jsonl";
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      const std::string id = name.substr(0, name.size() - suffix.size());
      if (state.batches.count(id) == 0) fs::remove(entry.path(), ec);
    }
  }
  return state;
}

void Persistence::write_state(Micros clock_offset, Micros clock_now, Micros last_id_time,
                              std::uint64_t last_id_seq) {
  json j;
  j["version"] = kFormatVersion;
  j["clock_offset_us"] = clock_offset;
  j["clock_now_us"] = clock_now;
  j["last_id_time"] = last_id_time;
  j["last_id_seq"] = last_id_seq;
  atomic_write(dir_, (fs::path(dir_) / "state.json").string(),
               [&](FdWriter& w) { w.write(j.dump()); });
}

void Persistence::write_requests(const std::string& id, const RequestSet& requests) {
  atomic_write(batches_dir_, (fs::path(batches_dir_) / (id + ".requests.jsonl")).string(),
               [&](FdWriter& w) {
                 json head;
                 head["models"] = requests.models;
                 head["count"] = requests.requests.size();
                 w.write(head.dump() + "\n");
                 for (const auto& r : requests.requests) {
                   json j;
                   j["c"] = r.custom_id;
                   j["m"] = r.model;
                   if (!r.text.empty()) j["t"] = r.text;
                   if (r.input_tokens != 0) j["i"] = r.input_tokens;
                   if (r.max_tokens != 0) j["x"] = r.max_tokens;
                   if (!r.error.empty()) j["e"] = r.error;
                   if (!r.error_type.empty()) j["et"] = r.error_type;
                   if (!r.content.empty()) j["k"] = r.content;
                   if (!r.stop_reason.empty()) j["s"] = r.stop_reason;
                   if (r.output_tokens != 0) j["o"] = r.output_tokens;
                   w.write(j.dump() + "\n");
                 }
               });
}

void Persistence::write_batch(const Batch& b) {
  json j;
  j["version"] = kFormatVersion;
  j["id"] = b.id;
  j["api_version"] = b.api_version;
  j["created_at"] = b.created_at;
  j["expires_at"] = b.expires_at;
  j["processing_time"] = b.processing_time;
  j["expiry_after"] = b.expiry_after;
  j["cancel_delay"] = b.cancel_delay;
  j["status"] = to_string(b.status);
  j["cancel_initiated_at"] = optional_micros(b.cancel_initiated_at);
  j["ended_at"] = optional_micros(b.ended_at);
  j["completed"] = b.completed;
  j["unprocessed"] = unprocessed_name(b.unprocessed);
  j["request_count"] = b.size();
  atomic_write(batches_dir_, (fs::path(batches_dir_) / (b.id + ".json")).string(),
               [&](FdWriter& w) { w.write(j.dump()); });
}

void Persistence::remove_batch(const std::string& id) {
  std::error_code ec;
  fs::remove(fs::path(batches_dir_) / (id + ".json"), ec);
  fsync_dir(batches_dir_);
  fs::remove(fs::path(batches_dir_) / (id + ".requests.jsonl"), ec);
  fsync_dir(batches_dir_);
}

}  // namespace anthropic::internal::emulator
