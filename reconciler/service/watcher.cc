#include "service/watcher.h"

#include <spdlog/spdlog.h>
#include <uv.h>

#include <atomic>
#include <filesystem>
#include <list>
#include <stdexcept>

namespace signet::service {
namespace fs = std::filesystem;

namespace {

// One uv_fs_event_t watching one folder; `owner` holds the callback.
struct FolderWatch {
  uv_fs_event_t handle;
  std::string folder;
  std::string ref_name;  // file name of the loose ref in `folder`, or ""
  RefWatcher::Callback on_change;
};

bool is_interesting(const FolderWatch& watch, const char* file_name) {
  if (file_name == nullptr) {
    return true;
  }
  std::string name = file_name;
  if (!watch.ref_name.empty()) {
    return name == watch.ref_name || name == watch.ref_name + ".lock";
  }
  return name == "packed-refs" || name == "HEAD" || name == "refs";
}

void on_fs_event(uv_fs_event_t* handle, const char* file_name, int events,
                 int status) {
  (void)events;
  auto* watch = static_cast<FolderWatch*>(handle->data);
  if (status < 0) {
    spdlog::warn("ref watch failed: folder={} error={}", watch->folder,
                 uv_strerror(status));
    return;
  }
  if (is_interesting(*watch, file_name)) {
    watch->on_change();
  }
}

}  // namespace

struct RefWatcher::Loop {
  uv_loop_t loop;
  uv_async_t stop_signal;
  std::list<FolderWatch> watches;  // stable addresses for libuv
  std::thread thread;
  bool running = false;
};

RefWatcher::RefWatcher() : loop_(std::make_unique<Loop>()) {
  uv_loop_init(&loop_->loop);
}

RefWatcher::~RefWatcher() {
  stop();
  uv_loop_close(&loop_->loop);
}

void RefWatcher::add(const std::string& git_dir, const std::string& branch,
                     Callback on_change) {
  fs::path ref = fs::path(git_dir) / "refs" / "heads" / branch;
  loop_->watches.push_back(
      {{}, ref.parent_path().string(), ref.filename().string(), on_change});
  loop_->watches.push_back({{}, git_dir, "", std::move(on_change)});
}

void RefWatcher::start() {
  for (FolderWatch& watch : loop_->watches) {
    uv_fs_event_init(&loop_->loop, &watch.handle);
    watch.handle.data = &watch;
    int rc =
        uv_fs_event_start(&watch.handle, on_fs_event, watch.folder.c_str(), 0);
    if (rc < 0) {
      // The branch folder may not exist yet; the Git-folder watch and the
      // poll still see the branch appear.
      spdlog::warn("ref watch not started: folder={} error={}", watch.folder,
                   uv_strerror(rc));
    }
  }
  uv_async_init(&loop_->loop, &loop_->stop_signal, [](uv_async_t* handle) {
    uv_walk(
        handle->loop,
        [](uv_handle_t* h, void*) {
          if (!uv_is_closing(h)) {
            uv_close(h, nullptr);
          }
        },
        nullptr);
  });
  loop_->running = true;
  loop_->thread = std::thread([this] { uv_run(&loop_->loop, UV_RUN_DEFAULT); });
}

void RefWatcher::stop() {
  if (!loop_->running) {
    return;
  }
  uv_async_send(&loop_->stop_signal);
  loop_->thread.join();
  loop_->running = false;
}

std::string local_git_dir(const std::string& repository) {
  const std::string& path = repository;
  size_t colon = path.find(':');
  bool scp_like = colon != std::string::npos && path.front() != '/' &&
                  path.find('/') > colon;
  if (path.find("://") != std::string::npos || scp_like) {
    return "";  // a URL, fetched on the tenant's interval
  }
  std::error_code ec;
  if (fs::is_directory(fs::path(path) / ".git", ec)) {
    return (fs::path(path) / ".git").string();
  }
  if (fs::is_regular_file(fs::path(path) / "HEAD", ec)) {
    return path;
  }
  return "";
}

}  // namespace signet::service
