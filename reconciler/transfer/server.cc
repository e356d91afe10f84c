#include "transfer/server.h"

namespace signet::transfer {

struct Server::State {
  ServerOptions options;
};

Server::Server(ServerOptions options) : state_(std::make_unique<State>()) {
  state_->options = std::move(options);
}
Server::~Server() {
  stop();
}
void Server::start() {}
void Server::stop() {}
void Server::publish(std::shared_ptr<const PublishedZone>) {}
void Server::withdraw(const zone::Name&) {}
std::vector<SecondaryStatus> Server::secondary_status(const zone::Name&) const {
  return {};
}
std::vector<model::ListenAddress> Server::bound_addresses() const {
  return state_->options.listen;
}

}  // namespace signet::transfer
