// Saving a space to a file and loading it back (SPEC section 2, Persistence).
//
// The file is text, one pair per line as "key text<TAB>value text", after a
// header line "tuplestar-snapshot v1 pairs=N" so a truncated file is caught.
// SaveSpace writes a temp file beside the target, fsyncs it, renames it over the
// target and fsyncs the directory: a crash mid-write leaves the old file whole.
// LoadSpace validates every line and says which line of which file is wrong.
#pragma once

#include <string>

#include "common/status.h"
#include "nodes/space.h"

namespace ts {

Status SaveSpace(const TupleSpace& space, const std::string& path);

// Replaces the contents of *space with the file's pairs. On error *space is
// left unchanged.
Status LoadSpace(const std::string& path, TupleSpace* space);

}  // namespace ts
