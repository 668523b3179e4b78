#include "store.hpp"

#include <algorithm>
#include <iterator>

namespace anthropic::internal::emulator {

namespace {
constexpr std::uint64_t kSeqLimit = 62ULL * 62 * 62;  // 3 base62 digits
}

Store::Store(BatchTiming timing, std::uint64_t seed)
    : timing_(timing),
      steady_base_(std::chrono::steady_clock::now()),
      wall_base_(std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count()),
      id_rng_(splitmix64(seed ^ 0x6d7367626174636bULL)) {}

Micros Store::now_locked() const {
  if (timing_.manual_clock) return wall_base_ + offset_;
  auto since = std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::steady_clock::now() - steady_base_)
                   .count();
  return wall_base_ + since + offset_;
}

Micros Store::now() const {
  std::lock_guard<std::mutex> lock(mu_);
  return now_locked();
}

void Store::open(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  if (persistence_) return;
  auto p = std::make_unique<Persistence>(dir);
  PersistedState state = p->load();
  offset_ = std::max(offset_, state.clock_offset);
  // Time never goes back across a restart; a manual clock resumes exactly where it stopped.
  if (state.clock_now > 0 && (timing_.manual_clock || now_locked() < state.clock_now)) {
    offset_ += state.clock_now - now_locked();
  }
  if (state.last_id_time > last_id_time_ ||
      (state.last_id_time == last_id_time_ && state.last_id_seq > last_id_seq_)) {
    last_id_time_ = state.last_id_time;
    last_id_seq_ = state.last_id_seq;
  }
  for (auto& entry : state.batches) batches_.insert_or_assign(entry.first, std::move(entry.second));
  persistence_ = std::move(p);
  persist_state_locked();
  const Micros t = now_locked();
  for (auto& entry : batches_) refresh_locked(entry.second, t);
}

void Store::persist_state_locked() {
  if (persistence_) {
    persistence_->write_state(offset_, now_locked(), last_id_time_, last_id_seq_);
  }
}

void Store::refresh_locked(Batch& b, Micros now) {
  if (b.refresh(now) && persistence_) persistence_->write_batch(b);
}

void Store::advance(Micros by) {
  std::lock_guard<std::mutex> lock(mu_);
  offset_ += std::max<Micros>(0, by);
  persist_state_locked();
  const Micros t = now_locked();
  for (auto& entry : batches_) refresh_locked(entry.second, t);
}

std::string Store::next_id_locked() {
  const Micros t = now_locked();
  if (t > last_id_time_) {
    last_id_time_ = t;
    last_id_seq_ = 0;
  } else if (++last_id_seq_ >= kSeqLimit) {
    ++last_id_time_;
    last_id_seq_ = 0;
  }
  // "01" + time (9 base62 digits: enough until the year 2398) + sequence (3) + random (10):
  // fixed width in ASCII-ordered base62, so id order is creation order.
  return "msgbatch_01" + base62(static_cast<std::uint64_t>(last_id_time_), 9) +
         base62(last_id_seq_, 3) + base62(id_rng_(), 10);
}

Batch Store::create(std::shared_ptr<const RequestSet> requests, std::string api_version) {
  Batch b;
  b.api_version = std::move(api_version);
  {
    std::lock_guard<std::mutex> lock(mu_);
    b.id = next_id_locked();
    b.created_at = now_locked();
  }
  b.expires_at = b.created_at + kDay;
  b.processing_time = timing_.processing_time;
  b.expiry_after = timing_.expiry_after;
  b.cancel_delay = timing_.processing_time / 4;
  b.requests = std::move(requests);

  std::unique_lock<std::mutex> lock(mu_);
  if (persistence_) {
    // The (possibly large) requests file is written without holding the store lock.
    Persistence* p = persistence_.get();
    lock.unlock();
    p->write_requests(b.id, *b.requests);
    lock.lock();
    persistence_->write_batch(b);
    persist_state_locked();
  }
  batches_.emplace(b.id, b);
  return b;
}

Store::Outcome Store::get(const std::string& id, Batch* out) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = batches_.find(id);
  if (it == batches_.end()) return Outcome::not_found;
  refresh_locked(it->second, now_locked());
  *out = it->second;
  return Outcome::ok;
}

Store::Outcome Store::cancel(const std::string& id, Batch* out) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = batches_.find(id);
  if (it == batches_.end()) return Outcome::not_found;
  Batch& b = it->second;
  const Micros t = now_locked();
  refresh_locked(b, t);
  if (b.status == Status::ended) {
    *out = b;
    return Outcome::conflict;
  }
  if (b.status == Status::in_progress) {
    b.status = Status::canceling;
    b.cancel_initiated_at = t;
    if (persistence_) persistence_->write_batch(b);
  }
  *out = b;
  return Outcome::ok;
}

Store::Outcome Store::remove(const std::string& id, Batch* out) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = batches_.find(id);
  if (it == batches_.end()) return Outcome::not_found;
  refresh_locked(it->second, now_locked());
  *out = it->second;
  if (it->second.status != Status::ended) return Outcome::conflict;
  batches_.erase(it);
  if (persistence_) persistence_->remove_batch(id);
  return Outcome::ok;
}

Store::Page Store::list(std::size_t limit, const std::optional<std::string>& after_id,
                        const std::optional<std::string>& before_id) {
  std::lock_guard<std::mutex> lock(mu_);
  const Micros t = now_locked();
  Page page;
  if (before_id && !after_id) {
    // The `limit` batches just newer than before_id, returned newest first.
    auto it = batches_.upper_bound(*before_id);
    for (; it != batches_.end() && page.data.size() < limit; ++it) {
      refresh_locked(it->second, t);
      page.data.push_back(it->second);
    }
    page.has_more = it != batches_.end();
    std::reverse(page.data.begin(), page.data.end());
    return page;
  }
  // Newest first from the end, or from just below after_id; stop above before_id if both.
  auto it = after_id ? batches_.lower_bound(*after_id) : batches_.end();
  auto in_range = [&](const std::string& id) { return !before_id || id > *before_id; };
  while (it != batches_.begin()) {
    auto prev = std::prev(it);
    if (!in_range(prev->first)) break;
    if (page.data.size() == limit) {
      page.has_more = true;
      break;
    }
    refresh_locked(prev->second, t);
    page.data.push_back(prev->second);
    it = prev;
  }
  return page;
}

std::size_t Store::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return batches_.size();
}

}  // namespace anthropic::internal::emulator
