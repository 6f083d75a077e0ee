#pragma once
// Included only by src/app (the composition root).
#include <memory>

#include "ordering/api.hpp"
#include "payment/api.hpp"
#include "platform/config.hpp"
#include "platform/log.hpp"
#include "platform/module.hpp"

namespace shop::db {
class Database;
}

namespace shop::payment {

struct Deps {
    db::Database& db;
    Logger& log;
    const Config& config;
    ordering::OrderingApi& ordering;
};

class PaymentModule : public shop::Module {
public:
    virtual PaymentApi& api() = 0;
};

std::unique_ptr<PaymentModule> make_module(Deps deps);

}  // namespace shop::payment
