#include "clients/client_transport.h"

#include <random>

#include "clients/client_config.h"

namespace ts {

Result<zmq::socket_t> ConnectClientSocket(zmq::context_t& context, zmq::socket_type type,
                                          const std::string& endpoint) {
  try {
    zmq::socket_t socket(context, type);
    socket.set(zmq::sockopt::linger, client_config::kSocketLingerMs);
    socket.set(zmq::sockopt::sndtimeo, static_cast<int>(client_config::kSendTimeout.count()));
    socket.connect(endpoint);
    return socket;
  } catch (const zmq::error_t& error) {
    return Error{ErrorKind::kUnavailable,
                 "cannot connect to '" + endpoint + "': " + error.what()};
  }
}

Status CheckEndpoint(const std::string& endpoint) {
  try {
    zmq::context_t context(1);
    zmq::socket_t socket(context, zmq::socket_type::req);
    socket.set(zmq::sockopt::linger, client_config::kSocketLingerMs);
    try {
      socket.connect(endpoint);
    } catch (const zmq::error_t& error) {
      return Error{ErrorKind::kUnavailable, "'" + endpoint + "' is not a valid ZeroMQ endpoint (" +
                                                error.what() + "); write it like " +
                                                client_config::kDefaultBrokerEndpoint};
    }
    return Status::Ok();
  } catch (const zmq::error_t& error) {
    return Error{ErrorKind::kUnavailable, std::string("cannot create a ZeroMQ context: ") + error.what()};
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
