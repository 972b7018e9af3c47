#include "nodes/cluster/failure_detector.h"

namespace ts::cluster {

LivenessChange FailureDetector::Heard(const Heartbeat& heartbeat, TimePoint now) {
  latest_[heartbeat.from] = heartbeat;
  return liveness_.Heard(heartbeat.from, now);
}

void FailureDetector::KeepAlive(NodeId peer, TimePoint now) {
  if (liveness_.Live(peer, now)) liveness_.Heard(peer, now);
}

const Heartbeat* FailureDetector::Latest(NodeId peer) const {
  auto it = latest_.find(peer);
  return it == latest_.end() ? nullptr : &it->second;
}

}  // namespace ts::cluster
