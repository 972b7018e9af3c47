// echo_node: the throughput ceiling. Registers with a real tsbroker as a
// primary node and answers every client request at once without doing any
// work (bench/echo_core.h has the rules). One DEALER socket, one poll loop.
//
//   echo_node --broker tcp://127.0.0.1:5556 [--id 1] [--heartbeat-ms 100]
//
// Exits 0 on SIGINT/SIGTERM, a shutdown command, or when the broker has been
// silent for --broker-timeout-ms (so an orphan does not linger); 1 when the
// socket cannot be set up; 2 for bad flags.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "bench/echo_core.h"
#include "schema/cluster_codec.h"
#include "schema/frame_bundle.h"
#include "common/process_support.h"
#include "common/socket_support.h"

namespace {

using namespace ts::cluster;

struct EchoShellDefaults {
  static constexpr Millis kMaxPollWait{25};         // ticks run at least this often
  static constexpr Millis kBrokerTimeout{60'000};   // then exit
  static constexpr int kMaxFramesPerTurn = 1'000;   // before the tick gets a turn
  static constexpr int kQueueLimit = 100'000;       // frames queued toward the broker
  static constexpr int kReconnectMs = 100;
};

}  // namespace

int main(int argc, char** argv) {
  ts::bench::EchoConfig config;
  std::string broker = "tcp://127.0.0.1:5556";
  int64_t heartbeat_ms = config.heartbeat_interval.count();
  int64_t broker_timeout_ms = EchoShellDefaults::kBrokerTimeout.count();
  std::string log_level = "info";

  CLI::App app{"echo_node: a stand-in primary that answers every request at once (the benchmark's ceiling)"};
  app.add_option("--broker", broker, "the broker's node endpoint")->capture_default_str();
  app.add_option("--id", config.id, "node id to register with")->capture_default_str()->check(CLI::Range(1u, 1'000'000u));
  app.add_option("--heartbeat-ms", heartbeat_ms, "heartbeat interval (the broker's liveness window must exceed it)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{60'000}));
  app.add_option("--broker-timeout-ms", broker_timeout_ms, "exit when the broker is silent this long")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{86'400'000}));
  app.add_option("--log-level", log_level, std::string("log level: ") + kLogLevelNames)->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  auto level = ParseLogLevel(log_level);
  if (!level) return app.exit(CLI::ValidationError("--log-level", "unknown level \"" + log_level + "\""));
  config.heartbeat_interval = Millis(heartbeat_ms);
  config.registration_retry = Millis(heartbeat_ms);
  SetUpLogging("echo " + std::to_string(config.id), *level);
  InstallStopHandlers();

  zmq::context_t context(1);
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  try {
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::sndhwm, EchoShellDefaults::kQueueLimit);
    socket.set(zmq::sockopt::rcvhwm, EchoShellDefaults::kQueueLimit);
    socket.set(zmq::sockopt::reconnect_ivl, EchoShellDefaults::kReconnectMs);
    socket.set(zmq::sockopt::immediate, 1);
    socket.connect(broker);
  } catch (const zmq::error_t& e) {
    spdlog::error("cannot connect to the broker at {}: {}", broker, e.what());
    return 1;
  }
  spdlog::info("echo node {} connecting to {}", config.id, broker);

  ts::bench::EchoCore core(config, SteadyNow());
  std::vector<NodeToBroker> out;
  std::vector<zmq::message_t> parts;
  std::vector<std::string> frames;
  TimePoint broker_heard = SteadyNow();
  bool was_accepted = false;
  const Millis poll_wait = std::clamp(config.heartbeat_interval / 4, Millis(1), EchoShellDefaults::kMaxPollWait);
  uint64_t junk = 0;
  while (g_stop_signal == 0 && !core.shutdown_requested()) {
    try {
      zmq::pollitem_t items[] = {{socket.handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 1, poll_wait);
      // Like tsnode: a message carries a frame or a bundle of frames per part
      // (schema/frame_bundle.h), and what a turn produced leaves as one
      // message (common/socket_support.h), bundled.
      for (int i = 0; i < EchoShellDefaults::kMaxFramesPerTurn; ++i) {
        parts.clear();
        if (!zmq::recv_multipart(socket, std::back_inserter(parts), zmq::recv_flags::dontwait)) break;
        for (const zmq::message_t& part : parts) {
          ts::Result<std::vector<std::string_view>> in = ts::FramesIn(View(part));
          if (!in.ok()) {
            if (WorthLogging(++junk)) spdlog::warn("dropped an ill-formed broker bundle: {}", in.error().message);
            continue;
          }
          for (std::string_view frame : in.value()) {
            ts::Result<BrokerToNode> message = DecodeBrokerToNode(frame);
            if (!message.ok()) {
              if (WorthLogging(++junk)) spdlog::warn("dropped an ill-formed broker frame: {}", message.error().message);
              continue;
            }
            broker_heard = SteadyNow();
            core.on_message(message.value(), broker_heard, out);
          }
        }
      }
      const TimePoint now = SteadyNow();
      core.on_tick(now, out);
      frames.clear();
      for (const NodeToBroker& message : out) frames.push_back(EncodeNodeToBroker(message));
      SendFrames(socket, {}, ts::BundleFrames(frames));
      out.clear();
      if (core.accepted() != was_accepted) {
        was_accepted = core.accepted();
        if (was_accepted) {
          spdlog::info("registered as primary for term {}", core.term());
        } else {
          spdlog::warn("no longer primary (term {}); registering again", core.term());
        }
      }
      if (now - broker_heard > Millis(broker_timeout_ms)) {
        spdlog::warn("the broker has been silent for {} ms; exiting", broker_timeout_ms);
        break;
      }
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      spdlog::error("socket failure: {}; exiting", e.what());
      return 1;
    }
  }
  spdlog::info("echo node stopping: {} requests answered, {} undecodable", core.stats().answered,
               core.stats().undecodable);
  return 0;
}
