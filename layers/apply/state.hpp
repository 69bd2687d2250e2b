// What apply keeps under ROOT/.branchcast, and its JSON encoding:
//   state.json               TargetState: the applied stack, generation, stamps
//   gens/<G>/record.json     GenerationRecord: what apply G did, and the state before it
//   gens/<G>/snap/<slot>     items apply G displaced or removed
//   txn/journal.json         Journal: a prepared transaction (present => must finish)
//   txn/stage/<slot>         verified new content waiting to be renamed in
//   txn/trash/<slot>         items a rollback removed, deleted at commit
//   rescued/<G>-<txn>-<slot> user data a rollback had to move out of the way
//   lock                     flock(2): one apply/rollback at a time
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "layers/apply/plan.hpp"

namespace bc {

inline constexpr size_t kMaxStateBytes = size_t(1) << 30;  // 1 GiB: ~2M entries with stamps

struct TargetState {
  int64_t generation = 0;          // 0: nothing applied (the original tree)
  uint64_t txn = 0;                // id of the transaction that wrote this state
  std::vector<std::string> stack;  // "name@version", base first
  InstalledSet installed;
};

struct GenerationRecord {
  int64_t generation = 0;
  std::vector<std::string> stack;
  std::vector<Op> ops;  // the apply plan as run
  TargetState prev;     // the state rollback returns to
};

enum class TxnKind { apply, rollback };

struct Journal {
  uint64_t txn = 0;  // matches TargetState::txn once committed
  TxnKind kind = TxnKind::apply;
  int64_t generation = 0;  // apply: the new generation; rollback: the one undone
  std::vector<Op> ops;
  TargetState new_state;        // written at commit (stamps refreshed then)
  std::set<std::string> fresh;  // paths whose stamps are taken fresh at commit
};

std::string encode_state(const TargetState& s);
Result<TargetState> decode_state(std::string_view bytes);
std::string encode_record(const GenerationRecord& r);
Result<GenerationRecord> decode_record(std::string_view bytes);
std::string encode_journal(const Journal& j);
Result<Journal> decode_journal(std::string_view bytes);

}  // namespace bc
