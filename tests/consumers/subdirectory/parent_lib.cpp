#include <anthropic/anthropic.hpp>

#include <string>

// A library of the parent project, installed with its own export set, that uses the SDK.
std::string parent_sdk_version() { return anthropic::version; }
