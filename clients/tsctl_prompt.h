// tsctl's interactive prompt. On a terminal: libedit line editing, with
// history kept across runs in ~/.tsctl_history. Otherwise (input piped in,
// e.g. `tsctl < commands.txt`): plain lines, no prompt, no history. Either way
// every line goes through the same Session as one-shot commands, until `quit`
// or the end of input.
#pragma once

#include "clients/tsctl_session.h"

namespace ts::tsctl {

// Returns the worst (highest) exit code of the commands run: 0 when every
// one succeeded, so `tsctl < script` fails when any line failed.
int RunPrompt(Session& session);

}  // namespace ts::tsctl
