#include <anthropic/http/headers.hpp>

#include <algorithm>
#include <cstring>

namespace anthropic::http {

namespace {
char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
}  // namespace

bool header_name_equals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

Headers::Headers(std::initializer_list<Field> fields) : fields_(fields) {}

const std::string* Headers::find(std::string_view name) const noexcept {
  for (const auto& f : fields_) {
    if (header_name_equals(f.first, name)) return &f.second;
  }
  return nullptr;
}

std::string Headers::get(std::string_view name) const {
  const std::string* v = find(name);
  return v ? *v : std::string();
}

void Headers::set(std::string name, std::string value) {
  auto first = std::find_if(fields_.begin(), fields_.end(),
                            [&](const Field& f) { return header_name_equals(f.first, name); });
  if (first == fields_.end()) {
    fields_.emplace_back(std::move(name), std::move(value));
    return;
  }
  first->first = std::move(name);
  first->second = std::move(value);
  auto rest = std::remove_if(first + 1, fields_.end(), [&](const Field& f) {
    return header_name_equals(f.first, first->first);
  });
  fields_.erase(rest, fields_.end());
}

void Headers::add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

std::size_t Headers::remove(std::string_view name) {
  auto rest = std::remove_if(fields_.begin(), fields_.end(),
                             [&](const Field& f) { return header_name_equals(f.first, name); });
  std::size_t n = static_cast<std::size_t>(fields_.end() - rest);
  fields_.erase(rest, fields_.end());
  return n;
}

bool operator==(const Headers& a, const Headers& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.fields_.size(); ++i) {
    if (!header_name_equals(a.fields_[i].first, b.fields_[i].first) ||
        a.fields_[i].second != b.fields_[i].second) {
      return false;
    }
  }
  return true;
}

}  // namespace anthropic::http
