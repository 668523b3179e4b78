#pragma once

// Request-side types of the GA Messages API (`MessageCreateParams`, a batch request's `params`):
// generated from the schema into <anthropic/generated/models.gen.hpp>. The factories declared
// there (`MessageParam::user`, `ImageBlockParam::base64`, `DocumentBlockParam::pdf_base64`, ...)
// are hand-written in src/message_param.cpp. Every optional field left empty is omitted from the
// JSON.

#include <anthropic/message.hpp>
