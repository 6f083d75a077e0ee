#pragma once
// Runs a function every `interval` on its own thread until stopped (sweepers, expiry jobs).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "platform/log.hpp"

namespace shop {

class PeriodicTask {
public:
    PeriodicTask(std::string name, std::chrono::milliseconds interval, std::function<void()> fn, Logger& log)
        : name_(std::move(name)), interval_(interval), fn_(std::move(fn)), log_(log) {}
    ~PeriodicTask() { stop(); }

    void start() {
        std::lock_guard lock(mu_);
        if (thread_.joinable()) return;
        stopping_ = false;
        thread_ = std::thread([this] {
            std::unique_lock lock(mu_);
            while (!stopping_) {
                cv_.wait_for(lock, interval_, [&] { return stopping_; });
                if (stopping_) break;
                lock.unlock();
                try {
                    fn_();
                } catch (const std::exception& e) {
                    log_.error("periodic task failed", {{"task", name_}, {"error", e.what()}});
                }
                lock.lock();
            }
        });
    }
    void stop() {
        {
            std::lock_guard lock(mu_);
            stopping_ = true;
        }
        cv_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

private:
    std::string name_;
    std::chrono::milliseconds interval_;
    std::function<void()> fn_;
    Logger& log_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace shop
