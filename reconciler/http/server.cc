#include "http/server.h"

namespace signet::http {

struct Server::Impl {
  ServerOptions options;
};

Server::Server(ServerOptions options, const StatusProvider&, WebhookSink&)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

Server::~Server() {
  stop();
}

void Server::start() {}

void Server::stop() {}

std::vector<uint16_t> Server::ports() const {
  return {};
}

}  // namespace signet::http
