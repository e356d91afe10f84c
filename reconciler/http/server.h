// The operator's HTTP endpoints: health, readiness, Prometheus metrics, a
// status page and forge webhooks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http/provider.h"

namespace signet::http {

struct ListenAddress {
  std::string host;   // "127.0.0.1", "::1", "0.0.0.0"
  uint16_t port = 0;  // 0 picks a free port; see Server::ports()
};

struct ServerOptions {
  std::vector<ListenAddress> listen;
  size_t max_body_bytes = 1 << 20;  // larger webhook bodies get 413
};

// Serves:
//   GET  /healthz        200 while the process runs
//   GET  /readyz         200 once every tenant is loaded, else 503
//   GET  /metrics        Prometheus text exposition format 0.0.4
//   GET  /               HTML status page (no secrets)
//   GET  /status.json    the same status as JSON
//   POST /hooks/<tenant> GitHub, Gitea or GitLab push webhooks
// A webhook whose signature or token is missing or wrong gets 401; a
// malformed body or an event other than a push gets 400; neither reaches
// the sink. Each listen address runs its own thread.
class Server {
 public:
  // `provider` and `sink` must outlive the server.
  Server(ServerOptions options, const StatusProvider& provider,
         WebhookSink& sink);
  ~Server();  // stops the server
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every listen address and starts serving. Throws
  // std::runtime_error naming the address when one cannot be bound.
  void start();

  // Stops serving and joins the threads. Safe to call twice.
  void stop();

  // The bound port of each listen address, in order (after start()).
  std::vector<uint16_t> ports() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signet::http
