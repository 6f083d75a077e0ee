#pragma once
// How mail leaves the process. The default writes RFC 5322 .eml files into a folder (a mail
// catcher you can open with any mail client); an SMTP sender plugs in behind the same interface.
#include <filesystem>
#include <string>

namespace shop::notification {

struct MailMessage {
    std::string id;  ///< stable per logical message: a redelivery overwrites, never duplicates
    std::string from;
    std::string to;
    std::string subject;
    std::string body;  ///< text/plain, UTF-8
};

class MailSender {
public:
    virtual ~MailSender() = default;
    /// Delivers the message; returns where it went. Throws on failure.
    virtual std::string send(const MailMessage& m) = 0;
    /// Makes what send() delivered durable, before it is recorded as sent. Throws on failure.
    virtual void sync() {}
};

class FileMailSender final : public MailSender {
public:
    /// `sync`: messages are made durable (power loss) by sync() before they count as sent.
    FileMailSender(std::filesystem::path dir, bool sync) : dir_(std::move(dir)), sync_(sync) {}
    std::string send(const MailMessage& m) override;
    void sync() override;

private:
    std::filesystem::path dir_;
    bool sync_;
    bool dir_ready_ = false;  // (one sender thread)
};

/// The message as RFC 5322 text with MIME headers (subject RFC 2047-encoded when not ASCII).
std::string to_rfc5322(const MailMessage& m, const std::string& date);

}  // namespace shop::notification
