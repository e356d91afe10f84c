#include "http/server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "http/render.h"
#include "http/webhook.h"

namespace signet::http {

namespace {

const char* forge_name(Forge forge) {
  switch (forge) {
    case Forge::kGitHub:
      return "github";
    case Forge::kGitea:
      return "gitea";
    case Forge::kGitLab:
      return "gitlab";
  }
  return "unknown";
}

// Tenant names in URLs are limited to what the operator config allows in
// a name, so a hostile path never reaches the provider or the logs.
bool valid_tenant_name(const std::string& name) {
  if (name.empty() || name.size() > 64) {
    return false;
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' &&
        c != '.') {
      return false;
    }
  }
  return true;
}

// Waits until the serving thread has marked itself running. cpp-httplib's
// stop() does nothing before that, so a stop() right after start() would
// leave the thread serving and join() would hang.
void wait_until_running(const httplib::Server& server) {
  using namespace std::chrono_literals;
  for (int i = 0; i < 5000 && !server.is_running(); ++i) {
    std::this_thread::sleep_for(1ms);
  }
}

// Allows at most kMaxPerSecond warnings per second, because anyone who can
// reach the port can send failing webhooks. Counts the rest.
class WarningLimiter {
 public:
  // Returns true when a warning may be logged now; `suppressed` receives
  // the number dropped in the previous second, once.
  bool allow(uint64_t& suppressed) {
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    suppressed = 0;
    if (now - window_start_ >= std::chrono::seconds(1)) {
      suppressed = dropped_;
      dropped_ = 0;
      logged_ = 0;
      window_start_ = now;
    }
    if (logged_ < kMaxPerSecond) {
      ++logged_;
      return true;
    }
    ++dropped_;
    return false;
  }

 private:
  static constexpr int kMaxPerSecond = 20;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point window_start_;
  int logged_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace

struct Server::Impl {
  Impl(ServerOptions options, const StatusProvider& provider, WebhookSink& sink)
      : options(std::move(options)), provider(provider), sink(sink) {}

  void add_routes(httplib::Server& server);
  void handle_hook(const httplib::Request& request,
                   httplib::Response& response);

  ServerOptions options;
  const StatusProvider& provider;
  WebhookSink& sink;
  std::vector<std::unique_ptr<httplib::Server>> servers;
  std::vector<std::thread> threads;
  std::vector<uint16_t> ports;
  WarningLimiter rejection_warnings;
};

void Server::Impl::add_routes(httplib::Server& server) {
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  server.Get(
      "/readyz", [this](const httplib::Request&, httplib::Response& res) {
        std::string waiting;
        for (const TenantStatus& tenant : provider.status().tenants) {
          if (!tenant.loaded) {
            waiting += " " + tenant.name;
          }
        }
        if (waiting.empty()) {
          res.set_content("ready\n", "text/plain");
        } else {
          res.status = 503;
          res.set_content("loading tenants:" + waiting + "\n", "text/plain");
        }
      });
  server.Get("/metrics",
             [this](const httplib::Request&, httplib::Response& res) {
               res.set_content(render_metrics(provider.status()),
                               "text/plain; version=0.0.4; charset=utf-8");
             });
  server.Get("/status.json", [this](const httplib::Request&,
                                    httplib::Response& res) {
    res.set_content(render_status_json(provider.status()), "application/json");
  });
  server.Get("/", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(render_status_html(provider.status()),
                    "text/html; charset=utf-8");
  });
  server.Post(R"(/hooks/([^/]+))",
              [this](const httplib::Request& req, httplib::Response& res) {
                handle_hook(req, res);
              });
}

void Server::Impl::handle_hook(const httplib::Request& request,
                               httplib::Response& response) {
  std::string tenant = request.matches[1];
  WebhookResult result;
  if (!valid_tenant_name(tenant)) {
    result = {401, "no webhook secret is configured for this tenant",
              std::nullopt};
    tenant = "(invalid name)";
  } else {
    auto header = [&request](const std::string& name) {
      return request.get_header_value(name);
    };
    result = verify_webhook(tenant, provider.webhook_secret(tenant), header,
                            request.body);
  }
  response.status = result.status;
  response.set_content(result.reason + "\n", "text/plain");
  if (result.status != 200) {
    uint64_t suppressed = 0;
    if (rejection_warnings.allow(suppressed)) {
      if (suppressed > 0) {
        spdlog::warn("webhook rejections not logged: count={}", suppressed);
      }
      spdlog::warn("webhook rejected: tenant={} peer={} status={} reason={}",
                   tenant, request.remote_addr, result.status, result.reason);
    }
    return;
  }
  if (result.push) {
    spdlog::info("webhook push: tenant={} forge={} ref={} after={}", tenant,
                 forge_name(result.push->forge), result.push->ref,
                 result.push->after);
    sink.on_push(*result.push);
  }
}

Server::Server(ServerOptions options, const StatusProvider& provider,
               WebhookSink& sink)
    : impl_(std::make_unique<Impl>(std::move(options), provider, sink)) {}

Server::~Server() {
  stop();
}

void Server::start() {
  for (const ListenAddress& address : impl_->options.listen) {
    auto server = std::make_unique<httplib::Server>();
    server->set_payload_max_length(impl_->options.max_body_bytes);
    // cpp-httplib 0.11 sets SO_REUSEPORT by default, which would let a
    // second signet share the port silently; SO_REUSEADDR alone still
    // allows a quick restart.
    server->set_socket_options([](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    impl_->add_routes(*server);
    int port = address.port;
    if (port == 0) {
      port = server->bind_to_any_port(address.host);
    } else if (!server->bind_to_port(address.host, port)) {
      port = -1;
    }
    if (port <= 0) {
      stop();
      throw std::runtime_error("HTTP: cannot listen on " + address.host + ":" +
                               std::to_string(address.port));
    }
    spdlog::info("HTTP listening: address={} port={}", address.host, port);
    httplib::Server* raw = server.get();
    impl_->servers.push_back(std::move(server));
    impl_->ports.push_back(static_cast<uint16_t>(port));
    impl_->threads.emplace_back([raw] { raw->listen_after_bind(); });
    wait_until_running(*raw);
  }
}

void Server::stop() {
  for (auto& server : impl_->servers) {
    server->stop();
  }
  for (std::thread& thread : impl_->threads) {
    thread.join();
  }
  impl_->threads.clear();
  impl_->servers.clear();
  impl_->ports.clear();
}

std::vector<uint16_t> Server::ports() const {
  return impl_->ports;
}

}  // namespace signet::http
