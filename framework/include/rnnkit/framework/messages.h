#pragma once

#include <functional>
#include <ostream>
#include <string_view>

namespace rnnkit {

/// Receives one warning of the library's, without a trailing newline.
using MessageSink = std::function<void(std::string_view message)>;

/// Sets where every warning of the library goes, process-wide (thread-safe). The default, and a
/// null `sink`, write "<message>\n" to stderr.
void set_message_sink(MessageSink sink);

/// Sends `message` to the sink in force on this thread: the innermost ScopedMessageSink, else
/// the process-wide one.
void warn(std::string_view message);

/// Sends this thread's warnings to `out` (one line each) while it lives, as fit(), evaluate()
/// and predict() do for their `output` stream. Nests; not movable.
class ScopedMessageSink {
 public:
  explicit ScopedMessageSink(std::ostream& out);
  ~ScopedMessageSink();
  ScopedMessageSink(const ScopedMessageSink&) = delete;
  ScopedMessageSink& operator=(const ScopedMessageSink&) = delete;

 private:
  std::ostream* previous_;
};

}  // namespace rnnkit
