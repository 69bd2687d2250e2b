// Something whose state moves forward in generations and can tell a waiter
// when it next changes: what long polls wait on. Implemented by Store.
#pragma once

#include <cstdint>
#include <functional>

namespace bc::tracker {

class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;
  virtual uint64_t generation() const = 0;
  // fn runs once, on the writing thread, after the next change.
  virtual uint64_t on_next_change(std::function<void()> fn) = 0;
  // False when the watcher already fired (or never existed).
  virtual bool cancel(uint64_t id) = 0;
};

}  // namespace bc::tracker
