#include <nlohmann/json.hpp>

// The parent project's own use of nlohmann/json, linked into the same program as the SDK.
int parent_json_size() { return static_cast<int>(nlohmann::json{{"a", 1}}.size()); }
