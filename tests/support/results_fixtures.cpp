#include "support/results_fixtures.hpp"

#include <linux/sockios.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <thread>
#include <utility>

namespace anthropic::testing {

std::string result_line(int i) {
  return R"({"custom_id":"r)" + std::to_string(i) +
         R"(","result":{"type":"succeeded","message":{"id":"msg_01AbC","type":"message",)"
         R"("role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"answer )" +
         std::to_string(i) +
         R"("}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":42,)"
         R"("output_tokens":6}}}})";
}

std::string results_body(int lines) {
  std::string body;
  for (int i = 0; i < lines; ++i) body += result_line(i) + "\n";
  return body;
}

std::vector<std::string> ids(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back("r" + std::to_string(i));
  return out;
}

std::string header_of(const std::string& request, const std::string& name) {
  std::string lower = request.substr(0, request.find("\r\n\r\n"));
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto at = lower.find("\r\n" + name + ":");
  if (at == std::string::npos) return "";
  auto start = at + 3 + name.size();
  auto end = std::min(lower.find("\r\n", start), lower.size());  // the last line has no CRLF
  std::string value = request.substr(start, end - start);
  while (!value.empty() && value.front() == ' ') value.erase(0, 1);
  return value;
}

std::string jsonl_head(int status, const std::string& reason, std::size_t length,
                       const std::string& extra) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: application/x-jsonl\r\nContent-Length: " + std::to_string(length) +
         "\r\n" + extra + "\r\n";
}

void drain_send_queue(int fd) {
  for (int i = 0; i < 500; ++i) {
    int pending = 0;
    if (::ioctl(fd, SIOCOUTQ, &pending) != 0 || pending == 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void reset_on_close(int fd) {
  linger l{1, 0};  // close() then sends a RST
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

void stall_until_peer_closes(int fd) {
  char buf[256];
  for (int i = 0; i < 100; ++i) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0 && ::recv(fd, buf, sizeof buf, 0) <= 0) return;
  }
}

std::size_t cut_inside_a_line(const std::string& body) {
  std::size_t cut = body.size() * 8 / 10;
  if (body[cut - 1] == '\n') cut += 5;
  return cut;
}

namespace {

std::string range_206(const std::string& body, std::size_t start, std::size_t count) {
  return jsonl_head(206, "Partial Content", body.size() - start,
                    "Content-Range: bytes " + std::to_string(start) + "-" +
                        std::to_string(body.size() - 1) + "/" + std::to_string(body.size()) +
                        "\r\n") +
         body.substr(start, count);
}

}  // namespace

ResumeServer::ResumeServer(std::string body_, std::size_t cut_, Cut how, Then then)
    : body(std::move(body_)), cut(cut_), server([this, how, then](int fd) {
        std::string request = RawServer::read_request(fd);
        int index = 0;
        {
          std::lock_guard<std::mutex> lock(mutex);
          requests.push_back(request);
          index = static_cast<int>(requests.size());
        }
        if (index == 1) {
          RawServer::write_all(fd, jsonl_head(200, "OK", body.size()) + body.substr(0, cut));
          drain_send_queue(fd);
          if (how == Cut::rst) reset_on_close(fd);
          return;
        }
        std::string range = header_of(request, "range");
        std::size_t start = 0;
        if (range.rfind("bytes=", 0) == 0) start = std::stoul(range.substr(6));
        switch (then) {
          case Then::range_206:
            RawServer::write_all(fd, range_206(body, start, std::string::npos));
            return;
          case Then::ignore_range_200:
            RawServer::write_all(fd, jsonl_head(200, "OK", body.size()) + body);
            return;
          case Then::different_200: {
            std::string changed = body;
            changed.replace(changed.find("answer 0"), 8, "answer X");  // same size
            RawServer::write_all(fd, jsonl_head(200, "OK", changed.size()) + changed);
            return;
          }
          case Then::keep_failing:
            // A 206 that breaks again after a few bytes: no new line, no progress.
            RawServer::write_all(fd, range_206(body, start, 10));
            drain_send_queue(fd);
            if (how == Cut::rst) reset_on_close(fd);
            return;
        }
      }) {}

std::vector<std::string> ResumeServer::recorded() {
  std::lock_guard<std::mutex> lock(mutex);
  return requests;
}

}  // namespace anthropic::testing
