#include <anthropic/api_version.hpp>
#include <anthropic/beta/messages/batch_create_body.hpp>
#include <anthropic/errors.hpp>
#include <anthropic/messages/batch_create_body.hpp>

#include "generated/beta_codecs.gen.hpp"
#include "generated/ga_codecs.gen.hpp"
#include "json/codecs.hpp"
#include "json/model_codec.hpp"
#include "json/model_codec_templates.hpp"
#include "messages/api_version_rules.hpp"
#include "messages/batch_results_resume.hpp"
#include "messages/http_batch_service.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace anthropic::internal {

namespace {

// Printable excerpt of a caller-supplied string for an error message (valid UTF-8, escaped).
std::string quoted(std::string_view s) {
  std::string out;
  json::text::append_excerpt(out, s, 80);
  return out;
}

std::string at(std::size_t index) { return "requests[" + std::to_string(index) + "]"; }

}  // namespace

// The custom_ids seen so far, for the uniqueness check: an open-addressing (linear probing) table
// of 8-byte slots {hash tag, id number} over one arena holding the ids' bytes. No allocation per
// id, and the table of 100,000 ids is 1 MiB (it stays in cache): a node-based
// std::unordered_set<std::string> cost more than writing the body itself.
class CustomIdSet {
 public:
  /// Makes room for one more id and starts loading the cache line `id` will be looked up in, so
  /// that the caller can do other work (write the request) while it arrives; returns its hash.
  std::uint64_t prepare(std::string_view id) {
    if ((ends_.size() + 1) * 5 > slots_.size() * 4) grow();  // load factor <= 0.8
    const std::uint64_t h = hash(id);
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(&slots_[static_cast<std::size_t>(h) & (slots_.size() - 1)], 1);
#endif
    return h;
  }

  /// Adds `id` (of hash `h`, from `prepare`); false (and nothing added) when it is there already.
  bool insert(std::string_view id, std::uint64_t h) {
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.number == 0) {
        arena_.append(id);
        ends_.push_back(static_cast<std::uint32_t>(arena_.size()));
        slot = Slot{tag, static_cast<std::uint32_t>(ends_.size())};
        last_ = i;
        return true;
      }
      if (slot.tag == tag && text(slot.number - 1) == id) return false;
    }
  }

  bool contains(std::string_view id, std::uint64_t h) const {
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (slot.number == 0) return false;
      if (slot.tag == tag && text(slot.number - 1) == id) return true;
    }
  }

  /// Removes the id added last. Safe with linear probing: nothing added after it can sit on a
  /// probe path that crosses its slot.
  void erase_last() noexcept {
    if (ends_.empty()) return;
    slots_[last_] = Slot{};
    ends_.pop_back();
    arena_.resize(ends_.empty() ? 0 : ends_.back());
  }

 private:
  struct Slot {
    std::uint32_t tag = 0;     // high half of the hash
    std::uint32_t number = 0;  // 1 + index into ends_; 0: empty
  };

  std::string_view text(std::size_t k) const noexcept {
    std::size_t begin = k == 0 ? 0 : ends_[k - 1];
    return std::string_view(arena_.data() + begin, ends_[k] - begin);
  }

  // FNV-1a, then a final mix so that the low bits (the index) depend on every byte.
  static std::uint64_t hash(std::string_view s) noexcept {
    std::uint64_t h = 1469598103934665603ull;
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ull;
    h ^= h >> 32;
    return h;
  }

  void grow() {
    slots_.assign(slots_.empty() ? 1024 : slots_.size() * 2, Slot{});
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t k = 0; k < ends_.size(); ++k) {
      const std::uint64_t h = hash(text(k));
      std::size_t i = static_cast<std::size_t>(h) & mask;
      while (slots_[i].number != 0) i = (i + 1) & mask;
      slots_[i] = Slot{static_cast<std::uint32_t>(h >> 32), static_cast<std::uint32_t>(k + 1)};
      last_ = i;  // ends as the slot of the last id
    }
  }

  std::vector<Slot> slots_;
  std::string arena_;                // the ids, back to back
  std::vector<std::uint32_t> ends_;  // end of each id in arena_
  std::size_t last_ = 0;             // slot of the id added last
};

struct CreateBodyState {
  static constexpr std::size_t kMaxRequests = kMaxBatchRequests;
  std::size_t max_body_bytes;
  std::string body = R"({"requests":[)";
  std::size_t count = 0;
  CustomIdSet ids;
  std::string api_version;     // empty: no version rules checked
  bool version_rules = false;  // api_version is 2026-10-21 or later
  // Sizing a streamed body: every check runs, but only the request being written is kept
  // (and summed).
  bool discard = false;
  std::size_t discarded = 0;  // bytes written and dropped
  RunningChecksum dropped;    // their checksum

  // The body's size so far, what was dropped included.
  std::size_t total() const noexcept { return discarded + body.size(); }

  // BatchCreateBodyBuilder::check_api_version.
  void check_api_version(std::string_view version) {
    api_version.assign(version.data(), version.size());
    version_rules = !version.empty() && !is_legacy_api_version(version);
  }

  // Writes the end of the body, which must hold a request.
  void close() {
    if (count == 0) throw AnthropicInvalidRequestException("a batch needs at least one request");
    body += "]}";
  }

  // The checks of the count and of the id's pattern, before anything of the request is written.
  void check(std::string_view custom_id) const {
    if (count >= kMaxRequests) {
      throw AnthropicInvalidRequestException(
          "a batch holds at most 100,000 requests; " + at(count) + " is one too many", count);
    }
    if (!messages::is_valid_custom_id(custom_id)) {
      throw AnthropicInvalidRequestException(at(count) + ".custom_id " + quoted(custom_id) +
                                                 " must be 1 to 64 characters of [a-zA-Z0-9_-]",
                                             count);
    }
  }

  [[noreturn]] void duplicate(std::string_view custom_id) const {
    throw AnthropicInvalidRequestException(
        at(count) + ".custom_id " + quoted(custom_id) +
            " is used by an earlier request; custom_id must be unique within a batch",
        count);
  }

  // All the checks of the id, then the separator.
  void begin(std::string_view custom_id) {
    check(custom_id);
    begin_checked(custom_id);
  }

  // `begin` for a caller who already ran `check(custom_id)`.
  void begin_checked(std::string_view custom_id) {
    if (!ids.insert(custom_id, ids.prepare(custom_id))) duplicate(custom_id);
    if (count > 0) body.push_back(',');
  }

  void end(std::size_t size_before) {
    if (total() + 2 > max_body_bytes) {
      body.resize(size_before);
      ids.erase_last();
      throw AnthropicInvalidRequestException("the batch body would exceed the API's limit of " +
                                                 std::to_string(max_body_bytes) + " bytes at " +
                                                 at(count) + "; split the batch",
                                             count);
    }
    ++count;
    if (discard) {
      discarded += body.size();
      dropped.update(body.data(), body.size());
      body.clear();
    }
  }

  // BatchCreateBodyBuilder::add.
  template <class F>
  void add_typed(const typename messages::BasicMessageBatchCreateParams<F>::Request& request) {
    const std::size_t before = body.size();
    const std::string_view custom_id = request.custom_id;
    check(custom_id);
    // The uniqueness check waits until the request is written: its table slot is fetched from
    // memory meanwhile (a cache miss per request otherwise). A duplicate still wins over an error
    // in the request, and either way nothing of the request stays in the body.
    const std::uint64_t h = ids.prepare(custom_id);
    if (count > 0) body.push_back(',');
    try {
      if (version_rules) check_api_version_rules<F>(request.params, api_version);
      json::write_create_request<F>(body, request);
    } catch (const AnthropicInvalidRequestException& e) {
      body.resize(before);
      if (ids.contains(custom_id, h)) duplicate(custom_id);
      throw AnthropicInvalidRequestException(at(count) + ": " + e.what(), count);
    }
    if (!ids.insert(custom_id, h)) {
      body.resize(before);
      duplicate(custom_id);
    }
    end(before);
  }
};

template <class F>
CheckedCreateBody check_create_body(const messages::BasicMessageBatchCreateParams<F>& params,
                                    std::size_t max_body_bytes, std::string_view api_version) {
  CreateBodyState s;
  s.max_body_bytes = max_body_bytes;
  s.check_api_version(api_version);
  s.discard = true;
  for (const auto& request : params.requests) s.add_typed<F>(request);
  s.close();
  s.dropped.update(s.body.data(), s.body.size());
  return CheckedCreateBody{s.total(), s.dropped.digest()};
}

template CheckedCreateBody check_create_body(const messages::MessageBatchCreateParams&, std::size_t,
                                             std::string_view);
template CheckedCreateBody check_create_body(const beta::messages::BetaMessageBatchCreateParams&,
                                             std::size_t, std::string_view);

}  // namespace anthropic::internal

namespace anthropic::messages {

bool is_valid_custom_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}
template <class F>
BasicBatchCreateBodyBuilder<F>::BasicBatchCreateBodyBuilder(std::size_t max_body_bytes)
    : state_(std::make_unique<internal::CreateBodyState>()) {
  state_->max_body_bytes = max_body_bytes;
}
template <class F>
BasicBatchCreateBodyBuilder<F>::BasicBatchCreateBodyBuilder(
    BasicBatchCreateBodyBuilder&&) noexcept = default;
template <class F>
BasicBatchCreateBodyBuilder<F>& BasicBatchCreateBodyBuilder<F>::operator=(
    BasicBatchCreateBodyBuilder&&) noexcept = default;
template <class F>
BasicBatchCreateBodyBuilder<F>::~BasicBatchCreateBodyBuilder() = default;

template <class F>
void BasicBatchCreateBodyBuilder<F>::check_api_version(std::string_view api_version) {
  state_->check_api_version(api_version);
}

template <class F>
void BasicBatchCreateBodyBuilder<F>::reserve(std::size_t body_bytes) {
  state_->body.reserve(std::min(body_bytes, state_->max_body_bytes));
}

template <class F>
void BasicBatchCreateBodyBuilder<F>::add(
    const typename BasicMessageBatchCreateParams<F>::Request& request) {
  state_->add_typed<F>(request);
}

template <class F>
void BasicBatchCreateBodyBuilder<F>::add_raw(std::string_view custom_id,
                                             std::string_view params_json) {
  internal::CreateBodyState& s = *state_;
  s.check(custom_id);  // the count and the id's pattern first, as for a typed request
  const auto first = params_json.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || params_json[first] != '{') {
    throw AnthropicInvalidRequestException(internal::at(s.count) + ".params must be a JSON object",
                                           s.count);
  }
  // The params are read as the typed request (the pull reader, no DOM): valid JSON, the members
  // the API requires and the kinds of their values, then the version rules on the typed form.
  // Unknown members and block types pass (kept as extra_fields / RawJson); the text is sent as
  // given.
  try {
    typename F::MessageCreateParams typed;
    // A newer enum value in raw JSON is the API's to judge: kept, not refused.
    internal::json::model::decode_document(params_json, "params", typed, /*any_enum_value=*/true);
    if (s.version_rules) internal::check_api_version_rules<F>(typed, s.api_version);
  } catch (const AnthropicInvalidDataException& e) {
    // "params: `messages[0].role` is missing" -> "requests[3].params: ..."
    throw AnthropicInvalidRequestException(internal::at(s.count) + "." + e.what(), s.count);
  } catch (const AnthropicInvalidRequestException& e) {
    throw AnthropicInvalidRequestException(internal::at(s.count) + ": " + e.what(), s.count);
  }
  std::size_t before = s.body.size();
  s.begin_checked(custom_id);
  s.body += R"({"custom_id":)";
  internal::json::append_json_string(s.body, custom_id);
  s.body += R"(,"params":)";
  s.body.append(params_json);
  s.body.push_back('}');
  s.end(before);
}

template <class F>
std::size_t BasicBatchCreateBodyBuilder<F>::request_count() const noexcept {
  return state_->count;
}
template <class F>
std::size_t BasicBatchCreateBodyBuilder<F>::body_bytes() const noexcept {
  return state_->body.size();
}

template <class F>
EncodedBatchCreateParams BasicBatchCreateBodyBuilder<F>::finish(
    std::vector<std::string> betas, std::optional<std::string> user_profile_id,
    std::optional<std::string> workspace_id) && {
  state_->close();
  EncodedBatchCreateParams out;
  out.body = std::move(state_->body);
  out.request_count = state_->count;
  out.betas = std::move(betas);
  out.user_profile_id = std::move(user_profile_id);
  out.workspace_id = std::move(workspace_id);
  state_.reset();
  return out;
}

template class BasicBatchCreateBodyBuilder<GaFamily>;
template class BasicBatchCreateBodyBuilder<beta::messages::BetaFamily>;

}  // namespace anthropic::messages
