#include "brokers/client_connections.h"

#include <algorithm>

namespace ts::cluster {

void ClientConnections::OnAccepted(int fd) {
  std::deque<Connection>& connections = by_fd_[fd];
  // A message already told us of this connection: its event arrives now.
  auto pending = std::find_if(connections.begin(), connections.end(),
                              [](const Connection& c) { return c.accept_pending; });
  if (pending != connections.end()) {
    pending->accept_pending = false;
    return;
  }
  connections.push_back(Connection{});
}

void ClientConnections::OnMessage(int fd, const ClientAddress& address) {
  std::deque<Connection>& connections = by_fd_[fd];
  for (const Connection& c : connections) {
    if (c.address == address) return;
  }
  if (!connections.empty() && !connections.back().address) {
    connections.back().address = address;
    return;
  }
  connections.push_back(Connection{address, true});
}

std::optional<ClientAddress> ClientConnections::OnDisconnected(int fd) {
  auto it = by_fd_.find(fd);
  if (it == by_fd_.end() || it->second.empty()) return std::nullopt;
  std::optional<ClientAddress> address = std::move(it->second.front().address);
  it->second.pop_front();
  if (it->second.empty()) by_fd_.erase(it);
  return address;
}

size_t ClientConnections::connection_count() const {
  size_t count = 0;
  for (const auto& [fd, connections] : by_fd_) count += connections.size();
  return count;
}

}  // namespace ts::cluster
