#pragma once
// The sender thread of a delivery queue (mail and messages, webhooks): runs `pass` — which sends
// what is due and returns how many it attempted — again at once while it attempts something, else
// sleeps until `next_due_ms` (epoch ms; at most a second: another instance may queue too) or a
// wake(). A failing pass or queue read is logged and the loop goes on.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "platform/ids.hpp"
#include "platform/log.hpp"

namespace shop::notification {

class QueueWorker {
public:
    QueueWorker(std::string name, Logger& log, std::function<int()> pass, std::function<std::int64_t()> next_due_ms)
        : name_(std::move(name)), log_(log), pass_(std::move(pass)), next_due_ms_(std::move(next_due_ms)) {}
    ~QueueWorker() { stop(); }

    void start() {
        std::lock_guard lock(mu_);
        if (thread_.joinable()) return;
        stopping_ = false;
        thread_ = std::thread([this] { run(); });
    }
    /// Finishes the pass under way (its attempt in progress is recorded first), then joins.
    void stop() {
        {
            std::lock_guard lock(mu_);
            stopping_ = true;
        }
        cv_.notify_all();
        if (thread_.joinable()) thread_.join();
    }
    /// Something was queued: look now instead of at the next due time.
    void wake() {
        {
            std::lock_guard lock(mu_);
            woken_ = true;
        }
        cv_.notify_one();
    }
    /// True once stop() was called: a pass stops between two sends.
    bool stopping() {
        std::lock_guard lock(mu_);
        return stopping_;
    }

private:
    void run() {
        std::unique_lock lock(mu_);
        while (!stopping_) {
            lock.unlock();
            int attempted = 0;
            try {
                attempted = pass_();
            } catch (const std::exception& e) {
                log_.error(name_ + " pass failed", {{"error", e.what()}});
            }
            std::int64_t wait_ms = 1000;
            try {
                wait_ms = std::clamp<std::int64_t>(next_due_ms_() - now_ms(), 0, 1000);
            } catch (const std::exception& e) {
                log_.error("reading the " + name_ + " queue failed", {{"error", e.what()}});
            }
            lock.lock();
            if (attempted > 0 || stopping_) continue;
            cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return woken_ || stopping_; });
            woken_ = false;
        }
    }

    std::string name_;
    Logger& log_;
    std::function<int()> pass_;
    std::function<std::int64_t()> next_due_ms_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool woken_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace shop::notification
