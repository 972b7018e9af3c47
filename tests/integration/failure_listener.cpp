// Counts failed assertions of the running test case, so a Cluster fixture can
// tell (in its destructor) that its test failed and print the process logs.
// CHECK failures do not throw, so std::uncaught_exceptions() alone misses them.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include <catch2/catch.hpp>

#include <atomic>

#include "tests/integration/cluster_fixture.h"

namespace ts::itest {
namespace {

std::atomic<int> failed_assertions{0};

class FailureCounter : public Catch::TestEventListenerBase {
 public:
  using TestEventListenerBase::TestEventListenerBase;
  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    failed_assertions = 0;
    TestEventListenerBase::testCaseStarting(info);
  }
  bool assertionEnded(const Catch::AssertionStats& stats) override {
    if (!stats.assertionResult.isOk()) ++failed_assertions;
    return true;
  }
};

}  // namespace

CATCH_REGISTER_LISTENER(FailureCounter)

int FailedAssertionsInCurrentTest() { return failed_assertions.load(); }

}  // namespace ts::itest
