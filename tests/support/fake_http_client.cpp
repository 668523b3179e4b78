#include "support/fake_http_client.hpp"

#include <anthropic/errors.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <utility>

namespace anthropic::testing {

FakeOutcome FakeOutcome::response(int status, std::string body, http::Headers headers) {
  FakeOutcome outcome;
  outcome.http_response.status = status;
  outcome.http_response.headers = std::move(headers);
  outcome.http_response.body = std::move(body);
  return outcome;
}

FakeOutcome FakeOutcome::io_error(std::string message, bool may_have_reached_server) {
  FakeOutcome outcome;
  outcome.is_error = true;
  outcome.error_message = std::move(message);
  outcome.may_have_reached_server = may_have_reached_server;
  return outcome;
}

FakeHttpClient& FakeHttpClient::respond(int status, std::string body, http::Headers headers) {
  return enqueue(FakeOutcome::response(status, std::move(body), std::move(headers)));
}

FakeHttpClient& FakeHttpClient::fail(std::string message, bool may_have_reached_server) {
  return enqueue(FakeOutcome::io_error(std::move(message), may_have_reached_server));
}

FakeHttpClient& FakeHttpClient::enqueue(FakeOutcome outcome) {
  std::lock_guard<std::mutex> lock(mutex_);
  outcomes_.push_back(std::move(outcome));
  return *this;
}

http::HttpResponse FakeHttpClient::send(const http::HttpRequest& request) {
  FakeOutcome outcome;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(request);
    if (outcomes_.empty()) {
      ADD_FAILURE() << "FakeHttpClient: no scripted outcome left for " << request.method << " "
                    << request.url;
      throw std::logic_error("FakeHttpClient: no scripted outcome left for " + request.method +
                             " " + request.url);
    }
    outcome = std::move(outcomes_.front());
    outcomes_.pop_front();
  }
  if (outcome.is_error) {
    throw AnthropicIoException(outcome.error_message, outcome.may_have_reached_server);
  }
  return std::move(outcome.http_response);
}

std::vector<http::HttpRequest> FakeHttpClient::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

http::HttpRequest FakeHttpClient::last_request() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (requests_.empty()) {
    ADD_FAILURE() << "FakeHttpClient: no request received";
    return {};
  }
  return requests_.back();
}

std::size_t FakeHttpClient::request_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_.size();
}

std::size_t FakeHttpClient::remaining() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return outcomes_.size();
}

struct RecordingSleeper::State {
  mutable std::mutex mutex;
  std::vector<std::chrono::milliseconds> delays;
};

RecordingSleeper::RecordingSleeper() : state_(std::make_shared<State>()) {}

http::Sleeper RecordingSleeper::sleeper() const {
  return [state = state_](std::chrono::milliseconds delay) {
    std::lock_guard<std::mutex> lock(state->mutex);
    state->delays.push_back(delay);
  };
}

std::vector<std::chrono::milliseconds> RecordingSleeper::delays() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->delays;
}

struct RecordingLogger::State {
  mutable std::mutex mutex;
  std::vector<Line> lines;
};

RecordingLogger::RecordingLogger() : state_(std::make_shared<State>()) {}

Logger RecordingLogger::logger() const {
  return [state = state_](LogLevel level, std::string_view text) {
    std::lock_guard<std::mutex> lock(state->mutex);
    state->lines.push_back(Line{level, std::string(text)});
  };
}

std::vector<RecordingLogger::Line> RecordingLogger::lines() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->lines;
}

}  // namespace anthropic::testing
