// The transport seam's own code (http_client.hpp): the in-memory response body, the default
// streamed send of a transport that only buffers, and reading a streamed body whole.

#include <anthropic/errors.hpp>
#include <anthropic/http/http_client.hpp>

#include "http/streamed_body.hpp"

#include <algorithm>

namespace anthropic::internal {

namespace {
// A source over bytes already encoded.
class BytesSource final : public BodySource {
 public:
  explicit BytesSource(std::shared_ptr<const std::string> bytes) : bytes_(std::move(bytes)) {}
  std::size_t read(char* dst, std::size_t max) override {
    return copy_from(*bytes_, pos_, dst, max);
  }

 private:
  std::shared_ptr<const std::string> bytes_;
  std::size_t pos_ = 0;
};

AnthropicInvalidRequestException gone() {
  return AnthropicInvalidRequestException(
      "the streamed request body is no longer available: the call that sent it has ended");
}

// A source that reads only while its body has not been released (what it reads may be gone
// after): a transfer that outlives its call fails instead of reading freed params.
class GatedSource final : public BodySource {
 public:
  GatedSource(std::shared_ptr<StreamedBody::Gate> gate, std::unique_ptr<BodySource> inner)
      : gate_(std::move(gate)), inner_(std::move(inner)) {}
  std::size_t read(char* dst, std::size_t max) override {
    std::lock_guard<std::mutex> lock(gate_->mutex);
    if (!gate_->open) throw gone();
    return inner_->read(dst, max);
  }

 private:
  std::shared_ptr<StreamedBody::Gate> gate_;
  std::unique_ptr<BodySource> inner_;
};
}  // namespace

StreamedBody::StreamedBody(std::size_t size, Opener open)
    : size_(size), open_(std::move(open)), gate_(std::make_shared<Gate>()) {}

std::unique_ptr<BodySource> StreamedBody::open() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (bytes_) return std::make_unique<BytesSource>(bytes_);
  if (!open_) throw gone();
  return std::make_unique<GatedSource>(gate_, open_());
}

bool StreamedBody::encoded() {
  std::lock_guard<std::mutex> lock(mutex_);
  return bytes_ != nullptr;
}

const std::string& StreamedBody::bytes() {
  std::lock_guard<std::mutex> lock(mutex_);
  return bytes_locked();
}

const std::string& StreamedBody::bytes_locked() {
  if (bytes_) return *bytes_;
  if (!open_) throw gone();
  std::string all;
  all.resize(size_);
  std::unique_ptr<BodySource> source = open_();  // not gated: read here, under `mutex_`
  const std::size_t at = read_up_to(*source, all.data(), size_);
  char extra = 0;
  if (at != size_ || source->read(&extra, 1) != 0) {
    throw AnthropicInvalidRequestException(
        "a streamed request body did not produce the " + std::to_string(size_) +
        " bytes it announced (were its params changed while it was being sent?)");
  }
  bytes_ = std::make_shared<const std::string>(std::move(all));
  return *bytes_;
}

void StreamedBody::release(const std::shared_ptr<StreamedBody>& self) noexcept {
  std::lock_guard<std::mutex> lock(self->mutex_);
  if (self.use_count() > 1) {
    try {
      (void)self->bytes_locked();
    } catch (...) {
      // Left without bytes: reading them later throws `gone()`.
    }
  }
  self->open_ = nullptr;
  std::lock_guard<std::mutex> gate(self->gate_->mutex);  // after a read in progress
  self->gate_->open = false;
}

}  // namespace anthropic::internal

namespace anthropic::http {

const std::string& RequestBody::streamed_bytes() const { return streamed_->bytes(); }
std::size_t RequestBody::streamed_size() const noexcept { return streamed_->size(); }

ResponseBody::~ResponseBody() = default;
HttpClient::~HttpClient() = default;

namespace {
class MemoryBody final : public ResponseBody {
 public:
  explicit MemoryBody(std::string bytes) : bytes_(std::move(bytes)) {}
  std::size_t read(char* dst, std::size_t max) override {
    return internal::copy_from(bytes_, pos_, dst, max);
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
