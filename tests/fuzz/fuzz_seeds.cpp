// Writes the seed corpora of the harnesses: real encoded messages (the codec
// tests' samples), save files, tsctl lines and Python patterns, each a file
// named NN-what under OUT_DIR/<harness>/. The checked-in corpora under
// tests/fuzz/corpus are this program's output:
//   ts_fuzz_seeds tests/fuzz/corpus      (a TS_FUZZ build; it replaces them)
// Deterministic: the same sources give the same files.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <capnp/message.h>
#include <unistd.h>

#include "clients/raw_request.h"
#include "nodes/space/persistence.h"
#include "schema/capnp_frame.h"
#include "schema/cluster_codec.h"
#include "schema/codec.h"
#include "schema/frame_bundle.h"
#include "tests/cluster_wire/cluster_samples.h"
#include "tests/codec/codec_samples.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using namespace ts;
namespace fs = std::filesystem;

class SeedDir {
 public:
  SeedDir(const fs::path& root, const std::string& harness) : dir_(root / harness) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void Add(const std::string& what, const std::string& bytes) {
    char prefix[8];
    std::snprintf(prefix, sizeof prefix, "%02zu-", ++count_);
    std::ofstream out(dir_ / (prefix + what), std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  size_t count() const { return count_; }

 private:
  fs::path dir_;
  size_t count_ = 0;
};

std::vector<Pair> Pairs(std::initializer_list<std::pair<Tuple, Tuple>> list) {
  std::vector<Pair> pairs;
  for (const auto& [key, value] : list) pairs.push_back(Pair{key, value});
  return pairs;
}

size_t WriteRequests(const fs::path& root) {
  SeedDir seeds(root, "fuzz_request");
  size_t n = 0;
  for (const Request& request : codec_test::SampleRequests()) {
    seeds.Add("sample-request-" + std::to_string(++n), EncodeRequest(request));
  }
  // Requests the space does something with: patterns over its user,N keys,
  // costly patterns, literal prefixes, limits, repeated keys.
  seeds.Add("get-prefix", EncodeRequest(MakeGet("user,1\\d*", "name[0-4],.*")));
  seeds.Add("get-exact", EncodeRequest(MakeGet("user,3", ".*")));
  seeds.Add("get-costly", EncodeRequest(MakeGet("(a|aa)*b", "(x+x+)+y")));
  seeds.Add("get-bad-pattern", EncodeRequest(MakeGet("user,(", "[")));
  seeds.Add("delete-values", EncodeRequest(MakeDelete(".*", "name2,.*")));
  seeds.Add("put-new-and-present",
            EncodeRequest(MakePut(Pairs({{{"user", "1"}, {"x"}}, {{"new", "1"}, {"y"}}, {{"new", "1"}, {"z"}}}))));
  seeds.Add("post-present-and-absent",
            EncodeRequest(MakePost(Pairs({{{"user", "2"}, {"changed"}}, {{"absent"}, {"v"}}}))));
  seeds.Add("put-too-many-elements", EncodeRequest(MakePut(Pairs({{Tuple(65, "e"), {"v"}}}))));
  seeds.Add("put-element-too-long", EncodeRequest(MakePut(Pairs({{{std::string(257, 'k')}, {"v"}}}))));
  Request status;
  status.op_name = "STATUS";
  seeds.Add("status", EncodeRequest(status));
  seeds.Add("put-raw-odd", EncodePurportedPairList(RequestId{3, 4}, "PUT", {"a,b", "c", "lonely"}));
  seeds.Add("put-raw-bad-tuples", EncodePurportedPairList(RequestId{3, 5}, "POST", {"a,,b", "", ",", "x y"}));
  capnp::MallocMessageBuilder fragmented(1, capnp::AllocationStrategy::FIXED_SIZE);
  auto request = capnp_frame::InitFrame<wire::ClientRequest>(fragmented);
  request.setOp("PUT");
  auto pairs = request.initPairs(3);
  for (unsigned i = 0; i < 3; ++i) {
    pairs[i].initKey(2).set(0, "k");
    pairs[i].initValue(1).set(0, "v");
  }
  seeds.Add("many-segments", codec_test::FrameOf(fragmented));
  return seeds.count();
}

size_t WriteReplies(const fs::path& root) {
  SeedDir seeds(root, "fuzz_reply");
  size_t n = 0;
  for (const Reply& reply : codec_test::SampleReplies()) {
    seeds.Add("sample-reply-" + std::to_string(++n), EncodeReply(reply));
  }
  Reply status;
  status.id = {5, 1};
  status.op_name = "STATUS";
  status.served_by = 2;
  status.term = 3;
  status.pairs = Pairs({{{"broker"}, {"primary=2", "term=3", "primary_live=yes", "clients=1"}},
                        {{"node", "1"}, {"role=backup", "term=3", "applied=10", "lag=0", "live=yes"}},
                        {{"node", "2"}, {"role=primary", "term=3", "applied=10", "live=yes"}},
                        {{"node", "3"}, {"role=?", "live=no"}},
                        {{"event", "1"}, {"node 2 is primary for term 3 (4s ago)"}},
                        {{"odd"}, {"fact"}}});
  seeds.Add("status", EncodeReply(status));
  seeds.Add("request-not-reply", EncodeRequest(MakeGet("a", "b")));
  return seeds.count();
}

size_t WriteCluster(const fs::path& root) {
  using fuzz_input::ClusterChannel;
  using fuzz_input::ClusterInput;
  SeedDir seeds(root, "fuzz_cluster");
  size_t n = 0;
  for (const auto& message : cluster_wire_test::SamplePeerMessages()) {
    seeds.Add("peer-" + std::to_string(++n),
              ClusterInput(ClusterChannel::kPeer, cluster::EncodePeerMessage(message)));
  }
  for (const auto& message : cluster_wire_test::SampleNodeToBroker()) {
    seeds.Add("node-to-broker-" + std::to_string(++n),
              ClusterInput(ClusterChannel::kNodeToBroker, cluster::EncodeNodeToBroker(message)));
  }
  for (const auto& message : cluster_wire_test::SampleBrokerToNode()) {
    seeds.Add("broker-to-node-" + std::to_string(++n),
              ClusterInput(ClusterChannel::kBrokerToNode, cluster::EncodeBrokerToNode(message)));
  }
  seeds.Add("client-frame-on-peer", ClusterInput(ClusterChannel::kPeer, EncodeRequest(MakeGet("a", "b"))));
  // Received parts of the broker <-> node links: bundles of every sample, and a plain frame.
  std::vector<std::string> to_broker, to_node;
  for (const auto& message : cluster_wire_test::SampleNodeToBroker()) to_broker.push_back(cluster::EncodeNodeToBroker(message));
  for (const auto& message : cluster_wire_test::SampleBrokerToNode()) to_node.push_back(cluster::EncodeBrokerToNode(message));
  for (const std::string& part : BundleFrames(to_broker)) {
    seeds.Add("node-to-broker-bundle", ClusterPartInput(ClusterChannel::kNodeToBroker, part));
  }
  for (const std::string& part : BundleFrames(to_node)) {
    seeds.Add("broker-to-node-bundle", ClusterPartInput(ClusterChannel::kBrokerToNode, part));
  }
  seeds.Add("plain-part", ClusterPartInput(ClusterChannel::kBrokerToNode, to_node.front()));
  return seeds.count();
}

// A pattern and a subject, both the bytes Python would see (re.fullmatch).
struct PatternCase {
  const char* what;
  std::string pattern;
  std::string subject;
  uint8_t flags = 0;
};

// Subjects for corpus patterns: 't' lines with no escapes in them.
std::vector<PatternCase> CorpusPatterns(const fs::path& corpus, size_t wanted) {
  std::vector<PatternCase> all;
  std::ifstream in(corpus);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("p ", 0) == 0) {
      all.push_back(PatternCase{"corpus", line.substr(2), ""});
    } else if (line.rfind("t ", 0) == 0 && !all.empty() && all.back().subject.empty() &&
               line.find('\\') == std::string::npos) {
      all.back().subject = line.substr(2);
    }
  }
  std::vector<PatternCase> picked;
  const size_t step = all.size() > wanted ? all.size() / wanted : 1;
  for (size_t i = 0; i < all.size() && picked.size() < wanted; i += step) picked.push_back(all[i]);
  return picked;
}

size_t WritePatterns(const fs::path& root, const fs::path& re_corpus) {
  SeedDir seeds(root, "fuzz_pattern");
  using fuzz_input::kPatternThroughCache;
  using fuzz_input::kPatternTightLimits;
  std::vector<PatternCase> cases = {
      {"tuple-prefix", "user,\\d+", "user,42"},
      {"dot-star", ".*", "anything,at,all"},
      {"dotall-star", "(?s).*", "line\nbreak"},
      {"alternation", "get|put|post|delete", "post"},
      {"named-backref", "(?P<a>k+),(?P=a)", "kk,kk"},
      {"conditional", "(a)?(?(1)b|c)", "ab"},
      {"lookahead", "(?=user)\\w+,(?!0)\\d+", "user,7"},
      {"lookbehind", "a*(?<=a)b", "aab"},
      {"verbose", "(?x) a  b # comment\n c", "abc"},
      {"ignorecase-unicode", "(?i)stra\u00dfe", "STRASSE"},
      {"class-ranges", "[a-z0-9_\\-\\]]+", "a-b]c"},
      {"unicode-class", "\\w+", "\xd9\xa4\xd9\xa2"},
      {"ascii-flag", "(?a)\\w+", "abc"},
      {"bounded-repeat", "a{2,5}?b{3}", "aaabbb"},
      {"possessive-and-atomic", "(?>a+)b", "aab"},
      {"escapes", "\\x41\\u0042\\U00000043\\101\\n\\t", "ABCA\n\t"},
      {"nul-inside", std::string("a\0b", 3), std::string("a\0b", 3)},
      {"invalid-utf8", "\xff\xfe", "\xff\xfe"},
      {"catastrophic", "(a+)+b", std::string(40, 'a'), kPatternTightLimits},
      {"catastrophic-default", "(x+x+)+y", std::string(30, 'x')},
      {"nested-quantifier", "((a*)*)*c", std::string(25, 'a'), kPatternTightLimits},
      {"deep-groups", std::string(190, '(') + "a" + std::string(190, ')'), "a"},
      {"too-deep-groups", std::string(210, '(') + "a" + std::string(210, ')'), "a"},
      {"big-repeat", "a{65536}", "a"},
      {"named-char", "\\N{LATIN SMALL LETTER A}", "a"},
      {"unterminated", "(ab", "ab"},
      {"bad-escape", "\\q", "q"},
      {"cached", "k,\\d{1,3}", "k,123", kPatternThroughCache},
      {"cached-tight", "(a|b)*c", "ababababc", kPatternThroughCache | kPatternTightLimits},
      {"dollar-newline", "a$", "a\n"},
      {"word-boundary", "\\bab\\B.", "abc"},
      {"oversized", std::string(5000, 'a'), "a"},
  };
  for (PatternCase& corpus_case : CorpusPatterns(re_corpus, 24)) cases.push_back(corpus_case);
  for (const PatternCase& c : cases) {
    seeds.Add(c.what, fuzz_input::PatternInput{c.flags, c.pattern, c.subject}.Encode());
  }
  return seeds.count();
}

size_t WriteSnapshots(const fs::path& root, const fs::path& scratch) {
  SeedDir seeds(root, "fuzz_snapshot");
  auto saved = [&](const TupleSpace& space, SnapshotPosition at) {
    const std::string path = (scratch / "seed.tsv").string();
    if (!SaveSpace(space, path, at).ok()) throw std::runtime_error("cannot save to " + path);
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  TupleSpace space;
  for (int i = 0; i < 8; ++i) space.Upsert("user," + std::to_string(i), "name,x" + std::to_string(i * 3));
  space.Upsert("a", "b");
  seeds.Add("saved-v2", saved(space, {4, 17}));
  seeds.Add("saved-empty", saved(TupleSpace{}, {}));
  seeds.Add("v1", "tuplestar-snapshot v1 pairs=2\nk,1\tv\nk,2\tw\n");
  seeds.Add("v1-no-newline-at-end", "tuplestar-snapshot v1 pairs=1\nk\tv");
  seeds.Add("empty-file", "");
  seeds.Add("not-a-snapshot", "hello\n");
  seeds.Add("v3", "tuplestar-snapshot v3 pairs=0\n");
  seeds.Add("count-short", "tuplestar-snapshot v2 pairs=3 term=1 seq=1\na\tb\n");
  seeds.Add("count-not-a-number", "tuplestar-snapshot v2 pairs=x term=1 seq=1\n");
  seeds.Add("count-overflow", "tuplestar-snapshot v2 pairs=99999999999999999999 term=1 seq=1\n");
  seeds.Add("half-position", "tuplestar-snapshot v2 pairs=0 term=0 seq=5\n");
  seeds.Add("trailing-header", "tuplestar-snapshot v2 pairs=0 term=1 seq=1 extra\n");
  seeds.Add("no-seq", "tuplestar-snapshot v2 pairs=0 term=1\n");
  seeds.Add("no-tab", "tuplestar-snapshot v2 pairs=1 term=1 seq=1\nkey value\n");
  seeds.Add("bad-key", "tuplestar-snapshot v2 pairs=1 term=1 seq=1\na,,b\tv\n");
  seeds.Add("bad-value", "tuplestar-snapshot v2 pairs=1 term=1 seq=1\na\tv w\n");
  seeds.Add("duplicate-key", "tuplestar-snapshot v2 pairs=2 term=1 seq=1\na\tv\na\tw\n");
  seeds.Add("two-tabs", "tuplestar-snapshot v2 pairs=1 term=1 seq=1\na\tb\tc\n");
  seeds.Add("crlf", "tuplestar-snapshot v2 pairs=1 term=1 seq=1\r\na\tb\r\n");
  seeds.Add("blank-line", "tuplestar-snapshot v2 pairs=1 term=1 seq=1\n\na\tb\n");
  static const char kNulBytes[] = "tuplestar-snapshot v2 pairs=1 term=1 seq=1\na\0\tb\n";
  seeds.Add("nul-bytes", std::string(kNulBytes, sizeof kNulBytes - 1));
  return seeds.count();
}

size_t WriteTsctl(const fs::path& root) {
  SeedDir seeds(root, "fuzz_tsctl");
  const std::vector<std::string> lines = {
      "get user,\\d+ .*",
      "  get  'a b' \"c \\\" d\" ",
      "GET user,.*",
      "delete 'session,.*'",
      "put user,1 alice user,2 bob",
      "post a,,b 'c d'",
      "put a",
      "send FROB a b",
      "send put k v",
      "send GET a b c d",
      "send-raw --hex 00ff",
      "send-raw --hex 0g",
      "send-raw 'raw text'",
      "put-raw a,b c lonely",
      "put-raw",
      "status",
      "status now",
      "shutdown --endpoint tcp://127.0.0.1:5556",
      "shutdown --endpoint=ipc:///tmp/x",
      "connect tcp://127.0.0.1:5555",
      "connect --shutdown tcp://127.0.0.1:5556",
      "disconnect --shutdown",
      "help put",
      "? get",
      "exit",
      "gte a",
      "x'y z'w",
      "get 'abc",
      "",
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    seeds.Add("line-" + std::to_string(i + 1), fuzz_input::TsctlLineInput(lines[i]));
  }
  const std::vector<std::vector<std::string>> word_lists = {
      {"get", "-x"},
      {"put", "a b", "c\td"},
      {"send", "", ""},
      {"send-raw", "--hex"},
      {"put-raw", "a,,b", ""},
      {"shutdown", "--endpoint"},
      {"connect", "--shutdown"},
      {"help", "HELP", "extra"},
  };
  for (size_t i = 0; i < word_lists.size(); ++i) {
    seeds.Add("words-" + std::to_string(i + 1), fuzz_input::TsctlWordsInput(word_lists[i]));
  }
  return seeds.count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: ts_fuzz_seeds OUT_DIR   (writes OUT_DIR/<harness>/NN-what)\n";
    return 2;
  }
  const fs::path root = argv[1];
  const fs::path scratch = fs::temp_directory_path() / ("ts-fuzz-seeds-" + std::to_string(::getpid()));
  fs::create_directories(scratch);
  std::cout << "fuzz_request: " << WriteRequests(root) << " seeds\n"
            << "fuzz_reply: " << WriteReplies(root) << " seeds\n"
            << "fuzz_cluster: " << WriteCluster(root) << " seeds\n"
            << "fuzz_pattern: " << WritePatterns(root, TS_RE_CORPUS) << " seeds\n"
            << "fuzz_snapshot: " << WriteSnapshots(root, scratch) << " seeds\n"
            << "fuzz_tsctl: " << WriteTsctl(root) << " seeds\n";
  fs::remove_all(scratch);
  return 0;
}
