#include "layers/apply/state.hpp"

#include <nlohmann/json.hpp>

#include "layers/util/hex.hpp"
#include "layers/util/json.hpp"

namespace bc {

using json = nlohmann::json;

namespace {

constexpr int kStateSchema = 1;

json entry_json(const Entry& e) {
  json j = {{"p", e.path}, {"t", to_string(e.type)}, {"m", e.mode}};
  if (e.type == EntryType::file) {
    j["s"] = e.size;
    j["r"] = to_hex(e.root);
  }
  if (e.type == EntryType::symlink) j["l"] = e.target;
  return j;
}

Entry entry_from(const json& j) {
  Entry e;
  e.path = j.at("p").get<std::string>();
  std::string t = j.at("t").get<std::string>();
  if (t == "file")
    e.type = EntryType::file;
  else if (t == "dir")
    e.type = EntryType::dir;
  else if (t == "symlink")
    e.type = EntryType::symlink;
  else
    throw std::runtime_error("bad entry type '" + t + "'");
  e.mode = j.at("m").get<uint32_t>();
  if (e.type == EntryType::file) {
    e.size = j.at("s").get<uint64_t>();
    auto bytes = from_hex(j.at("r").get<std::string>());
    if (!bytes || bytes->size() != 32) throw std::runtime_error("bad root");
    std::copy(bytes->begin(), bytes->end(), e.root.begin());
  }
  if (e.type == EntryType::symlink) e.target = j.at("l").get<std::string>();
  return e;
}

json state_json(const TargetState& s) {
  json entries = json::array();
  for (const auto& [path, ie] : s.installed) {
    json j = entry_json(ie.entry);
    j["o"] = ie.owner;
    if (ie.stamp) {
      const auto& st = *ie.stamp;
      j["st"] = {st.dev, st.ino, st.size, st.mtime_ns, st.ctime_ns};
    }
    entries.push_back(std::move(j));
  }
  return {{"schema", kStateSchema},
          {"generation", s.generation},
          {"txn", s.txn},
          {"stack", s.stack},
          {"installed", std::move(entries)}};
}

TargetState state_from(const json& j) {
  if (j.at("schema").get<int>() != kStateSchema) throw std::runtime_error("unknown schema");
  TargetState s;
  s.generation = j.at("generation").get<int64_t>();
  s.txn = j.at("txn").get<uint64_t>();
  s.stack = j.at("stack").get<std::vector<std::string>>();
  for (const auto& e : j.at("installed")) {
    InstalledEntry ie;
    ie.entry = entry_from(e);
    ie.owner = e.at("o").get<std::string>();
    if (e.contains("st")) {
      const auto& st = e.at("st");
      ie.stamp =
          InstallStamp{st.at(0).get<uint64_t>(), st.at(1).get<uint64_t>(), st.at(2).get<uint64_t>(),
                       st.at(3).get<int64_t>(), st.at(4).get<int64_t>()};
    }
    std::string path = ie.entry.path;
    s.installed.emplace(std::move(path), std::move(ie));
  }
  return s;
}

json ops_json(const std::vector<Op>& ops) {
  json arr = json::array();
  for (const Op& op : ops) {
    json j = {{"k", to_string(op.kind)},
              {"p", op.path},
              {"a", to_string(op.area)},
              {"s", op.slot},
              {"m", op.mode},
              {"om", op.old_mode},
              {"d", to_string(op.moved)}};
    if (op.kind == OpKind::move_in && op.area == SlotArea::stage) {
      j["e"] = entry_json(op.entry);
      j["l"] = op.layer;
    }
    arr.push_back(std::move(j));
  }
  return arr;
}

template <class E>
E enum_from(const std::string& s, std::initializer_list<E> all) {
  for (E e : all)
    if (s == to_string(e)) return e;
  throw std::runtime_error("unknown value '" + s + "'");
}

std::vector<Op> ops_from(const json& arr) {
  std::vector<Op> ops;
  for (const auto& j : arr) {
    Op op;
    op.kind = enum_from<OpKind>(j.at("k").get<std::string>(),
                                {OpKind::move_out, OpKind::move_in, OpKind::make_dir,
                                 OpKind::remove_dir, OpKind::set_mode});
    op.path = j.at("p").get<std::string>();
    op.area = enum_from<SlotArea>(
        j.at("a").get<std::string>(),
        {SlotArea::none, SlotArea::stage, SlotArea::snapshot, SlotArea::trash, SlotArea::rescued});
    op.slot = j.at("s").get<uint64_t>();
    op.mode = j.at("m").get<uint32_t>();
    op.old_mode = j.at("om").get<uint32_t>();
    op.moved = enum_from<DiskType>(
        j.at("d").get<std::string>(),
        {DiskType::absent, DiskType::file, DiskType::dir, DiskType::symlink, DiskType::other});
    if (j.contains("e")) {
      op.entry = entry_from(j.at("e"));
      op.layer = j.at("l").get<size_t>();
    }
    ops.push_back(std::move(op));
  }
  return ops;
}

template <class F>
auto decode_with(std::string_view bytes, const char* what, F&& f) -> Result<decltype(f(json()))> {
  JsonLimits limits;
  limits.max_bytes = kMaxStateBytes;
  limits.max_depth = 8;
  auto j = parse_json(bytes, limits);
  if (!j.ok()) return Status::corruption(std::string(what) + ": " + j.status().message());
  try {
    return f(*j);
  } catch (const std::exception& e) {
    return Status::corruption(std::string(what) + ": " + e.what());
  }
}

}  // namespace

std::string encode_state(const TargetState& s) { return state_json(s).dump() + "\n"; }

Result<TargetState> decode_state(std::string_view bytes) {
  return decode_with(bytes, "state.json", [](const json& j) { return state_from(j); });
}

std::string encode_record(const GenerationRecord& r) {
  json j = {{"generation", r.generation},
            {"stack", r.stack},
            {"ops", ops_json(r.ops)},
            {"prev", state_json(r.prev)}};
  return j.dump() + "\n";
}

Result<GenerationRecord> decode_record(std::string_view bytes) {
  return decode_with(bytes, "record.json", [](const json& j) {
    GenerationRecord r;
    r.generation = j.at("generation").get<int64_t>();
    r.stack = j.at("stack").get<std::vector<std::string>>();
    r.ops = ops_from(j.at("ops"));
    r.prev = state_from(j.at("prev"));
    return r;
  });
}

std::string encode_journal(const Journal& jr) {
  json j = {{"txn", jr.txn},
            {"kind", jr.kind == TxnKind::apply ? "apply" : "rollback"},
            {"generation", jr.generation},
            {"ops", ops_json(jr.ops)},
            {"new_state", state_json(jr.new_state)},
            {"fresh", jr.fresh}};
  return j.dump() + "\n";
}

Result<Journal> decode_journal(std::string_view bytes) {
  return decode_with(bytes, "journal.json", [](const json& j) {
    Journal jr;
    jr.txn = j.at("txn").get<uint64_t>();
    std::string kind = j.at("kind").get<std::string>();
    if (kind != "apply" && kind != "rollback") throw std::runtime_error("bad kind");
    jr.kind = kind == "apply" ? TxnKind::apply : TxnKind::rollback;
    jr.generation = j.at("generation").get<int64_t>();
    jr.ops = ops_from(j.at("ops"));
    jr.new_state = state_from(j.at("new_state"));
    jr.fresh = j.at("fresh").get<std::set<std::string>>();
    return jr;
  });
}

}  // namespace bc
