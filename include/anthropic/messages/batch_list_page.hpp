#pragma once

#include <anthropic/client_options.hpp>
#include <anthropic/export.hpp>
#include <anthropic/models/message_batch.hpp>

#include <cstddef>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

// Internal (not part of the API): declared here because the page's templates use it.
namespace anthropic::internal {
// What a page calls `list` on: the base class a service or a connection names (so that a
// subclass whose override is private still works, as it does through a base pointer), else the
// type itself.
template <class S, class = void>
struct ConnectionListerTarget {
  using type = S;
};
template <class S>
struct ConnectionListerTarget<S, std::void_t<typename S::BatchServiceConnection>> {
  using type = typename S::BatchServiceConnection;
};
template <class S, class = void>
struct ListerTarget : ConnectionListerTarget<S> {};
template <class S>
struct ListerTarget<S, std::void_t<typename S::BatchService>> {
  using type = typename S::BatchService;
};
template <class S>
using ListerTargetT = typename ListerTarget<S>::type;
}  // namespace anthropic::internal

namespace anthropic::messages {

class BatchListAutoPager;

/// One page of `list`: batches newest first, plus the cursors to the neighbouring pages. The same
/// type for the GA and the beta service (`beta::messages::BatchListPage` is an alias).
///
/// `next_page()` asks the service that produced the page for the following one with the same
/// params and options: forwards (`after_id = last_id`) normally, backwards (`before_id =
/// first_id`) when the first request used `before_id`. A page from the SDK's service keeps that
/// service (its configuration and connection pool) alive, so it stays usable after the last
/// `Client` copy is gone. Copyable.
class ANTHROPIC_EXPORT BatchListPage {
 public:
  /// Fetches a page: what `next_page()` calls.
  using Lister = std::function<BatchListPage(const MessageBatchListParams&, const RequestOptions&)>;

  /// The batches of this page, newest first.
  std::vector<MessageBatch> data;
  /// Whether the server has more batches in the direction of travel (absent on the wire: true).
  bool has_more = false;
  /// Id of the first (newest) batch of the page: the cursor for the page before it.
  std::optional<std::string> first_id;
  /// Id of the last (oldest) batch of the page: the cursor for the page after it.
  std::optional<std::string> last_id;

  /// An empty page with no next page.
  BatchListPage() = default;
  /// A page as decoded from a response to `params`; `service` (a GA or beta `BatchService`, or
  /// anything with their `list(params, options)`) fetches the next page. The page does not own a
  /// service given by pointer: it must outlive the page.
  template <
      class Service, class Target = internal::ListerTargetT<Service>,
      class = decltype(std::declval<Target&>().list(std::declval<const MessageBatchListParams&>(),
                                                    std::declval<const RequestOptions&>()))>
  BatchListPage(std::vector<MessageBatch> data_, bool has_more_,
                std::optional<std::string> first_id_, std::optional<std::string> last_id_,
                Service* service, MessageBatchListParams params = {}, RequestOptions options = {})
      : BatchListPage(std::move(data_), has_more_, std::move(first_id_), std::move(last_id_),
                      service == nullptr
                          ? Lister()
                          : Lister([target = static_cast<Target*>(service)](
                                       const MessageBatchListParams& p, const RequestOptions& o) {
                              return target->list(p, o);
                            }),
                      std::move(params), std::move(options)) {}
  /// As above, sharing ownership of `service`: the page keeps it alive.
  template <
      class Service, class Target = internal::ListerTargetT<Service>,
      class = decltype(std::declval<Target&>().list(std::declval<const MessageBatchListParams&>(),
                                                    std::declval<const RequestOptions&>()))>
  BatchListPage(std::vector<MessageBatch> data_, bool has_more_,
                std::optional<std::string> first_id_, std::optional<std::string> last_id_,
                std::shared_ptr<Service> service, MessageBatchListParams params = {},
                RequestOptions options = {})
      : BatchListPage(std::move(data_), has_more_, std::move(first_id_), std::move(last_id_),
                      service == nullptr
                          ? Lister()
                          : Lister([target = std::shared_ptr<Target>(std::move(service))](
                                       const MessageBatchListParams& p, const RequestOptions& o) {
                              return target->list(p, o);
                            }),
                      std::move(params), std::move(options)) {}
  /// A page without a service (for a page built by hand, e.g. in a mock): it has no next page.
  BatchListPage(std::vector<MessageBatch> data, bool has_more, std::optional<std::string> first_id,
                std::optional<std::string> last_id, std::nullptr_t = nullptr,
                MessageBatchListParams params = {}, RequestOptions options = {});
  /// A page whose next page comes from `lister` (empty: none).
  BatchListPage(std::vector<MessageBatch> data, bool has_more, std::optional<std::string> first_id,
                std::optional<std::string> last_id, Lister lister,
                MessageBatchListParams params = {}, RequestOptions options = {});

  /// Data is not empty, `has_more` is true, and the cursor for the direction of travel is set.
  bool has_next_page() const noexcept;
  /// The params that fetch the next page. Precondition: `has_next_page()`.
  MessageBatchListParams next_page_params() const;
  /// Fetches the next page; throws `AnthropicInvalidRequestException` (nothing is sent) when
  /// there is none.
  BatchListPage next_page() const;

  /// Every batch from this page on: `for (const auto& b : batches.list(p).auto_paging())`.
  BatchListAutoPager auto_paging() const;

 private:
  Lister lister_;
  MessageBatchListParams params_;
  RequestOptions options_;
};

/// A lazy range over every batch of a page and all following pages; each further page is
/// fetched when the iteration reaches it. Errors of those fetches propagate from `++`.
///
///     for (const anthropic::messages::MessageBatch& b : batches.list().auto_paging()) {
///       if (b.processing_status == anthropic::messages::ProcessingStatus::in_progress) ...
///     }
///
/// Each `begin()` starts again from the first page (fetching the following pages again).
class ANTHROPIC_EXPORT BatchListAutoPager {
 public:
  /// Single-pass input iterator over the batches; the page it stands on is shared by its copies.
  class ANTHROPIC_EXPORT iterator {
   public:
    ///@{
    /// Standard iterator trait.
    using iterator_category = std::input_iterator_tag;
    using value_type = MessageBatch;
    using difference_type = std::ptrdiff_t;
    using pointer = const MessageBatch*;
    using reference = const MessageBatch&;
    ///@}

    /// The end iterator.
    iterator() = default;
    /// The current batch; valid until the iterator moves to the next page.
    reference operator*() const { return page_->data[index_]; }
    /// The current batch, as a pointer.
    pointer operator->() const { return &page_->data[index_]; }
    /// Moves to the next batch, fetching the next page when this one is done (throwing what
    /// `list` throws).
    iterator& operator++();
    /// As prefix `++`.
    void operator++(int) { ++*this; }
    ///@{
    /// Equal when on the same batch of the same page (every end iterator is equal).
    friend bool operator==(const iterator& a, const iterator& b) {
      return a.page_ == b.page_ && a.index_ == b.index_;
    }
    friend bool operator!=(const iterator& a, const iterator& b) { return !(a == b); }
    ///@}

   private:
    friend class BatchListAutoPager;
    explicit iterator(std::shared_ptr<BatchListPage> page);
    void skip_empty_pages();
    std::shared_ptr<BatchListPage> page_;
    std::size_t index_ = 0;
  };

  /// A range starting at `first`'s first batch.
  explicit BatchListAutoPager(BatchListPage first) : first_(std::move(first)) {}
  /// The first batch of the first page (skipping empty pages, which may fetch).
  iterator begin() const { return iterator(std::make_shared<BatchListPage>(first_)); }
  /// Past the last batch of the last page.
  iterator end() const { return iterator(); }

 private:
  BatchListPage first_;
};

inline BatchListAutoPager BatchListPage::auto_paging() const { return BatchListAutoPager(*this); }

}  // namespace anthropic::messages
