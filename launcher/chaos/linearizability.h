// Linearizability of one key's history (launcher/chaos/key_history.h) against
// the tuple space's per-key register: the Wing-Gong / Lowe search (WGL, as in
// Porcupine and Knossos) with memoisation of (linearized set, state).
//
// The register (SPEC section 1): absent or one value. PUT inserts when absent
// (reply "inserted"), else leaves it (rejected "key_present"); POST updates
// when present ("updated"), else leaves it ("key_absent"); GET sees the
// state; DELETE sees it and makes it absent. An unknown operation never
// completes: it may take effect at any point after its invoke, and "never"
// is the same as "after everything else", so the search always places it.
// Operations completing and invoking at the same nanosecond count as
// concurrent (no false alarm from a clock tie).
//
// The search is exponential in the worst case (many unknowns pending at
// once); it gives up after `max_states` memoised states and says so.
#pragma once

#include <cstddef>
#include <vector>

#include "launcher/chaos/key_history.h"

namespace ts::chaos {

// Memoised states one key may use before the search gives up (each a few
// words: see Memo in linearizability.cpp): bounded memory, never a hang.
inline constexpr size_t kDefaultMaxSearchStates = 4'000'000;

enum class Verdict { kLinearizable, kNotLinearizable, kGaveUp };

struct KeyCheck {
  Verdict verdict = Verdict::kLinearizable;
  size_t states = 0;  // memoised states explored
  // The latest return the search was stuck at (not linearizable: no branch
  // got past it).
  int64_t stuck_ns = 0;
};

// From the initial state "absent" (a fresh cluster).
KeyCheck CheckKeyLinearizable(const std::vector<KeyOp>& ops, size_t max_states = kDefaultMaxSearchStates);

// From whichever initial state makes it work (for windows cut out of the
// middle of a history): linearizable when some initial state is. Relies on
// values being unique per write (tschaos-history's are): a value written
// inside `ops` cannot be the state before them.
KeyCheck CheckKeyFromAnyState(const std::vector<KeyOp>& ops, size_t max_states = kDefaultMaxSearchStates);

// A failing history shrunk to a smallest failing window: the prefix up to
// where the search was stuck (fails from "absent"), then its latest start
// that still fails from any state. Returns `ops` itself when shrinking finds
// nothing smaller.
// `whole`: CheckKeyLinearizable(ops) when the caller has it already.
std::vector<KeyOp> ShrinkFailure(const std::vector<KeyOp>& ops, size_t max_states = kDefaultMaxSearchStates,
                                 const KeyCheck* whole = nullptr);

}  // namespace ts::chaos
