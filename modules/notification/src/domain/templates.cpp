#include "domain/templates.hpp"

#include <boost/json.hpp>
#include <cctype>

#include <kainjow/mustache.hpp>

#include <set>

namespace shop::notification::domain {

namespace mustache = kainjow::mustache;

namespace {

mustache::data data_of(const Values& v) {
    mustache::data d;
    for (auto& [k, value] : v.vars) d.set(k, value);
    for (auto& [k, items] : v.lists) {
        mustache::data list{mustache::data::type::list};
        for (auto& item : items) {
            mustache::data o;
            for (auto& [f, value] : item) o.set(f, value);
            list.push_back(o);
        }
        d.set(k, list);
    }
    return d;
}

// A rendering context that notes every name it could not resolve, and every partial asked for.
class RecordingContext : public mustache::context<std::string> {
public:
    explicit RecordingContext(const mustache::data* d) : mustache::context<std::string>(d) {}
    const mustache::data* get(const std::string& name) const override {
        auto* found = mustache::context<std::string>::get(name);
        if (!found) missing.insert(name);
        return found;
    }
    const mustache::data* get_partial(const std::string& name) const override {
        partials.insert(name);
        return nullptr;
    }
    mutable std::set<std::string> missing, partials;
};

}  // namespace

std::string render(std::string_view tmpl, const Values& values, Escape escape) {
    mustache::mustache m{std::string(tmpl)};
    if (!m.is_valid()) return "";
    if (escape == Escape::none) m.set_custom_escape([](const std::string& s) { return s; });
    if (escape == Escape::json)
        m.set_custom_escape([](const std::string& s) {
            std::string quoted = boost::json::serialize(boost::json::string(s));
            return quoted.substr(1, quoted.size() - 2);
        });
    if (escape == Escape::form)
        m.set_custom_escape([](const std::string& s) {
            static const char* kHex = "0123456789ABCDEF";
            std::string out;
            for (unsigned char c : s) {
                if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out.push_back(static_cast<char>(c));
                else {
                    out.push_back('%');
                    out.push_back(kHex[c >> 4]);
                    out.push_back(kHex[c & 15]);
                }
            }
            return out;
        });
    return m.render(data_of(values));
}

std::optional<std::string> template_problem(std::string_view tmpl, const Schema& schema) {
    mustache::mustache m{std::string(tmpl)};
    if (!m.is_valid()) return m.error_message();
    std::map<std::string, std::string, std::less<>> none;
    // Once with one record in every list (section bodies render), once with none (inverted
    // sections render): every tag is looked up in one of the two.
    for (std::size_t items : {1, 0}) {
        mustache::data d = data_of(sample_values(schema, none, items));
        RecordingContext ctx(&d);
        m.render(ctx);
        if (!ctx.partials.empty()) return "partials are not supported ('" + *ctx.partials.begin() + "')";
        if (!ctx.missing.empty()) return "unknown variable '" + *ctx.missing.begin() + "'";
    }
    return std::nullopt;
}

Values sample_values(const Schema& schema, const std::map<std::string, std::string, std::less<>>& samples, std::size_t sample_items) {
    auto sample = [&](const std::string& name) {
        auto it = samples.find(name);
        return it != samples.end() ? it->second : "[" + name + "]";
    };
    Values v;
    for (auto& name : schema.vars) v.vars[name] = sample(name);
    for (auto& [list, fields] : schema.lists) {
        auto& items = v.lists[list];
        for (std::size_t i = 0; i < sample_items; ++i) {
            std::map<std::string, std::string, std::less<>> item;
            for (auto& f : fields) item[f] = sample(list + "." + f);
            items.push_back(std::move(item));
        }
    }
    return v;
}


std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 16);
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out.push_back(c);
        }
    }
    return out;
}

namespace {
// One paragraph's text, escaped, with http(s) URLs (up to the next white space) as links.
std::string linked(std::string_view p) {
    std::string out;
    std::size_t i = 0;
    while (i < p.size()) {
        auto http = p.find("http", i);
        bool url = http != std::string_view::npos && (p.substr(http, 7) == "http://" || p.substr(http, 8) == "https://");
        if (!url) {
            std::size_t next = http == std::string_view::npos ? p.size() : http + 4;
            out += html_escape(p.substr(i, next - i));
            i = next;
            continue;
        }
        out += html_escape(p.substr(i, http - i));
        auto end = p.find_first_of(" \t\n", http);
        if (end == std::string_view::npos) end = p.size();
        std::string href = html_escape(p.substr(http, end - http));
        out += "<a href=\"" + href + "\">" + href + "</a>";
        i = end;
    }
    return out;
}
}  // namespace

std::string html_of_text(std::string_view text) {
    std::string out = "<!DOCTYPE html>\n<html><body style=\"font-family: sans-serif; line-height: 1.4\">\n";
    std::string para;
    auto flush = [&] {
        while (!para.empty() && para.back() == '\n') para.pop_back();
        if (!para.empty()) out += "<p style=\"white-space: pre-wrap\">" + linked(para) + "</p>\n";
        para.clear();
    };
    std::size_t i = 0;
    while (i <= text.size()) {
        auto nl = text.find('\n', i);
        std::string_view line = text.substr(i, nl == std::string_view::npos ? std::string_view::npos : nl - i);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) flush();
        else para.append(line).push_back('\n');
        if (nl == std::string_view::npos) break;
        i = nl + 1;
    }
    flush();
    return out + "</body></html>\n";
}

}  // namespace shop::notification::domain
