#include "tracker/bt/bencode.hpp"

namespace bc::tracker::bt {

void BencodeWriter::fail(std::string why) {
  if (error_.empty()) error_ = std::move(why);
}

void BencodeWriter::before_value() {
  if (stack_.empty()) {
    if (++top_values_ > 1) fail("bencode: more than one top-level value");
    return;
  }
  Frame& f = stack_.back();
  if (!f.dict) return;
  if (f.expect_key) fail("bencode: a value where a dict key belongs");
  f.expect_key = true;
}

void BencodeWriter::integer(int64_t v) {
  before_value();
  out_ += 'i';
  out_ += std::to_string(v);
  out_ += 'e';
}

void BencodeWriter::string(std::string_view bytes) {
  before_value();
  out_ += std::to_string(bytes.size());
  out_ += ':';
  out_.append(bytes.data(), bytes.size());
}

void BencodeWriter::begin_list() {
  before_value();
  if (stack_.size() == kMaxBencodeDepth) fail("bencode: nesting deeper than " + std::to_string(kMaxBencodeDepth));
  stack_.push_back(Frame{false});
  out_ += 'l';
}

void BencodeWriter::begin_dict() {
  before_value();
  if (stack_.size() == kMaxBencodeDepth) fail("bencode: nesting deeper than " + std::to_string(kMaxBencodeDepth));
  stack_.push_back(Frame{true});
  out_ += 'd';
}

void BencodeWriter::key(std::string_view k) {
  if (stack_.empty() || !stack_.back().dict || !stack_.back().expect_key) {
    fail("bencode: key '" + std::string(k) + "' outside a dict or where a value belongs");
    return;
  }
  Frame& f = stack_.back();
  if (f.has_key && !(f.last_key < k)) fail("bencode: dict key '" + std::string(k) + "' is not after '" + f.last_key + "'");
  f.last_key = std::string(k);
  f.has_key = true;
  f.expect_key = false;
  out_ += std::to_string(k.size());
  out_ += ':';
  out_.append(k.data(), k.size());
}

void BencodeWriter::end() {
  if (stack_.empty()) {
    fail("bencode: end() without an open list or dict");
    return;
  }
  if (stack_.back().dict && !stack_.back().expect_key) fail("bencode: dict key '" + stack_.back().last_key + "' has no value");
  stack_.pop_back();
  out_ += 'e';
}

Result<std::string> BencodeWriter::finish() && {
  if (!stack_.empty()) fail("bencode: " + std::to_string(stack_.size()) + " list/dict left open");
  if (top_values_ == 0) fail("bencode: nothing written");
  if (!error_.empty()) return Status::internal(error_);
  return std::move(out_);
}

}  // namespace bc::tracker::bt
