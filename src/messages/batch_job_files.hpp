#pragma once

// Files of a batch job: an owned descriptor with the calls the journal needs, and the bounded-
// memory duplicate finder used to check custom_id uniqueness over inputs of any size.

#include <anthropic/messages/batch_job.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace anthropic::internal {

namespace fs = std::filesystem;

inline std::string errno_text(const std::string& what, const fs::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

/// An owned file descriptor.
class File {
 public:
  File() = default;
  File(const fs::path& path, int flags, const char* what) : path_(path) {
    fd_ = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
    if (fd_ < 0) throw messages::BatchJobException(errno_text(std::string("cannot ") + what, path));
  }
  File(File&& o) noexcept : fd_(std::exchange(o.fd_, -1)), path_(std::move(o.path_)) {}
  File& operator=(File&& o) noexcept {
    if (this != &o) {
      close();
      fd_ = std::exchange(o.fd_, -1);
      path_ = std::move(o.path_);
    }
    return *this;
  }
  ~File() { close(); }
  int fd() const { return fd_; }
  const fs::path& path() const { return path_; }

  void write_all(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw messages::BatchJobException(errno_text("cannot write", path_));
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  void sync() {
    if (::fsync(fd_) != 0) throw messages::BatchJobException(errno_text("cannot sync", path_));
  }
  std::uint64_t size() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) throw messages::BatchJobException(errno_text("cannot stat", path_));
    return static_cast<std::uint64_t>(st.st_size);
  }
  void truncate(std::uint64_t size) {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      throw messages::BatchJobException(errno_text("cannot truncate", path_));
    }
  }

 private:
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd_ = -1;
  fs::path path_;
};

/// Finds 64-bit hashes that occur more than once among any number of them in bounded memory:
/// sorted runs of `kRun` hashes go to a temporary file, then a k-way merge compares neighbours.
class HashRuns {
 public:
  static constexpr std::size_t kMaxClashes = 4096;  // enough to find and name a duplicate

  /// `spill` is the temporary file (removed by the destructor); `run` hashes are held at once.
  explicit HashRuns(fs::path spill, std::size_t run = std::size_t{1} << 20)
      : spill_(std::move(spill)), run_(run) {
    buffer_.reserve(std::min<std::size_t>(run, 1024));
  }
  ~HashRuns() {
    if (file_) {
      std::error_code ec;
      fs::remove(spill_, ec);
    }
  }

  void add(std::uint64_t h) {
    buffer_.push_back(h);
    if (buffer_.size() >= run_) flush();
  }

  /// The hashes seen more than once (at most kMaxClashes of them).
  std::unordered_set<std::uint64_t> clashes() {
    std::unordered_set<std::uint64_t> found;
    auto note = [&](std::uint64_t h, std::uint64_t& last, bool& have) {
      if (have && h == last && found.size() < kMaxClashes) found.insert(h);
      last = h;
      have = true;
    };
    std::uint64_t last = 0;
    bool have = false;
    if (!file_) {
      std::sort(buffer_.begin(), buffer_.end());
      for (std::uint64_t h : buffer_) note(h, last, have);
      return found;
    }
    if (!buffer_.empty()) flush();
    std::vector<std::uint64_t>().swap(buffer_);
    // One cursor per run, each reading 4,096 hashes at a time.
    struct Cursor {
      std::uint64_t next_offset, end_offset;
      std::vector<std::uint64_t> items;
      std::size_t pos = 0;
    };
    std::vector<Cursor> cursors;
    for (const auto& [begin, end] : runs_) cursors.push_back({begin, end, {}, 0});
    auto refill = [&](Cursor& c) {
      c.items.resize(std::min<std::uint64_t>(4096, (c.end_offset - c.next_offset) / 8));
      c.pos = 0;
      if (c.items.empty()) return;
      const std::size_t bytes = c.items.size() * 8;
      if (::pread(file_->fd(), c.items.data(), bytes, static_cast<off_t>(c.next_offset)) !=
          static_cast<ssize_t>(bytes)) {
        throw messages::BatchJobException(errno_text("cannot read", spill_));
      }
      c.next_offset += bytes;
    };
    using Head = std::pair<std::uint64_t, std::size_t>;  // hash, cursor
    std::priority_queue<Head, std::vector<Head>, std::greater<Head>> heads;
    for (std::size_t i = 0; i < cursors.size(); ++i) {
      refill(cursors[i]);
      if (!cursors[i].items.empty()) heads.emplace(cursors[i].items[0], i);
    }
    while (!heads.empty()) {
      auto [h, i] = heads.top();
      heads.pop();
      note(h, last, have);
      Cursor& c = cursors[i];
      if (++c.pos == c.items.size()) refill(c);
      if (c.pos < c.items.size()) heads.emplace(c.items[c.pos], i);
    }
    return found;
  }

 private:
  void flush() {
    std::sort(buffer_.begin(), buffer_.end());
    if (!file_) file_.emplace(spill_, O_RDWR | O_CREAT | O_TRUNC, "create");
    const std::uint64_t begin = file_->size();
    file_->write_all(std::string_view(reinterpret_cast<const char*>(buffer_.data()),
                                      buffer_.size() * sizeof(std::uint64_t)));
    runs_.emplace_back(begin, begin + buffer_.size() * sizeof(std::uint64_t));
    buffer_.clear();
  }

  fs::path spill_;
  std::size_t run_;
  std::vector<std::uint64_t> buffer_;
  std::optional<File> file_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> runs_;
};

}  // namespace anthropic::internal
