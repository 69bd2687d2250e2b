#include "layers/util/redact.hpp"

#include <array>
#include <cctype>

namespace bc {

namespace {

constexpr std::array<std::string_view, 6> kSecretParams = {"bckey", "key", "token", "passkey", "access_token", "sig"};

bool equals_nocase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

bool ends_value(char c) {
  return c == '&' || c == '#' || c == '"' || c == '\'' || std::isspace(static_cast<unsigned char>(c));
}

bool secret_name(std::string_view name) {
  for (std::string_view s : kSecretParams)
    if (equals_nocase(name, s)) return true;
  return false;
}

}  // namespace

std::string redact_secrets(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    out += c;
    ++i;
    if (c != '?' && c != '&') continue;
    size_t eq = i;
    while (eq < text.size() && text[eq] != '=' && !ends_value(text[eq]) && eq - i <= 32) ++eq;
    if (eq >= text.size() || text[eq] != '=' || !secret_name(text.substr(i, eq - i))) continue;
    out.append(text.substr(i, eq + 1 - i));
    out.append(kRedacted);
    i = eq + 1;
    while (i < text.size() && !ends_value(text[i])) ++i;
  }
  return out;
}

}  // namespace bc
