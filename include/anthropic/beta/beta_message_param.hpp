#pragma once

// Request-side types of the Messages API (a batch request's `params`): generated from the schema
// into <anthropic/beta/generated/beta_models.gen.hpp>. The factories declared there
// (`BetaMessageParam::user`, `BetaImageBlockParam::base64`, ...) are hand-written in
// src/beta/beta_message_param.cpp. Every optional field left empty is omitted from the JSON.

#include <anthropic/beta/beta_message.hpp>
