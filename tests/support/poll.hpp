// Bounded waits: a test waits for a fact, never for a guessed time.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace bc::test {

// Asks `pred` every `step_ms` until it holds or `limit_ms` has passed, then
// once more; whether it held. The step only spaces the questions: the wait
// ends as soon as the fact is true.
inline bool eventually(const std::function<bool()>& pred, int limit_ms = 5000, int step_ms = 5) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(limit_ms);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(step_ms));
  }
  return pred();
}

}  // namespace bc::test
