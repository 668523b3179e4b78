// An output file that appears complete or not at all.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace anthropic_batch {

/// Writing or creating an output file failed (the message names the file and the reason).
struct OutputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Writes to a temporary file beside `path` (`.NAME.PID-N.part`, in the same directory so that the
/// final rename stays on one file system) and renames it over `path` in `commit()`. Until then
/// `path` is untouched; destroyed without `commit()` (an error, an interrupt), the temporary file
/// is removed. So a reader never sees a partial file under the name asked for.
///
/// The constructor creates the temporary file: call it before starting work whose output it
/// will hold, so that an unwritable destination fails first. A destination that exists and is
/// not a regular file (`/dev/stdout`, a FIFO) cannot be replaced; it is written directly.
/// Not thread-safe.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view bytes);
  /// Flushes, syncs and renames the file into place. Throws OutputError.
  void commit();

  const std::string& path() const noexcept { return path_; }

 private:
  void flush();

  std::string path_;       ///< as given, for messages
  std::string target_;     ///< where commit() renames to (symbolic links resolved)
  std::string temporary_;  ///< empty when writing `path_` directly
  int fd_ = -1;
  std::string buffer_;
  bool committed_ = false;
};

}  // namespace anthropic_batch
