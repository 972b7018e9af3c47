// tsctl's interactive prompt. On a terminal: libedit line editing (emacs
// keys), Tab completion of command names and options (tsctl_complete.h),
// Ctrl-C drops the line being typed (and ends a request being waited for)
// without leaving, and history in ~/.tsctl_history, each line appended as it
// is entered (tsctl_history.h). Otherwise (input piped in, e.g. `tsctl <
// commands.txt`): plain lines, no prompt, no history; blank lines and lines
// starting with '#' are skipped. Either way every line goes through the same
// Session as one-shot commands, until `quit` or the end of input.
#pragma once

#include "clients/tsctl_session.h"

namespace ts::tsctl {

// Returns the worst (highest) exit code of the commands run: 0 when every
// one succeeded, so `tsctl < script` fails when any line failed.
int RunPrompt(Session& session);

}  // namespace ts::tsctl
