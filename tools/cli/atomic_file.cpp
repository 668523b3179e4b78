#include "atomic_file.hpp"

#include "interrupt.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace anthropic_batch {

namespace {

constexpr std::size_t kBufferBytes = 1 << 20;

std::string reason(int error) { return std::strerror(error); }

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string name_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)), target_(path_) {
  auto fail = [&](int error) { throw OutputError("cannot write " + path_ + ": " + reason(error)); };
  if (path_.empty()) fail(ENOENT);
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) fail(EISDIR);
    if (!S_ISREG(st.st_mode)) {
      // A device or a FIFO: nothing to rename over; write it as it is.
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd_ < 0) fail(errno);
      return;
    }
    // Replace the file a symbolic link points to, not the link.
    char resolved[PATH_MAX];
    if (::realpath(path_.c_str(), resolved) != nullptr) target_ = resolved;
  }

  // O_EXCL on a fresh name: never reuse or follow someone else's file; mode 0666 lets the umask
  // decide, as for any file the shell would create.
  static std::atomic<unsigned> counter{0};
  const std::string prefix =
      directory_of(target_) + "/." + name_of(target_) + "." + std::to_string(::getpid()) + "-";
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string candidate = prefix + std::to_string(counter++) + ".part";
    fd_ = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ >= 0) {
      temporary_ = std::move(candidate);
      register_temporary_file(temporary_);
      return;
    }
    if (errno != EEXIST) fail(errno);
  }
  fail(EEXIST);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!temporary_.empty() && !committed_) {
    ::unlink(temporary_.c_str());
    unregister_temporary_file(temporary_);
  }
}

void AtomicFile::write(std::string_view bytes) {
  buffer_.append(bytes);
  if (buffer_.size() >= kBufferBytes) flush();
}

void AtomicFile::flush() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw OutputError("write error on " + path_ + ": " + reason(n < 0 ? errno : EIO));
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

void AtomicFile::commit() {
  flush();
  if (temporary_.empty()) {
    committed_ = true;
    return;
  }
  // The data must be on disk before the name is: after a crash the file is whole or absent.
  if (::fsync(fd_) != 0) throw OutputError("write error on " + path_ + ": " + reason(errno));
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) throw OutputError("write error on " + path_ + ": " + reason(errno));
  if (::rename(temporary_.c_str(), target_.c_str()) != 0) {
    throw OutputError("cannot write " + path_ + ": " + reason(errno));
  }
  committed_ = true;
  unregister_temporary_file(temporary_);
  // Best effort: make the rename itself durable.
  int dir = ::open(directory_of(target_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace anthropic_batch
