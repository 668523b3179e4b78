#pragma once

// What the process holds, from /proc (Linux): its threads, its open descriptors, and the "kB"
// fields of /proc/self/status. For tests that check nothing is left behind.

#include <dirent.h>

#include <fstream>
#include <string>

namespace anthropic::testing {

/// Entries of the directory `path` (not "." or ".."); 0 when it cannot be read.
inline int directory_entries(const char* path) {
  int n = 0;
  if (DIR* d = ::opendir(path)) {
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.') ++n;
    }
    ::closedir(d);
  }
  return n;
}

/// The process's threads.
inline int thread_count() { return directory_entries("/proc/self/task"); }

/// The process's open file descriptors (sockets included).
inline int open_fd_count() { return directory_entries("/proc/self/fd"); }

/// A "kB" field of /proc/self/status ("VmRSS", "VmHWM"); -1 where unavailable.
inline long proc_status_kb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

}  // namespace anthropic::testing
