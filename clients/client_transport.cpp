#include "clients/client_transport.h"

#include "common/security/secure_socket.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

#include "clients/client_config.h"

namespace ts {
namespace {

// The monitor events the watch needs (connection_watch.h).
constexpr int kWatchedEvents = ZMQ_EVENT_CONNECT_DELAYED | ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CLOSED |
                               ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                               ZMQ_EVENT_DISCONNECTED;

// inproc names are per context; a process-wide counter keeps them apart.
std::string NextMonitorEndpoint() {
  static std::atomic<uint64_t> counter{0};
  return "inproc://ts-client-monitor-" + std::to_string(++counter);
}

// "tcp://host:port": the port must be a number in 1..65535 (libzmq accepts
// 99999 and then connects to port 34463). Other transports: libzmq decides.
Status CheckTcpPort(const std::string& endpoint) {
  constexpr std::string_view kTcp = "tcp://";
  if (endpoint.compare(0, kTcp.size(), kTcp) != 0) return Status::Ok();
  const size_t colon = endpoint.rfind(':');
  if (colon < kTcp.size() || colon == std::string::npos) {
    return Error{ErrorKind::kMalformedRequest, std::string("no port; write it like ") +
                                                   client_config::kDefaultBrokerEndpoint};
  }
  const std::string port = endpoint.substr(colon + 1);
  if (port.empty() || port.size() > 9 || port.find_first_not_of("0123456789") != std::string::npos) {
    return Error{ErrorKind::kMalformedRequest, "port '" + port + "' is not a number in 1..65535"};
  }
  const long number = std::stol(port);
  if (number < 1 || number > 65535) {
    return Error{ErrorKind::kMalformedRequest, "port " + port + " is out of range 1..65535"};
  }
  if (colon == kTcp.size()) {
    return Error{ErrorKind::kMalformedRequest, std::string("no host; write it like ") +
                                                   client_config::kDefaultBrokerEndpoint};
  }
  return Status::Ok();
}

}  // namespace

namespace {

// Every client socket's options: linger 0, a bounded send. Throws zmq::error_t.
// With `curve`, the socket presents the client's key and expects the broker's.
zmq::socket_t NewClientSocket(zmq::context_t& context, zmq::socket_type type, const std::optional<ClientCurve>& curve) {
  zmq::socket_t socket(context, type);
  socket.set(zmq::sockopt::linger, client_config::kSocketLingerMs);
  socket.set(zmq::sockopt::sndtimeo, static_cast<int>(client_config::kSendTimeout.count()));
  if (curve) {
    Status set = security::MakeCurveClient(socket, curve->own, curve->server_public);
    if (!set.ok()) throw zmq::error_t();  // only when libzmq lacks CURVE; errno says why
  }
  return socket;
}

}  // namespace

std::vector<std::string> SplitEndpoints(const std::string& list) {
  std::vector<std::string> endpoints;
  size_t start = 0;
  while (true) {
    const size_t comma = list.find(',', start);
    endpoints.push_back(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return endpoints;
}

Result<zmq::socket_t> ConnectClientSocket(zmq::context_t& context, zmq::socket_type type,
                                          const std::string& endpoint, const std::optional<ClientCurve>& curve) {
  try {
    zmq::socket_t socket = NewClientSocket(context, type, curve);
    const std::vector<std::string> endpoints = SplitEndpoints(endpoint);
    if (endpoints.size() > 1) socket.set(zmq::sockopt::immediate, 1);
    for (const std::string& one : endpoints) socket.connect(one);
    return socket;
  } catch (const zmq::error_t& error) {
    return Error{ErrorKind::kUnavailable,
                 "cannot connect to '" + endpoint + "': " + error.what()};
  }
}

Status CheckEndpoint(const std::string& endpoint) {
  const std::vector<std::string> endpoints = SplitEndpoints(endpoint);
  if (endpoints.size() > 1) {  // a list of brokers: each must be an endpoint
    for (const std::string& one : endpoints) {
      if (Status valid = CheckEndpoint(one); !valid.ok()) {
        return Error{valid.error().kind, "'" + one + "' in the list: " + valid.error().message};
      }
    }
    return Status::Ok();
  }
  if (Status port = CheckTcpPort(endpoint); !port.ok()) return port;
  try {
    zmq::context_t context(1);
    zmq::socket_t socket(context, zmq::socket_type::req);
    socket.set(zmq::sockopt::linger, client_config::kSocketLingerMs);
    try {
      socket.connect(endpoint);
    } catch (const zmq::error_t& error) {
      return Error{ErrorKind::kMalformedRequest, std::string("not a valid ZeroMQ endpoint (") + error.what() +
                                                     "); write it like " + client_config::kDefaultBrokerEndpoint};
    }
    return Status::Ok();
  } catch (const zmq::error_t& error) {
    return Error{ErrorKind::kUnavailable, std::string("cannot create a ZeroMQ context: ") + error.what()};
  }
}

WatchedSocket::WatchedSocket(zmq::socket_t monitor, zmq::socket_t socket, std::string endpoint)
    : monitor_(std::move(monitor)), socket_(std::move(socket)), endpoint_(std::move(endpoint)) {}

WatchedSocket::~WatchedSocket() = default;

Result<WatchedSocket> WatchedSocket::Connect(zmq::context_t& context, zmq::socket_type type,
                                             const std::string& endpoint, const std::optional<ClientCurve>& curve) {
  try {
    zmq::socket_t socket = NewClientSocket(context, type, curve);
    // The monitor must be attached before connect() so it sees the first attempt.
    const std::string monitor_endpoint = NextMonitorEndpoint();
    if (zmq_socket_monitor(socket.handle(), monitor_endpoint.c_str(), kWatchedEvents) != 0) {
      return Error{ErrorKind::kUnavailable,
                   std::string("cannot monitor a socket for ") + endpoint + ": " + zmq_strerror(zmq_errno())};
    }
    zmq::socket_t monitor(context, zmq::socket_type::pair);
    monitor.set(zmq::sockopt::linger, client_config::kSocketLingerMs);
    monitor.connect(monitor_endpoint);
    socket.connect(endpoint);
    return WatchedSocket(std::move(monitor), std::move(socket), endpoint);
  } catch (const zmq::error_t& error) {
    return Error{ErrorKind::kUnavailable, "cannot connect to '" + endpoint + "': " + error.what()};
  }
}

void WatchedSocket::DrainEvents(ConnectionWatch& watch) {
  while (true) {
    zmq::message_t header;
    if (!monitor_.recv(header, zmq::recv_flags::dontwait)) return;
    // Frame 1: a 16-bit event number and a 32-bit value; frame 2: the endpoint.
    while (header.more()) {
      zmq::message_t rest;
      if (!monitor_.recv(rest, zmq::recv_flags::dontwait) || !rest.more()) break;
    }
    if (header.size() < sizeof(uint16_t)) continue;
    uint16_t event = 0;
    uint32_t value = 0;
    std::memcpy(&event, header.data(), sizeof event);
    if (header.size() >= sizeof event + sizeof value) {
      std::memcpy(&value, static_cast<const char*>(header.data()) + sizeof event, sizeof value);
    }
    const SocketEvent observed = SocketEventFromZmq(event, value);
    if (observed == SocketEvent::kHandshakeSucceeded) peer_up_ = true;
    if (observed == SocketEvent::kDisconnected) peer_up_ = false;
    watch.Observe(observed, ConnectionWatch::Clock::now());
  }
}

Result<bool> WatchedSocket::WaitReadable(std::chrono::milliseconds timeout, ConnectionWatch& watch) {
  return WaitFor(Wanted::kReply, timeout, watch);
}

Result<bool> WatchedSocket::WaitPeerUp(std::chrono::milliseconds timeout, ConnectionWatch& watch) {
  return WaitFor(Wanted::kPeerUp, timeout, watch);
}

// Both waits poll the monitor (a reply wait the socket too) until what is
// wanted, the watch's verdict, or the deadline, whichever comes first.
Result<bool> WatchedSocket::WaitFor(Wanted wanted, std::chrono::milliseconds timeout, ConnectionWatch& watch) {
  using Clock = ConnectionWatch::Clock;
  const Clock::time_point deadline = Clock::now() + timeout;
  const bool reply = wanted == Wanted::kReply;
  try {
    while (true) {
      DrainEvents(watch);
      if (!reply && peer_up_) return true;
      const Clock::time_point now = Clock::now();
      if (ConnectionVerdict verdict = watch.Check(now); verdict != ConnectionVerdict::kUndecided) {
        return Error{ErrorKind::kUnavailable, watch.Describe(verdict, endpoint_, now)};
      }
      if (now >= deadline) return false;
      Clock::time_point wake = deadline;
      if (std::optional<Clock::time_point> check = watch.NextCheck(); check && *check < wake) wake = *check;
      const auto slice = std::max(std::chrono::milliseconds(0),
                                  std::chrono::ceil<std::chrono::milliseconds>(wake - now));
      zmq::pollitem_t items[] = {{monitor_.handle(), 0, ZMQ_POLLIN, 0}, {socket_.handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, reply ? 2 : 1, slice);
      if (reply && (items[1].revents & ZMQ_POLLIN) != 0) {
        DrainEvents(watch);  // so the watch knows when the peer came up
        return true;
      }
    }
  } catch (const zmq::error_t& error) {
    if (reply && error.num() == EINTR) {
      return Error{ErrorKind::kUnavailable, "interrupted while waiting for a reply from " + endpoint_};
    }
    return Error{ErrorKind::kUnavailable,
                 std::string(reply ? "waiting for a reply failed: " : "waiting for a connection failed: ") +
                     error.what()};
  }
}

Result<bool> WaitReadable(zmq::socket_t& socket, std::chrono::milliseconds timeout) {
  zmq::pollitem_t items[] = {{socket.handle(), 0, ZMQ_POLLIN, 0}};
  try {
    zmq::poll(items, 1, timeout);
  } catch (const zmq::error_t& error) {
    return Error{ErrorKind::kUnavailable, std::string("waiting for a reply failed: ") + error.what()};
  }
  return (items[0].revents & ZMQ_POLLIN) != 0;
}

uint64_t RandomClientId() {
  std::random_device device;
  std::mt19937_64 generator((static_cast<uint64_t>(device()) << 32) ^ device());
  uint64_t id = 0;
  while (id == 0) id = generator();
  return id;
}

std::string DescribeMs(std::chrono::milliseconds duration) {
  return std::to_string(duration.count()) + " ms";
}

}  // namespace ts
