#include <anthropic/messages/batch_list_page.hpp>

#include <anthropic/errors.hpp>

namespace anthropic::messages {

BatchListPage::BatchListPage(std::vector<MessageBatch> data_, bool has_more_,
                             std::optional<std::string> first_id_,
                             std::optional<std::string> last_id_, std::nullptr_t,
                             MessageBatchListParams params, RequestOptions options)
    : BatchListPage(std::move(data_), has_more_, std::move(first_id_), std::move(last_id_),
                    Lister(), std::move(params), std::move(options)) {}

BatchListPage::BatchListPage(std::vector<MessageBatch> data_, bool has_more_,
                             std::optional<std::string> first_id_,
                             std::optional<std::string> last_id_, Lister lister,
                             MessageBatchListParams params, RequestOptions options)
    : data(std::move(data_)),
      has_more(has_more_),
      first_id(std::move(first_id_)),
      last_id(std::move(last_id_)),
      lister_(std::move(lister)),
      params_(std::move(params)),
      options_(std::move(options)) {}

bool BatchListPage::has_next_page() const noexcept {
  if (!lister_ || data.empty() || !has_more) return false;
  // Paging backwards (the caller started with before_id) follows first_id; forwards, last_id.
  return params_.before_id ? first_id.has_value() : last_id.has_value();
}

MessageBatchListParams BatchListPage::next_page_params() const {
  MessageBatchListParams next = params_;
  if (params_.before_id) {
    next.before_id = first_id;
    next.after_id.reset();
  } else {
    next.after_id = last_id;
    next.before_id.reset();
  }
  return next;
}

BatchListPage BatchListPage::next_page() const {
  if (!has_next_page()) {
    throw AnthropicInvalidRequestException(
        "BatchListPage::next_page: there is no next page (check has_next_page() first)");
  }
  return lister_(next_page_params(), options_);
}

BatchListAutoPager::iterator::iterator(std::shared_ptr<BatchListPage> page)
    : page_(std::move(page)) {
  skip_empty_pages();
}

BatchListAutoPager::iterator& BatchListAutoPager::iterator::operator++() {
  ++index_;
  skip_empty_pages();
  return *this;
}

void BatchListAutoPager::iterator::skip_empty_pages() {
  while (page_ && index_ >= page_->data.size()) {
    if (page_->has_next_page()) {
      page_ = std::make_shared<BatchListPage>(page_->next_page());
    } else {
      page_.reset();
    }
    index_ = 0;
  }
}

}  // namespace anthropic::messages
