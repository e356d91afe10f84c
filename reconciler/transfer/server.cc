#include "transfer/server.h"

#include <spdlog/spdlog.h>
#include <uv.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "transfer/message.h"
#include "transfer/responder.h"
#include "transfer/tracker.h"

namespace signet::transfer {
namespace {

struct Listener;
struct Connection;

// How often the loop sends due NOTIFY messages and SOA polls.
constexpr uint64_t kTickMs = 100;
// Queries a client may send ahead while a transfer is running.
constexpr size_t kMaxBufferedInput = 4 * (kMaxTcpMessage + 2);

void peer_of(const sockaddr* address, std::string& text, uint16_t& port) {
  char buffer[INET6_ADDRSTRLEN] = "";
  if (address->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    uv_ip6_name(in6, buffer, sizeof buffer);
    port = ntohs(in6->sin6_port);
  } else {
    auto* in4 = reinterpret_cast<const sockaddr_in*>(address);
    uv_ip4_name(in4, buffer, sizeof buffer);
    port = ntohs(in4->sin_port);
  }
  text = normalize_address(buffer);
}

bool make_sockaddr(const std::string& host, uint16_t port,
                   sockaddr_storage& out) {
  if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&out)) ==
      0) {
    return true;
  }
  return uv_ip6_addr(host.c_str(), port,
                     reinterpret_cast<sockaddr_in6*>(&out)) == 0;
}

}  // namespace

struct Server::State {
  ServerOptions options;
  const Clock* clock = nullptr;

  mutable std::mutex zones_mutex;
  std::map<zone::Name, std::shared_ptr<const PublishedZone>> zones;
  std::unique_ptr<SecondaryTracker> tracker;
  std::unique_ptr<Responder> responder;

  uv_loop_t loop;
  uv_async_t wakeup;
  uv_timer_t tick;
  std::thread thread;
  std::atomic<bool> stopping{false};
  bool running = false;
  // Guards `wakeup_open`: publish() may signal the loop only while the
  // async handle is open.
  std::mutex wakeup_mutex;
  bool wakeup_open = false;
  std::vector<std::unique_ptr<Listener>> listeners;
  std::vector<model::ListenAddress> bound;
  std::set<Connection*> connections;
  // Open accepted connections by normalized source address.
  std::map<std::string, size_t> connections_per_address;
  // TCP connections closed at accept because a limit was reached.
  uint64_t rejected_connections = 0;

  std::shared_ptr<const PublishedZone> lookup(const zone::Name& origin) {
    std::lock_guard lock(zones_mutex);
    auto it = zones.find(origin);
    return it == zones.end() ? nullptr : it->second;
  }
};

namespace {

using State = Server::State;

struct Listener {
  Server::State* state = nullptr;
  uv_udp_t udp;
  uv_tcp_t tcp;
  int family = AF_INET;
  std::string address;  // normalized
  bool tcp_initialized = false;
  bool udp_initialized = false;
  char buffer[kMaxTcpMessage];
};

struct Connection {
  Server::State* state = nullptr;
  uv_tcp_t tcp;
  uv_timer_t idle;
  std::string address;
  uint16_t port = 0;
  std::string input;
  std::unique_ptr<XfrStream> stream;
  size_t queued = 0;
  int open_handles = 2;
  // True while the connection counts toward connections_per_address.
  bool counted = false;
  bool closing = false;
  bool reading = false;
};

struct WriteRequest {
  uv_write_t request;
  std::string data;
  Connection* connection;
};

void process_input(Connection* connection);
void produce(Connection* connection);

void on_connection_handle_closed(uv_handle_t* handle) {
  auto* connection = static_cast<Connection*>(handle->data);
  if (--connection->open_handles == 0) {
    State& state = *connection->state;
    state.connections.erase(connection);
    if (connection->counted) {
      auto it = state.connections_per_address.find(connection->address);
      if (--it->second == 0) {
        state.connections_per_address.erase(it);
      }
    }
    delete connection;
  }
}

void close_connection(Connection* connection) {
  if (connection->closing) {
    return;
  }
  connection->closing = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&connection->tcp),
           on_connection_handle_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&connection->idle),
           on_connection_handle_closed);
}

void on_idle_timeout(uv_timer_t* timer) {
  auto* connection = static_cast<Connection*>(timer->data);
  spdlog::debug("closing idle TCP connection; address={}", connection->address);
  close_connection(connection);
}

void touch(Connection* connection) {
  uv_timer_start(&connection->idle, on_idle_timeout,
                 connection->state->options.tcp_idle_timeout_ms, 0);
}

void alloc_input(uv_handle_t* handle, size_t suggested, uv_buf_t* buf) {
  auto* connection = static_cast<Connection*>(handle->data);
  size_t size = std::min<size_t>(suggested, 16384);
  size_t old = connection->input.size();
  connection->input.resize(old + size);
  *buf =
      uv_buf_init(connection->input.data() + old, static_cast<unsigned>(size));
}

void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* connection = static_cast<Connection*>(stream->data);
  // alloc_input grew the buffer by buf->len; keep only what arrived.
  connection->input.resize(connection->input.size() - buf->len +
                           (nread > 0 ? nread : 0));
  if (nread < 0) {
    close_connection(connection);
    return;
  }
  if (connection->input.size() > kMaxBufferedInput) {
    spdlog::warn(
        "closing TCP connection that sent too much ahead; "
        "address={}",
        connection->address);
    close_connection(connection);
    return;
  }
  touch(connection);
  process_input(connection);
}

void set_reading(Connection* connection, bool reading) {
  if (connection->closing || connection->reading == reading) {
    return;
  }
  connection->reading = reading;
  auto* stream = reinterpret_cast<uv_stream_t*>(&connection->tcp);
  if (reading) {
    uv_read_start(stream, alloc_input, on_read);
  } else {
    uv_read_stop(stream);
  }
}

void finish_stream(Connection* connection) {
  XfrStream& stream = *connection->stream;
  if (stream.failed()) {
    spdlog::error(
        "transfer aborted: a record does not fit in a message; "
        "tenant={} zone={} address={}",
        stream.published()->tenant, stream.origin().text(),
        connection->address);
    close_connection(connection);
    return;
  }
  const char* type = stream.kind() == XfrStream::Kind::kAxfr ? "AXFR" : "IXFR";
  connection->state->tracker->on_transfer_sent(
      stream.origin(), connection->address, stream.serial(), type);
  spdlog::info(
      "transfer finished; tenant={} zone={} address={} type={} "
      "serial={}",
      stream.published()->tenant, stream.origin().text(), connection->address,
      type, stream.serial());
  connection->stream.reset();
  set_reading(connection, true);
  process_input(connection);
}

void on_write(uv_write_t* request, int status) {
  auto* write = static_cast<WriteRequest*>(request->data);
  Connection* connection = write->connection;
  connection->queued -= write->data.size();
  delete write;
  if (connection->closing) {
    return;
  }
  if (status < 0) {
    close_connection(connection);
    return;
  }
  touch(connection);
  if (connection->stream) {
    produce(connection);
  }
}

void write_message(Connection* connection, std::string data) {
  auto* write = new WriteRequest{{}, std::move(data), connection};
  write->request.data = write;
  uv_buf_t buf = uv_buf_init(write->data.data(),
                             static_cast<unsigned>(write->data.size()));
  connection->queued += write->data.size();
  int rc = uv_write(&write->request,
                    reinterpret_cast<uv_stream_t*>(&connection->tcp), &buf, 1,
                    on_write);
  if (rc != 0) {
    connection->queued -= write->data.size();
    delete write;
    close_connection(connection);
  }
}

std::string with_length_prefix(const std::string& message) {
  std::string out(2, '\0');
  out[0] = static_cast<char>(message.size() >> 8);
  out[1] = static_cast<char>(message.size() & 0xff);
  return out + message;
}

// Writes transfer messages until the queued output reaches the limit; the
// write callbacks call again as the client reads.
// NOTE: a large AXFR uses less CPU than knotd's but takes 1.2 to 2.5 times
// its wall time on a loaded 2-CPU machine (tests/bench/axfr/RESULTS.md).
// The cause is not found yet.
void produce(Connection* connection) {
  size_t limit = connection->state->options.max_tcp_output_bytes;
  while (!connection->closing && connection->stream &&
         !connection->stream->done() && connection->queued < limit) {
    std::string message(2, '\0');
    message.reserve(kMaxTcpMessage + 2);
    if (!connection->stream->next_message(message)) {
      break;
    }
    size_t size = message.size() - 2;
    message[0] = static_cast<char>(size >> 8);
    message[1] = static_cast<char>(size & 0xff);
    write_message(connection, std::move(message));
  }
  if (!connection->closing && connection->stream &&
      connection->stream->done() && connection->queued == 0) {
    finish_stream(connection);
  }
}

void process_input(Connection* connection) {
  State& state = *connection->state;
  size_t consumed = 0;
  std::string& input = connection->input;
  while (!connection->closing && !connection->stream &&
         input.size() - consumed >= 2) {
    size_t length = (static_cast<uint8_t>(input[consumed]) << 8) |
                    static_cast<uint8_t>(input[consumed + 1]);
    if (input.size() - consumed - 2 < length) {
      break;
    }
    Request request{std::string_view(input).substr(consumed + 2, length),
                    connection->address, connection->port, true};
    Reply reply = state.responder->handle(request);
    consumed += 2 + length;
    if (reply.stream) {
      connection->stream = std::move(reply.stream);
    } else if (!reply.message.empty()) {
      write_message(connection, with_length_prefix(reply.message));
    } else {
      close_connection(connection);  // not a request this server answers
    }
  }
  input.erase(0, consumed);
  if (connection->stream) {
    set_reading(connection, false);
    produce(connection);
  }
}

// Counts `connection` toward its source address, or returns false when the
// global or the per-address limit is reached. Warnings about rejected
// connections share the responder's per-second limit.
bool admit(State& state, Connection& connection) {
  if (state.connections.size() > state.options.max_tcp_connections) {
    ++state.rejected_connections;
    if (state.responder->may_log()) {
      spdlog::warn(
          "TCP connection limit reached; closing new connection; "
          "address={} limit={} rejected_total={}",
          connection.address, state.options.max_tcp_connections,
          state.rejected_connections);
    }
    return false;
  }
  size_t& from_address = state.connections_per_address[connection.address];
  if (from_address >= state.options.max_tcp_connections_per_address) {
    ++state.rejected_connections;
    if (state.responder->may_log()) {
      spdlog::warn(
          "TCP connection limit per address reached; closing new "
          "connection; address={} limit={} rejected_total={}",
          connection.address, state.options.max_tcp_connections_per_address,
          state.rejected_connections);
    }
    if (from_address == 0) {
      state.connections_per_address.erase(connection.address);
    }
    return false;
  }
  ++from_address;
  connection.counted = true;
  return true;
}

void on_connection(uv_stream_t* server, int status) {
  auto* listener = static_cast<Listener*>(server->data);
  State& state = *listener->state;
  if (status < 0) {
    return;
  }
  auto* connection = new Connection;
  connection->state = &state;
  uv_tcp_init(&state.loop, &connection->tcp);
  uv_timer_init(&state.loop, &connection->idle);
  connection->tcp.data = connection;
  connection->idle.data = connection;
  state.connections.insert(connection);
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&connection->tcp)) !=
      0) {
    close_connection(connection);
    return;
  }
  sockaddr_storage peer{};
  int length = sizeof peer;
  if (uv_tcp_getpeername(&connection->tcp, reinterpret_cast<sockaddr*>(&peer),
                         &length) != 0) {
    close_connection(connection);  // the client has already gone
    return;
  }
  peer_of(reinterpret_cast<sockaddr*>(&peer), connection->address,
          connection->port);
  if (!admit(state, *connection)) {
    close_connection(connection);
    return;
  }
  // Transfers write whole messages; Nagle's algorithm would hold back the
  // tail of each one until the client's delayed ACK.
  uv_tcp_nodelay(&connection->tcp, 1);
  touch(connection);
  set_reading(connection, true);
}

void alloc_udp(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* listener = static_cast<Listener*>(handle->data);
  *buf = uv_buf_init(listener->buffer, sizeof listener->buffer);
}

void on_udp(uv_udp_t* handle, ssize_t nread, const uv_buf_t* buf,
            const sockaddr* from, unsigned) {
  auto* listener = static_cast<Listener*>(handle->data);
  if (nread <= 0 || !from) {
    return;
  }
  Request request;
  request.wire = std::string_view(buf->base, static_cast<size_t>(nread));
  peer_of(from, request.source_address, request.source_port);
  auto header = parse_header(request.wire);
  if (header && header->qr) {
    listener->state->tracker->on_response(request.wire, request.source_address,
                                          request.source_port);
    return;
  }
  Reply reply = listener->state->responder->handle(request);
  if (!reply.message.empty()) {
    uv_buf_t out = uv_buf_init(reply.message.data(),
                               static_cast<unsigned>(reply.message.size()));
    uv_udp_try_send(handle, &out, 1, from);
  }
}

Listener* listener_for(State& state, const OutboundMessage& message,
                       int family) {
  for (auto& listener : state.listeners) {
    if (!message.source_address.empty() &&
        listener->address == message.source_address) {
      return listener.get();
    }
  }
  for (auto& listener : state.listeners) {
    if (message.source_address.empty() && listener->family == family) {
      return listener.get();
    }
  }
  return nullptr;
}

void send_due(State& state) {
  uv_update_time(&state.loop);
  for (const OutboundMessage& message :
       state.tracker->take_due(uv_now(&state.loop))) {
    sockaddr_storage destination;
    if (!make_sockaddr(message.address, message.port, destination)) {
      continue;
    }
    Listener* listener = listener_for(state, message, destination.ss_family);
    if (!listener) {
      spdlog::error("no listen address to send from; secondary={} source={}",
                    message.address, message.source_address);
      continue;
    }
    uv_buf_t buf = uv_buf_init(const_cast<char*>(message.wire.data()),
                               static_cast<unsigned>(message.wire.size()));
    int rc = uv_udp_try_send(&listener->udp, &buf, 1,
                             reinterpret_cast<sockaddr*>(&destination));
    if (rc < 0) {
      spdlog::warn("sending to secondary failed; address={} port={} error={}",
                   message.address, message.port, uv_strerror(rc));
    }
  }
}

void on_tick(uv_timer_t* timer) {
  send_due(*static_cast<State*>(timer->data));
}

void shut_down(State& state) {
  for (auto& listener : state.listeners) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener->udp), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&listener->tcp), nullptr);
  }
  std::vector<Connection*> connections(state.connections.begin(),
                                       state.connections.end());
  for (Connection* connection : connections) {
    close_connection(connection);
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&state.tick), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&state.wakeup), nullptr);
}

void on_wakeup(uv_async_t* async) {
  auto& state = *static_cast<State*>(async->data);
  if (state.stopping) {
    shut_down(state);
  } else {
    send_due(state);
  }
}

// Binds TCP first so that port 0 picks a port, then UDP on the same one.
void bind_listener(State& state, Listener& listener,
                   const model::ListenAddress& where) {
  sockaddr_storage address;
  if (!make_sockaddr(where.host, where.port, address)) {
    throw std::runtime_error("listen address '" + where.host +
                             "' is not an IPv4 or IPv6 address");
  }
  bool v6 = address.ss_family == AF_INET6;
  listener.family = address.ss_family;
  listener.address = normalize_address(where.host);
  const auto* sa = reinterpret_cast<const sockaddr*>(&address);
  std::string where_text = where.host + " port " + std::to_string(where.port);

  uv_tcp_init(&state.loop, &listener.tcp);
  listener.tcp_initialized = true;
  listener.tcp.data = &listener;
  int rc = uv_tcp_bind(&listener.tcp, sa, v6 ? UV_TCP_IPV6ONLY : 0);
  if (rc == 0) {
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener.tcp), 1024,
                   on_connection);
  }
  if (rc != 0) {
    throw std::runtime_error("cannot listen on TCP " + where_text + ": " +
                             uv_strerror(rc));
  }
  int length = sizeof address;
  uv_tcp_getsockname(&listener.tcp, reinterpret_cast<sockaddr*>(&address),
                     &length);
  std::string host;
  uint16_t port = 0;
  peer_of(sa, host, port);

  uv_udp_init(&state.loop, &listener.udp);
  listener.udp_initialized = true;
  listener.udp.data = &listener;
  rc = uv_udp_bind(&listener.udp, sa, v6 ? UV_UDP_IPV6ONLY : 0);
  if (rc == 0) {
    rc = uv_udp_recv_start(&listener.udp, alloc_udp, on_udp);
  }
  if (rc != 0) {
    throw std::runtime_error("cannot bind UDP " + where.host + " port " +
                             std::to_string(port) + ": " + uv_strerror(rc));
  }
  state.bound.push_back({where.host, port});
}

}  // namespace

Server::Server(ServerOptions options) : state_(std::make_unique<State>()) {
  State& state = *state_;
  state.options = std::move(options);
  state.clock =
      state.options.clock ? state.options.clock : &SystemClock::instance();
  state.tracker =
      std::make_unique<SecondaryTracker>(state.options, *state.clock);
  state.responder = std::make_unique<Responder>(
      state.options, *state.clock,
      [&state](const zone::Name& origin) { return state.lookup(origin); },
      *state.tracker);
}

Server::~Server() {
  stop();
}

void Server::start() {
  State& state = *state_;
  if (state.running) {
    return;
  }
  uv_loop_init(&state.loop);
  state.bound.clear();
  try {
    for (const auto& where : state.options.listen) {
      state.listeners.push_back(std::make_unique<Listener>());
      state.listeners.back()->state = &state;
      bind_listener(state, *state.listeners.back(), where);
    }
  } catch (...) {
    for (auto& listener : state.listeners) {
      if (listener->udp_initialized) {
        uv_close(reinterpret_cast<uv_handle_t*>(&listener->udp), nullptr);
      }
      if (listener->tcp_initialized) {
        uv_close(reinterpret_cast<uv_handle_t*>(&listener->tcp), nullptr);
      }
    }
    uv_run(&state.loop, UV_RUN_DEFAULT);
    uv_loop_close(&state.loop);
    state.listeners.clear();
    throw;
  }
  uv_async_init(&state.loop, &state.wakeup, on_wakeup);
  state.wakeup.data = &state;
  uv_timer_init(&state.loop, &state.tick);
  state.tick.data = &state;
  uv_timer_start(&state.tick, on_tick, 0, kTickMs);
  state.stopping = false;
  state.running = true;
  {
    std::lock_guard lock(state.wakeup_mutex);
    state.wakeup_open = true;
  }
  state.thread = std::thread([&state] { uv_run(&state.loop, UV_RUN_DEFAULT); });
  for (const auto& bound : state.bound) {
    spdlog::info("DNS server listening; address={} port={}", bound.host,
                 bound.port);
  }
}

void Server::stop() {
  State& state = *state_;
  if (!state.running) {
    return;
  }
  {
    std::lock_guard lock(state.wakeup_mutex);
    state.stopping = true;
    state.wakeup_open = false;
    uv_async_send(&state.wakeup);
  }
  state.thread.join();
  uv_loop_close(&state.loop);
  state.listeners.clear();
  state.running = false;
}

void Server::publish(std::shared_ptr<const PublishedZone> zone) {
  if (!zone || !zone->zone || !zone->zone->soa()) {
    spdlog::error("publish ignored: the zone has no SOA; tenant={}",
                  zone ? zone->tenant : "");
    return;
  }
  State& state = *state_;
  {
    std::lock_guard lock(state.zones_mutex);
    state.zones[zone->zone->origin()] = zone;
  }
  state.tracker->publish(zone);
  // The reconciler logs the publish summary; this line is for debugging.
  spdlog::debug("zone version served: tenant={} zone={} serial={} journal={}",
                zone->tenant, zone->zone->origin().text(), zone->zone->serial(),
                zone->journal.size());
  std::lock_guard lock(state.wakeup_mutex);
  if (state.wakeup_open) {
    uv_async_send(&state.wakeup);
  }
}

void Server::withdraw(const zone::Name& origin) {
  State& state = *state_;
  {
    std::lock_guard lock(state.zones_mutex);
    state.zones.erase(origin);
  }
  state.tracker->withdraw(origin);
  spdlog::info("zone withdrawn; zone={}", origin.text());
}

std::vector<SecondaryStatus> Server::secondary_status(
    const zone::Name& origin) const {
  return state_->tracker->status(origin);
}

std::vector<model::ListenAddress> Server::bound_addresses() const {
  return state_->bound;
}

}  // namespace signet::transfer
