// What a cluster directory remembers (launcher/cluster_shape.h) and the
// ephemeral-port check of `up` (launcher/ports.h), without processes.
#include <catch2/catch.hpp>

#include "launcher/cluster_shape.h"
#include "launcher/ports.h"
#include "tests/support/process.h"

namespace ts::launcher {
namespace {

TEST_CASE("a cluster shape reads back what was written, and a broken file names its fault", "[launcher]") {
  const ClusterShape shape{32'000, 5, 2};
  Result<ClusterShape> parsed = ParseClusterShape(FormatClusterShape(shape));
  REQUIRE(parsed.ok());
  CHECK(parsed.value() == shape);
  // An older file without "brokers" is one broker.
  parsed = ParseClusterShape(R"({"port_base": 7000, "nodes": 3})");
  REQUIRE(parsed.ok());
  CHECK(parsed.value() == ClusterShape{7'000, 3, 1});

  CHECK(ParseClusterShape("not json").error().message == "the cluster shape is not a JSON object");
  CHECK(ParseClusterShape(R"({"nodes": 3})").error().message == "the cluster shape has no \"port_base\"");
  CHECK(ParseClusterShape(R"({"port_base": "x", "nodes": 3})").error().message ==
        "the cluster shape field \"port_base\" is not a whole number from 0 to 65535");
}

TEST_CASE("a directory's shape: none, written, and a corrupt file refused with its path", "[launcher]") {
  ts::testing::TempDir temp;
  const std::string dir = temp.path().string();
  Result<std::optional<ClusterShape>> none = ReadClusterShape(dir);
  REQUIRE(none.ok());
  CHECK_FALSE(none.value().has_value());
  REQUIRE(WriteClusterShape(dir, ClusterShape{21'000, 2, 1}).ok());
  Result<std::optional<ClusterShape>> read = ReadClusterShape(dir);
  REQUIRE(read.ok());
  CHECK(read.value() == ClusterShape{21'000, 2, 1});
  WriteText(ClusterShapePath(dir), "{\"port_base\": 1");
  Result<std::optional<ClusterShape>> corrupt = ReadClusterShape(dir);
  REQUIRE_FALSE(corrupt.ok());
  CHECK_THAT(corrupt.error().message, Catch::StartsWith(ClusterShapePath(dir) + ": the cluster shape is not"));
  CHECK_THAT(corrupt.error().message, Catch::EndsWith("(remove it, or give --port and --nodes)"));
}

TEST_CASE("the kernel's ephemeral range is parsed, and overlaps are found at both edges", "[launcher]") {
  std::optional<PortRange> range = ParsePortRange("32768\t60999\n");
  REQUIRE(range);
  CHECK(range->lowest == 32'768);
  CHECK(range->highest == 60'999);
  CHECK_FALSE(ParsePortRange(""));
  CHECK_FALSE(ParsePortRange("60999 32768"));
  CHECK_FALSE(ParsePortRange("1 2 3"));
  CHECK(Overlaps(34'220, 34'237, *range));
  CHECK(Overlaps(32'750, 32'768, *range));
  CHECK(Overlaps(60'999, 61'016, *range));
  CHECK_FALSE(Overlaps(32'750, 32'767, *range));
  CHECK_FALSE(Overlaps(61'000, 61'017, *range));
  CHECK(EphemeralPortRange().has_value());  // Linux always has the file
}

}  // namespace
}  // namespace ts::launcher
