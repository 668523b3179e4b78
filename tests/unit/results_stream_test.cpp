// BatchResultsStream's line splitting, made deterministic: the body is served a fixed number of
// bytes per read (down to one), so every line, CRLF pair and multibyte character is split across
// reads at every position. The loopback tests cover the same over real HTTP, where the split
// points depend on the network.

#include <anthropic/beta/messages/batch_results.hpp>
#include <anthropic/errors.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace bm = anthropic::beta::messages;

class ChunkedBody final : public anthropic::http::ResponseBody {
 public:
  ChunkedBody(std::string bytes, std::size_t chunk, std::shared_ptr<std::size_t> reads = {})
      : bytes_(std::move(bytes)), chunk_(chunk), reads_(std::move(reads)) {}
  std::size_t read(char* dst, std::size_t max) override {
    std::size_t n = std::min({max, chunk_, bytes_.size() - pos_});
    std::memcpy(dst, bytes_.data() + pos_, n);
    pos_ += n;
    if (reads_) ++*reads_;
    return n;
  }

 private:
  std::string bytes_;
  std::size_t chunk_;
  std::size_t pos_ = 0;
  std::shared_ptr<std::size_t> reads_;  // outlives the body, which the stream frees at the end
};

std::string text_line(const std::string& id, const std::string& text) {
  return R"({"custom_id":")" + id +
         R"(","result":{"type":"succeeded","message":{"id":"m","type":"message","role":"assistant","model":"x","content":[{"type":"text","text":")" +
         text +
         R"("}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}}})";
}

std::string text_of(const bm::BetaMessageBatchIndividualResponse& r) {
  return std::get<anthropic::beta::BetaTextBlock>(r.result.message->content.at(0)).text;
}

TEST(ResultsStream, EverySplitPointGivesTheSameLines) {
  const std::string utf8 = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
  const std::string body = text_line("a", utf8) + "\r\n" + "\r\n" + "  \n" + text_line("b", "2") +
                           "\n\n" + R"({"custom_id":"c","result":{"type":"canceled"}})" + "\r\n" +
                           text_line("d", "last, no newline");
  for (std::size_t chunk : {1u, 2u, 3u, 7u, 64u, 100000u}) {
    SCOPED_TRACE(chunk);
    auto reads = std::make_shared<std::size_t>(0);
    bm::BatchResultsStream stream(std::make_unique<ChunkedBody>(body, chunk, reads));
    std::vector<std::string> got;
    for (const auto& r : stream) {
      got.push_back(r.custom_id + "=" + (r.result.message ? text_of(r) : r.result.type.str()));
    }
    EXPECT_EQ(got,
              (std::vector<std::string>{"a=" + utf8, "b=2", "c=canceled", "d=last, no newline"}));
    EXPECT_EQ(stream.line_number(), 7u);     // every line counts: a, 2 blank, b, blank, c, d
    EXPECT_GE(*reads, body.size() / chunk);  // really served in pieces of `chunk` bytes
  }
}

TEST(ResultsStream, RawLinesComeBackVerbatimWithoutLineEndings) {
  const std::string a = text_line("a", "x");
  const std::string b = R"({"custom_id":"b","result":{"type":"expired"}})";
  bm::BatchResultsStream stream(std::make_unique<ChunkedBody>(a + "\r\n\n" + b, 5));
  EXPECT_EQ(stream.next_raw(), a);
  EXPECT_EQ(stream.next_raw(), b);
  EXPECT_EQ(stream.next_raw(), std::nullopt);
}

TEST(ResultsStream, AMalformedLineIsReportedWithItsNumberAndReadingGoesOn) {
  const std::string body = text_line("a", "1") + "\n\n{\"custom_id\":\"b\",\"result\":{\"ty\n" +
                           text_line("c", "3") + "\n";
  bm::BatchResultsStream stream(std::make_unique<ChunkedBody>(body, 3));
  EXPECT_EQ(stream.next()->custom_id, "a");
  try {
    stream.next();
    FAIL() << "no exception";
  } catch (const anthropic::AnthropicInvalidDataException& e) {
    EXPECT_NE(std::string(e.what()).find("results line 3"), std::string::npos) << e.what();
  }
  EXPECT_EQ(stream.next()->custom_id, "c");
  EXPECT_EQ(stream.next(), std::nullopt);
}

TEST(ResultsStream, CloseStopsReadingAndReleasesTheBody) {
  bm::BatchResultsStream stream(
      std::make_unique<ChunkedBody>(text_line("a", "1") + "\n" + text_line("b", "2") + "\n", 4));
  EXPECT_EQ(stream.next()->custom_id, "a");
  stream.close();
  EXPECT_EQ(stream.next(), std::nullopt);
  EXPECT_EQ(stream.next_raw(), std::nullopt);
}

}  // namespace
