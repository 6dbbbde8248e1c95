#define BOOST_TEST_MODULE messages
#include <boost/test/unit_test.hpp>

#include <rnnkit/framework/messages.h>

#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

// Restores the default sink when a test ends.
struct DefaultSinkAfter {
  ~DefaultSinkAfter() { rnnkit::set_message_sink(nullptr); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(process_sink_receives_each_message) {
  DefaultSinkAfter restore;
  std::vector<std::string> got;
  rnnkit::set_message_sink([&](std::string_view message) { got.emplace_back(message); });
  rnnkit::warn("first");
  rnnkit::warn("second");
  BOOST_TEST(got == (std::vector<std::string>{"first", "second"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(scoped_stream_takes_this_threads_messages_and_nests) {
  DefaultSinkAfter restore;
  std::vector<std::string> process;
  rnnkit::set_message_sink([&](std::string_view message) { process.emplace_back(message); });
  std::ostringstream outer;
  std::ostringstream inner;
  {
    rnnkit::ScopedMessageSink scope(outer);
    rnnkit::warn("a");
    {
      rnnkit::ScopedMessageSink nested(inner);
      rnnkit::warn("b");
    }
    rnnkit::warn("c");
    // Another thread is not inside the scope.
    std::thread([] { rnnkit::warn("other thread"); }).join();
  }
  rnnkit::warn("d");
  BOOST_TEST(outer.str() == "a\nc\n");
  BOOST_TEST(inner.str() == "b\n");
  BOOST_TEST(process == (std::vector<std::string>{"other thread", "d"}),
             boost::test_tools::per_element());
}
