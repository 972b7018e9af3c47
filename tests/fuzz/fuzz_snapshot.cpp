// libFuzzer harness: the save-file reader (nodes/space/persistence.h), which
// a node runs on its own file at start. Input: the file's bytes.
// Properties: LoadSpaceFrom never throws; a bad file is kMalformedRequest
// naming "file:line:" and changes neither the space nor the position; a good
// file gives only well-formed pairs and a position that is 0:0 or has both
// parts at least 1; written out again in the documented format it loads back
// to the same pairs and position.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "common/tuple.h"
#include "nodes/space/persistence.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace ts;

constexpr const char* kName = "fuzz.tsv";

// The v2 text persistence.h describes, built here independently of SaveSpace.
std::string SaveFileText(const TupleSpace& space, SnapshotPosition at) {
  std::string text = "tuplestar-snapshot v2 pairs=" + std::to_string(space.size()) + " term=" +
                     std::to_string(at.term) + " seq=" + std::to_string(at.seq) + "\n";
  for (const auto& [key, value] : space.pairs()) {
    text.append(key).append("\t").append(value).append("\n");
  }
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in{std::string(ts::fuzz::AsView(data, size))};
  TupleSpace space;
  space.Upsert("keep", "me");
  SnapshotPosition at{7, 9};
  Status status = LoadSpaceFrom(in, kName, &space, &at);
  if (!status.ok()) {
    const Error& error = status.error();
    FUZZ_CHECK(error.kind == ErrorKind::kMalformedRequest, error.message);
    FUZZ_CHECK(error.message.rfind(std::string(kName) + ":", 0) == 0, error.message);
    FUZZ_CHECK(space.size() == 1 && space.pairs().at("keep") == "me", "a failed load changed the space");
    FUZZ_CHECK(at == (SnapshotPosition{7, 9}), "a failed load changed the position");
    return 0;
  }
  FUZZ_CHECK((at.term == 0) == (at.seq == 0), "position " + std::to_string(at.term) + ":" + std::to_string(at.seq));
  for (const auto& [key, value] : space.pairs()) {
    FUZZ_CHECK(IsWellFormedTupleText(key) && IsWellFormedTupleText(value),
               "loaded pair '" + std::string(key) + "' -> '" + std::string(value) + "'");
  }
  std::istringstream again_in{SaveFileText(space, at)};
  TupleSpace again;
  SnapshotPosition again_at;
  Status reloaded = LoadSpaceFrom(again_in, kName, &again, &again_at);
  FUZZ_CHECK(reloaded.ok(), reloaded.error().message);
  FUZZ_CHECK(again.pairs() == space.pairs() && again_at == at, "a loaded space written out loads differently");
  return 0;
}
