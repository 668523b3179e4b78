// Streams a large results body through the client and measures resident memory: it must stay
// flat, far below the size of the body. Its own binary, so that nothing else moves the figures.

#include <anthropic/anthropic.hpp>

#include <gtest/gtest.h>

#include "support/process_stats.hpp"
#include "support/sanitizers.hpp"
#include "support/test_server.hpp"

#include <fstream>
#include <iostream>
#include <string>

namespace {

namespace bm = anthropic::beta::messages;
using anthropic::testing::proc_status_kb;

TEST(ResultsMemory, TwoHundredMegabytesStreamWithFlatMemory) {
#ifdef ANTHROPIC_UNDER_SANITIZER
  // Sanitizer runtimes keep freed memory in quarantine: RSS says nothing there. Still stream.
  const std::size_t target_bytes = 16u << 20;
#else
  const std::size_t target_bytes = 200u << 20;
#endif
  std::string line =
      R"({"custom_id":"req-000000","result":{"type":"succeeded","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":")" +
      std::string(600, 'w') +
      R"("}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":42,"output_tokens":6,"service_tier":"batch"}}}})"
      "\n";
  const std::size_t lines = target_bytes / line.size() + 1;

  anthropic::testing::TestServer server;
  server.handle([&](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider(
        "application/x-jsonl",
        [&, sent = std::size_t{0}](std::size_t, httplib::DataSink& sink) mutable {
          // 64 lines per call: the body is produced as it is sent, never held.
          std::string chunk;
          for (int i = 0; i < 64 && sent < lines; ++i, ++sent) chunk += line;
          if (!chunk.empty() && !sink.write(chunk.data(), chunk.size())) return false;
          if (sent == lines) sink.done();
          return true;
        });
  });

  anthropic::ClientOptions options;
  options.api_key = "sk-ant-test";
  options.base_url = server.base_url();
  anthropic::Client client(options);

  const long baseline_kb = proc_status_kb("VmRSS");
  long peak_kb = baseline_kb;
  std::size_t count = 0, bytes = 0;
  for (const auto& r : client.beta().messages().batches().results("msgbatch_big")) {
    ++count;
    bytes += std::get<anthropic::beta::BetaTextBlock>(r.result.message->content[0]).text.size();
    if (count % 4096 == 0) peak_kb = std::max(peak_kb, proc_status_kb("VmRSS"));
  }
  peak_kb = std::max(peak_kb, proc_status_kb("VmHWM"));
  EXPECT_EQ(count, lines);
  EXPECT_EQ(bytes, lines * 600);
  const long growth_mb = (peak_kb - baseline_kb) / 1024;
  std::cout << "streamed " << (lines * line.size() >> 20) << " MB in " << count
            << " lines; peak RSS growth " << growth_mb << " MB above a baseline of "
            << baseline_kb / 1024 << " MB\n";
#ifndef ANTHROPIC_UNDER_SANITIZER
  EXPECT_LT(growth_mb, 64) << "memory grew with the size of the body";
#endif
}

}  // namespace
