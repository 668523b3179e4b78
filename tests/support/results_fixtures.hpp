#pragma once

// Results bodies and a raw results server that breaks the transfer, shared by the tests of the
// pulled stream (results_resume_test), the async stream and for_each_result: connection 1 sends
// the whole head (the full Content-Length) and the body up to a cut, then closes (FIN) or resets;
// later connections answer as `Then` says. Every request is recorded.

#include "support/raw_server.hpp"

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace anthropic::testing {

/// Results line `i`: custom_id "r<i>", a succeeded message whose text is "answer <i>".
std::string result_line(int i);
/// Lines 0 .. lines-1, each ending with '\n'.
std::string results_body(int lines);
/// "r<from>" .. "r<to - 1>".
std::vector<std::string> ids(int from, int to);
/// The value of header `name` (lower case) in a raw request, or "" when absent.
std::string header_of(const std::string& request, const std::string& name);
/// A JSONL response head with Content-Length `length`; `extra` holds more header lines.
std::string jsonl_head(int status, const std::string& reason, std::size_t length,
                       const std::string& extra = "");
/// Waits until every byte written on `fd` was taken by the peer's kernel (so that a RST cannot
/// discard any of it), up to 5 s.
void drain_send_queue(int fd);
/// Makes close(fd) send a RST.
void reset_on_close(int fd);
/// Blocks until the peer closes `fd` (or 10 s pass): a server that stalls.
void stall_until_peer_closes(int fd);
/// An offset about 80 % into `body`, inside a line (never just after a '\n').
std::size_t cut_inside_a_line(const std::string& body);

enum class Cut { fin, rst };
enum class Then { range_206, ignore_range_200, different_200, keep_failing };

/// Connection 1: the head and `body` up to `cut`, then a FIN or RST. Later connections: a 206
/// for the Range, the whole body again (200), a 200 whose first line differs (same size), or a
/// 206 that breaks after 10 bytes again.
struct ResumeServer {
  ResumeServer(std::string body, std::size_t cut, Cut how, Then then);
  std::vector<std::string> recorded();

  std::string body;
  std::size_t cut;
  std::mutex mutex;
  std::vector<std::string> requests;
  RawServer server;  // last: stopped (joined) before the members its handler uses
};

}  // namespace anthropic::testing
