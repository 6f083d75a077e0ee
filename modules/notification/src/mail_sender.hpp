#pragma once
// How mail leaves the process. The default writes RFC 5322 .eml files into a folder (a mail
// catcher you can open with any mail client); SmtpMailSender (smtp_sender.hpp) hands it to a
// mail server. Both are the email channel's Sender.
#include <filesystem>
#include <string>

#include "sender.hpp"

namespace shop::notification {

struct MailMessage {
    std::string id;  ///< stable per logical message: the Message-ID's local part
    std::string from;
    std::string to;
    std::string subject;
    std::string body;              ///< text/plain, UTF-8
    std::string html;              ///< text/html alternative, UTF-8 ("" = a text/plain message)
    std::string list_unsubscribe;  ///< an https URL: List-Unsubscribe + List-Unsubscribe-Post (RFC 8058)
};

/// The message as RFC 5322 text with MIME headers: multipart/alternative when it has HTML; every
/// header with non-ASCII text RFC 2047-encoded (the From display name included); a Message-ID in
/// the From address's domain. Throws std::invalid_argument for an address holding a line break.
std::string to_rfc5322(const MailMessage& m, const std::string& date);

/// `t` (epoch seconds) as an RFC 5322 date in UTC.
std::string rfc5322_date(std::int64_t t);

/// The mailbox of a From/To value: "Shop <shop@example.com>" -> "shop@example.com".
std::string mailbox_of(const std::string& address);

/// The message an email sender writes for `m`, sent from `from`.
MailMessage mail_of(const Outgoing& m, const std::string& from);

class FileMailSender final : public Sender {
public:
    bool resend_is_harmless() const override { return true; }

public:
    /// `sync`: messages are made durable (power loss) by sync() before they count as sent.
    FileMailSender(std::filesystem::path dir, bool sync, std::string from) : dir_(std::move(dir)), sync_(sync), from_(std::move(from)) {}
    /// Writes <dir>/<id>.eml (atomically: a reader never sees half a message).
    std::string send(const Outgoing& m) override;
    void sync() override;

private:
    std::filesystem::path dir_;
    bool sync_;
    std::string from_;
    bool dir_ready_ = false;  // (one sender thread)
};

}  // namespace shop::notification
