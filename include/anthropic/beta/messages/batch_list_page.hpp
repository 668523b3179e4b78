#pragma once

#include <anthropic/beta/messages/batch_params.hpp>
#include <anthropic/messages/batch_list_page.hpp>

namespace anthropic::beta::messages {

using BatchListPage = ::anthropic::messages::BatchListPage;
using BatchListAutoPager = ::anthropic::messages::BatchListAutoPager;

}  // namespace anthropic::beta::messages
