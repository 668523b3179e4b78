// TLS against a real HTTPS server on 127.0.0.1 with a self-signed certificate made for the test:
// verification is on by default (the handshake fails, nothing is sent), a CA bundle that holds
// the certificate makes it pass, and turning verification off is explicit.

// GCC 12 at -O2 reports a false "may be used uninitialized" inside std::optional<std::string>
// assignment (`options.api_key = kKey`) once this file's tests are inlined together.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <anthropic/anthropic.hpp>
#include <anthropic/http/curl_http_client.hpp>

#include <gtest/gtest.h>
#include <httplib.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

namespace {

namespace fs = std::filesystem;
constexpr const char* kKey = "sk-ant-TLS-SECRET";

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("anthropic-tls-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout '" +
        (dir_ / "key.pem").string() + "' -out '" + (dir_ / "cert.pem").string() +
        "' >/dev/null 2>&1";
    made_cert_ = std::system(cmd.c_str()) == 0;
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  void SetUp() override {
    if (!made_cert_) GTEST_SKIP() << "the openssl command is not available";
    server_ = std::make_unique<httplib::SSLServer>((dir_ / "cert.pem").c_str(),
                                                   (dir_ / "key.pem").c_str());
    ASSERT_TRUE(server_->is_valid());
    server_->Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
      ++requests_;
      api_key_seen_ = req.get_header_value("authorization");
      res.set_content(R"({"id":"msgbatch_tls","type":"message_batch","processing_status":"ended",)"
                      R"("request_counts":{"processing":0,"succeeded":1,"errored":0,"canceled":0,)"
                      R"("expired":0},"created_at":"2026-08-20T10:00:00Z",)"
                      R"("expires_at":"2026-08-21T10:00:00Z","ended_at":null,)"
                      R"("cancel_initiated_at":null,"archived_at":null,"results_url":null})",
                      "application/json");
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    for (int i = 0; i < 500 && !server_->is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  anthropic::Client client(std::shared_ptr<anthropic::http::HttpClient> http = nullptr,
                           bool verify = true) {
    anthropic::ClientOptions options;
    options.api_key = kKey;
    options.base_url = "https://127.0.0.1:" + std::to_string(port_);
    options.max_retries = 0;
    options.verify_tls = verify;
    options.http_client = std::move(http);
    return anthropic::Client(options);
  }

  static fs::path dir_;
  static bool made_cert_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::string api_key_seen_;
};

fs::path TlsTest::dir_;
bool TlsTest::made_cert_ = false;

TEST_F(TlsTest, AnUntrustedCertificateFailsBeforeAnythingIsSent) {
  auto c = client();
  try {
    c.beta().messages().batches().retrieve("msgbatch_tls");
    FAIL() << "an untrusted certificate was accepted";
  } catch (const anthropic::AnthropicIoException& e) {
    EXPECT_FALSE(e.may_have_reached_server()) << e.what();
    EXPECT_EQ(std::string(e.what()).find(kKey), std::string::npos);
  }
  EXPECT_EQ(requests_.load(), 0);  // the key never left the process
}

TEST_F(TlsTest, ACaBundleHoldingTheCertificateIsTrusted) {
  anthropic::http::CurlHttpClientOptions curl;
  curl.ca_bundle = (dir_ / "cert.pem").string();
  auto c = client(anthropic::http::make_curl_http_client(curl));
  EXPECT_EQ(c.beta().messages().batches().retrieve("msgbatch_tls").id, "msgbatch_tls");
  EXPECT_EQ(api_key_seen_, std::string("Bearer ") + kKey);
}

TEST_F(TlsTest, ACaBundleInTheClientOptionsIsTrusted) {
  anthropic::ClientOptions options;
  options.api_key = kKey;
  options.base_url = "https://127.0.0.1:" + std::to_string(port_);
  options.max_retries = 0;
  options.ca_bundle = (dir_ / "cert.pem").string();
  EXPECT_EQ(anthropic::Client(options).beta().messages().batches().retrieve("msgbatch_tls").id,
            "msgbatch_tls");
  // A bundle that does not hold the certificate is not trusted: the option really applies.
  options.ca_bundle = (dir_ / "missing-bundle.pem").string();
  EXPECT_THROW(anthropic::Client(options).beta().messages().batches().retrieve("msgbatch_tls"),
               anthropic::AnthropicIoException);
}

TEST_F(TlsTest, SslCertFileNamesTheBundleWhenTheOptionsNameNone) {
  anthropic::ClientOptions options;
  options.api_key = kKey;
  options.base_url = "https://127.0.0.1:" + std::to_string(port_);
  options.max_retries = 0;
  ASSERT_EQ(::setenv("SSL_CERT_FILE", (dir_ / "cert.pem").c_str(), 1), 0);
  std::string id;
  try {
    id = anthropic::Client(options).beta().messages().batches().retrieve("msgbatch_tls").id;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "the bundle named by SSL_CERT_FILE was not trusted: " << e.what();
  }
  EXPECT_EQ(id, "msgbatch_tls");
  // The options win over the variable.
  options.ca_bundle = (dir_ / "missing-bundle.pem").string();
  EXPECT_THROW(anthropic::Client(options).beta().messages().batches().retrieve("msgbatch_tls"),
               anthropic::AnthropicIoException);
  // A caller's transport is configured by the caller: the variable is no error there.
  options.ca_bundle.clear();
  options.http_client = anthropic::http::make_curl_http_client();
  EXPECT_NO_THROW(anthropic::Client{options});
  ::unsetenv("SSL_CERT_FILE");
  EXPECT_EQ(requests_.load(), 1);
}

TEST_F(TlsTest, VerificationOffIsExplicit) {
  auto c = client(nullptr, /*verify=*/false);
  EXPECT_EQ(c.beta().messages().batches().retrieve("msgbatch_tls").id, "msgbatch_tls");
  EXPECT_EQ(requests_.load(), 1);
}

}  // namespace
