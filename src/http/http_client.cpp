// The transport seam's own code (http_client.hpp): the in-memory response body, the default
// streamed send of a transport that only buffers, and reading a streamed body whole.

#include <anthropic/http/http_client.hpp>

#include <algorithm>
#include <cstring>

namespace anthropic::http {

ResponseBody::~ResponseBody() = default;
HttpClient::~HttpClient() = default;

namespace {
class MemoryBody final : public ResponseBody {
 public:
  explicit MemoryBody(std::string bytes) : bytes_(std::move(bytes)) {}
  std::size_t read(char* dst, std::size_t max) override {
    std::size_t n = std::min(max, bytes_.size() - pos_);
    if (n > 0) std::memcpy(dst, bytes_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string bytes_;
  std::size_t pos_ = 0;
};
}  // namespace

std::unique_ptr<ResponseBody> make_memory_body(std::string bytes) {
  return std::make_unique<MemoryBody>(std::move(bytes));
}

StreamedResponse HttpClient::open(const HttpRequest& request) {
  HttpResponse r = send(request);
  return StreamedResponse{r.status, std::move(r.headers), make_memory_body(std::move(r.body))};
}

std::string StreamedResponse::read_all(std::size_t limit) {
  std::string out;
  if (!body) return out;
  // Stops at the limit instead of draining the rest: an endless error body must not hold the
  // caller. The unread rest is abandoned with the body (its connection closed, never reused).
  char buf[16384];
  while (out.size() < limit) {
    std::size_t n = body->read(buf, std::min(sizeof buf, limit - out.size()));
    if (n == 0) break;
    out.append(buf, n);
  }
  return out;
}

}  // namespace anthropic::http
