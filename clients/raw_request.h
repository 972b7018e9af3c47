// Requests that are wrong on purpose, for tsctl's put-raw: a purported pair
// list sent exactly as a person typed it, so that a malformed list reaches the
// server (the codec's EncodeRequest can only write well-shaped pair lists).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "schema/messages.h"

namespace ts {

// A ClientRequest frame whose pair list is `items` taken two at a time as key
// and value, each split on ',' without validation ("a,,b" -> {"a","","b"}).
// With an odd count the last pair has a key and NO value (a null pointer on
// the wire), which the server must answer as a malformed pair list.
std::string EncodePurportedPairList(const RequestId& id, std::string_view op_name,
                                    const std::vector<std::string>& items);

}  // namespace ts
