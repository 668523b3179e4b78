#pragma once

#include <anthropic/beta/models/batch_params.hpp>
#include <anthropic/messages/batch_list_page.hpp>

namespace anthropic::beta::messages {

/// A page of `list` (the same type as the GA one).
using BatchListPage = ::anthropic::messages::BatchListPage;
/// Every batch from a page on (the same type as the GA one).
using BatchListAutoPager = ::anthropic::messages::BatchListAutoPager;

}  // namespace anthropic::beta::messages
