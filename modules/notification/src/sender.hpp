#pragma once
// One interface for every channel: the sender worker hands each rendered message to the sender of
// its channel (email: a folder of .eml files or SMTP), which delivers it or says why not.
#include <stdexcept>
#include <string>

namespace shop::notification {

/// A rendered message as a channel sender receives it.
struct Outgoing {
    std::string id;               ///< stable per logical message: a resend after a crash is recognisable
    std::string recipient;        ///< the address the channel understands (email address, ...)
    std::string subject;
    std::string text;             ///< plain text, UTF-8
    std::string html;             ///< the HTML alternative ("" = text only)
    std::string unsubscribe_url;  ///< marketing only: where a one-click unsubscribe (RFC 8058) POSTs
};

/// A delivery the provider answered with a refusal. permanent(): retrying cannot help (an unknown
/// mailbox, a rejected message), so the message fails at once.
class DeliveryError : public std::runtime_error {
public:
    DeliveryError(const std::string& what, bool permanent) : std::runtime_error(what), permanent_(permanent) {}
    bool permanent() const noexcept { return permanent_; }

private:
    bool permanent_;
};

/// Initialises libcurl once per process (the SMTP and webhook senders call it before their first use).
void curl_once();

class Sender {
public:
    virtual ~Sender() = default;
    /// Delivers the message; returns where it went (a file, the provider's reply). Throws
    /// DeliveryError when the provider refused it, any other exception on a transient failure.
    virtual std::string send(const Outgoing& m) = 0;
    /// Makes what send() delivered durable, before it is recorded as sent. Throws on failure.
    virtual void sync() {}
    /// True when sending a message again overwrites the first delivery (files named by the stable
    /// message id): a pass is then recorded once, after sync(). Otherwise (SMTP, SMS and push
    /// providers) a second send is a second message in someone's inbox, so each one is recorded as
    /// sent the moment the provider took it - a crash can then repeat at most the one in flight.
    virtual bool resend_is_harmless() const { return false; }
};

}  // namespace shop::notification
