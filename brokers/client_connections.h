// ClientConnections: which client address (ROUTER routing id) lives on which
// TCP connection, so that the broker frees a client's slot when its
// connection closes (SPEC: "a slot frees when a client leaves"), instead of
// waiting out the idle timeout. Without this, every one-shot `tsctl` and
// every Lazy Pirate retry (a new REQ socket, a new address) would hold a slot
// for client_idle_timeout.
//
// libzmq 4.3 without the draft API has no ROUTER_NOTIFY, so the shell
// combines two things it does have: a socket monitor on the client ROUTER
// (ACCEPTED and DISCONNECTED events, each naming the connection's file
// descriptor) and ZMQ_SRCFD on each received message (the descriptor it came
// in on). Descriptors are reused, and monitor events and messages travel on
// different queues, so this class keeps, per descriptor, its connections in
// accept order, each with the address seen on it; a message from an address
// the newest connection does not carry belongs to a connection whose ACCEPTED
// event has not been read yet. OnDisconnected retires the oldest connection
// and returns its address. The shell reads monitor events before messages in
// every loop turn, which leaves one rare misattribution possible (a silent
// connection closing and a new one on the same descriptor sending, all within
// one turn); its cost is that client's reply being dropped and retried, which
// exactly-once makes harmless. Pure: no sockets.
#pragma once

#include <deque>
#include <map>
#include <optional>

#include "schema/cluster_messages.h"

namespace ts::cluster {

class ClientConnections {
 public:
  void OnAccepted(int fd);
  void OnMessage(int fd, const ClientAddress& address);
  // The address of the connection that closed, if one was seen on it.
  std::optional<ClientAddress> OnDisconnected(int fd);

  size_t connection_count() const;

 private:
  struct Connection {
    std::optional<ClientAddress> address;
    bool accept_pending = false;  // known from a message; its ACCEPTED event is still to come
  };
  std::map<int, std::deque<Connection>> by_fd_;
};

}  // namespace ts::cluster
