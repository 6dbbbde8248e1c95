#include "rnnkit/framework/messages.h"

#include <cstdio>
#include <mutex>
#include <string>
#include <utility>

namespace rnnkit {
namespace {

std::mutex sink_mutex;
MessageSink& process_sink() {
  static MessageSink sink;
  return sink;
}
thread_local std::ostream* scoped_stream = nullptr;

}  // namespace

void set_message_sink(MessageSink sink) {
  const std::lock_guard lock(sink_mutex);
  process_sink() = std::move(sink);
}

void warn(std::string_view message) {
  if (scoped_stream) {
    *scoped_stream << message << '\n';
    return;
  }
  const std::lock_guard lock(sink_mutex);
  if (process_sink()) {
    process_sink()(message);
    return;
  }
  const std::string line = std::string(message) + '\n';
  std::fputs(line.c_str(), stderr);
}

ScopedMessageSink::ScopedMessageSink(std::ostream& out) : previous_(scoped_stream) {
  scoped_stream = &out;
}

ScopedMessageSink::~ScopedMessageSink() { scoped_stream = previous_; }

}  // namespace rnnkit
