// Architecture test: enforces the module boundaries of the modular monolith by reading the source tree as text.
//
// Every check takes a root directory, so the same code runs over the repository and over the small fake trees in
// tests/architecture/fixtures/, each of which breaks exactly one rule and proves that the rule actually bites.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#ifndef SHOP_SOURCE_DIR
#error "SHOP_SOURCE_DIR must be defined as the repository root"
#endif

namespace fs = std::filesystem;

namespace arch {

// Directories found under modules/ are added to this list, so a module missing from it is still seen.
constexpr std::array<std::string_view, 8> kKnownModules{"identity", "catalog",  "search",  "cart",
                                                        "inventory", "ordering", "payment", "notification"};

// Headers a module may take from another one; module.hpp is for the composition root only.
constexpr std::array<std::string_view, 3> kCrossModuleHeaders{"api.hpp", "events.hpp", "errors.hpp"};

struct Violation {
    std::string file;  // relative to the checked root, '/'-separated
    int line = 0;
    std::string message;
};

std::string describe(const Violation& v) {
    std::string out = v.file;
    if (v.line > 0) out += ":" + std::to_string(v.line);
    return out + ": " + v.message;
}

// ---------------------------------------------------------------------------------------------------------------
// Small text and file helpers

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

int line_at(std::string_view text, std::size_t offset) {
    return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

std::string relative_to(const fs::path& root, const fs::path& file) {
    return file.lexically_relative(root).generic_string();
}

std::string normalize(const std::string& path) { return fs::path(path).lexically_normal().generic_string(); }

std::string parent_of(const std::string& rel_path) { return fs::path(rel_path).parent_path().generic_string(); }

bool is_source_file(const fs::path& p) {
    static const std::set<std::string> exts{".hpp", ".h", ".hh", ".hxx", ".ipp", ".inl", ".tpp",
                                            ".cpp", ".cc", ".cxx", ".c"};
    return exts.contains(p.extension().string());
}

// Sorted so that reports are stable between runs.
std::vector<std::string> list_files(const fs::path& root, const std::string& rel_dir,
                                    const std::function<bool(const fs::path&)>& keep) {
    std::vector<std::string> files;
    const fs::path dir = root / rel_dir;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return files;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (it->is_regular_file(ec) && keep(it->path())) files.push_back(relative_to(root, it->path()));
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<std::string> list_subdirectories(const fs::path& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return names;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.is_directory()) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? std::string(sep) : std::string()) + parts[i];
    return out;
}

// ---------------------------------------------------------------------------------------------------------------
// C++ scanning: include directives and string literals, with comments, char literals and digit separators
// understood, so that `// #include <x/module.hpp>` or `catalog::Id` never counts and raw SQL strings do.

struct Include {
    int line = 0;
    std::string path;
    bool angled = false;
};

struct StringLiteral {
    int line = 0;
    std::string text;  // escapes decoded; adjacent literals concatenated as the compiler does
};

struct CppScan {
    std::vector<Include> includes;
    std::vector<StringLiteral> literals;
};

class CppScanner {
public:
    explicit CppScanner(std::string_view text) : text_(text) {}

    CppScan run() {
        while (pos_ < text_.size()) step();
        return std::move(result_);
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    int line_ = 1;
    bool line_start_ = true;     // only whitespace or comments since the last newline: a '#' starts a directive
    bool after_literal_ = false;  // only whitespace or comments since the last string literal
    CppScan result_;

    char peek(std::size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }

    void advance() {
        if (text_[pos_] == '\n') {
            ++line_;
            line_start_ = true;
        }
        ++pos_;
    }

    void step() {
        const char c = peek();
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
            advance();
        } else if (c == '/' && peek(1) == '/') {
            skip_line_comment();
        } else if (c == '/' && peek(1) == '*') {
            skip_block_comment();
        } else if (c == '#' && line_start_) {
            directive();
        } else {
            line_start_ = false;
            if (is_ident_start(c)) {
                identifier();
            } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                       (c == '.' && std::isdigit(static_cast<unsigned char>(peek(1))))) {
                number();
            } else if (c == '"') {
                string_literal(false);
            } else if (c == '\'') {
                char_literal();
            } else {
                after_literal_ = false;
                advance();
            }
        }
    }

    void skip_line_comment() {
        while (pos_ < text_.size() && peek() != '\n') {
            if (peek() == '\\' && peek(1) == '\n') advance();
            advance();
        }
    }

    void skip_block_comment() {
        advance();
        advance();
        while (pos_ < text_.size() && !(peek() == '*' && peek(1) == '/')) advance();
        if (pos_ < text_.size()) {
            advance();
            advance();
        }
    }

    void skip_blanks() {
        while (peek() == ' ' || peek() == '\t') advance();
    }

    void directive() {
        advance();
        skip_blanks();
        std::string word;
        while (is_ident_char(peek())) {
            word += peek();
            advance();
        }
        line_start_ = false;
        after_literal_ = false;
        if (word != "include" && word != "include_next" && word != "import") return;
        skip_blanks();
        const char open = peek();
        if (open != '<' && open != '"') return;  // a macro-computed include cannot be checked as text
        const char close = open == '<' ? '>' : '"';
        const int line = line_;
        advance();
        std::string path;
        while (pos_ < text_.size() && peek() != close && peek() != '\n') {
            path += peek();
            advance();
        }
        if (peek() == close) advance();
        result_.includes.push_back({line, path, open == '<'});
    }

    void identifier() {
        std::string word;
        while (is_ident_char(peek())) {
            word += peek();
            advance();
        }
        if (peek() == '"') {
            if (word == "R" || word == "u8R" || word == "uR" || word == "UR" || word == "LR")
                return string_literal(true);
            if (word == "u8" || word == "u" || word == "U" || word == "L") return string_literal(false);
        }
        if (peek() == '\'' && (word == "u8" || word == "u" || word == "U" || word == "L")) return char_literal();
        after_literal_ = false;
    }

    // A pp-number, so that the digit separator in 1'000 is not taken for a character literal.
    void number() {
        while (pos_ < text_.size()) {
            const char c = peek();
            const char prev = pos_ > 0 ? text_[pos_ - 1] : '\0';
            if (is_ident_char(c) || c == '.') {
                advance();
            } else if (c == '\'' && is_ident_char(peek(1))) {
                advance();
            } else if ((c == '+' || c == '-') && (prev == 'e' || prev == 'E' || prev == 'p' || prev == 'P')) {
                advance();
            } else {
                break;
            }
        }
        after_literal_ = false;
    }

    void char_literal() {
        advance();
        while (pos_ < text_.size() && peek() != '\'' && peek() != '\n') {
            if (peek() == '\\') advance();
            if (pos_ < text_.size()) advance();
        }
        if (peek() == '\'') advance();
        after_literal_ = false;
    }

    void string_literal(bool raw) {
        const int line = line_;
        std::string text;
        advance();  // opening quote
        if (raw) {
            std::string delimiter;
            while (pos_ < text_.size() && peek() != '(') {
                delimiter += peek();
                advance();
            }
            if (pos_ < text_.size()) advance();
            const std::string terminator = ")" + delimiter + "\"";
            const std::size_t end = text_.find(terminator, pos_);
            const std::size_t stop = end == std::string_view::npos ? text_.size() : end;
            text.assign(text_.substr(pos_, stop - pos_));
            while (pos_ < stop) advance();
            for (std::size_t i = 0; i < terminator.size() && pos_ < text_.size(); ++i) advance();
        } else {
            while (pos_ < text_.size() && peek() != '"' && peek() != '\n') {
                if (peek() == '\\') {
                    advance();
                    const char e = peek();
                    if (e == 'n') text += '\n';
                    else if (e == 't') text += '\t';
                    else if (e == '"' || e == '\\' || e == '\'' || e == '?') text += e;
                    else if (e != '\n') text += std::string("\\") + e;
                    if (pos_ < text_.size()) advance();
                } else {
                    text += peek();
                    advance();
                }
            }
            if (peek() == '"') advance();
        }
        if (after_literal_ && !result_.literals.empty()) {
            result_.literals.back().text += text;
        } else {
            result_.literals.push_back({line, std::move(text)});
        }
        after_literal_ = true;
    }
};

CppScan scan_cpp(std::string_view text) { return CppScanner(text).run(); }

// ---------------------------------------------------------------------------------------------------------------
// Module declarations: the shop_module(...) call in modules/<name>/CMakeLists.txt

struct ModuleDecl {
    std::string name;        // as written in the call
    std::string cmake_file;  // relative to root
    int line = 0;
    std::vector<std::string> uses;
    std::vector<std::string> events_from;
};

struct ShopModuleCall {
    int line = 0;
    std::vector<std::string> args;
};

// Comments are blanked (newlines kept) so that a commented-out shop_module(...) is not read as a declaration.
std::string strip_cmake_comments(std::string_view text) {
    std::string out(text);
    std::size_t i = 0;
    while (i < out.size()) {
        if (out[i] == '"') {
            for (++i; i < out.size() && out[i] != '"'; ++i)
                if (out[i] == '\\') ++i;
            ++i;
        } else if (out[i] == '#') {
            std::size_t end = std::string::npos;
            static const std::regex bracket_open(R"(^#\[(=*)\[)");
            std::smatch m;
            const std::string rest = out.substr(i, 64);
            if (std::regex_search(rest, m, bracket_open)) {
                end = out.find("]" + m[1].str() + "]", i);
                end = end == std::string::npos ? out.size() : end + m[1].length() + 2;
            } else {
                end = out.find('\n', i);
                if (end == std::string::npos) end = out.size();
            }
            for (std::size_t k = i; k < end; ++k)
                if (out[k] != '\n') out[k] = ' ';
            i = end;
        } else {
            ++i;
        }
    }
    return out;
}

std::vector<ShopModuleCall> parse_shop_module_calls(std::string_view cmake_text) {
    const std::string text = strip_cmake_comments(cmake_text);
    std::vector<ShopModuleCall> calls;
    static const std::regex call_start(R"((^|[^A-Za-z0-9_])shop_module\s*\()", std::regex::icase);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), call_start); it != std::sregex_iterator(); ++it) {
        const std::size_t open = static_cast<std::size_t>(it->position(0) + it->length(0));
        ShopModuleCall call;
        call.line = line_at(text, static_cast<std::size_t>(it->position(0) + it->length(1)));
        std::string token;
        bool in_token = false;
        auto flush = [&] {
            if (!in_token) return;
            // A quoted "a;b" is a CMake list.
            std::stringstream parts(token);
            for (std::string part; std::getline(parts, part, ';');)
                if (!part.empty()) call.args.push_back(part);
            token.clear();
            in_token = false;
        };
        int depth = 1;
        for (std::size_t i = open; i < text.size() && depth > 0; ++i) {
            const char c = text[i];
            if (c == '"') {
                in_token = true;
                for (++i; i < text.size() && text[i] != '"'; ++i) token += text[i];
            } else if (c == '(') {
                ++depth;
            } else if (c == ')') {
                if (--depth == 0) flush();
            } else if (std::isspace(static_cast<unsigned char>(c))) {
                flush();
            } else {
                token += c;
                in_token = true;
            }
        }
        calls.push_back(std::move(call));
    }
    return calls;
}

ModuleDecl to_declaration(const ShopModuleCall& call, const std::string& cmake_file) {
    ModuleDecl decl;
    decl.cmake_file = cmake_file;
    decl.line = call.line;
    if (!call.args.empty()) decl.name = call.args.front();
    std::vector<std::string>* section = nullptr;
    for (std::size_t i = 1; i < call.args.size(); ++i) {
        const std::string& arg = call.args[i];
        if (arg == "USES") section = &decl.uses;
        else if (arg == "EVENTS_FROM") section = &decl.events_from;
        else if (arg == "SOURCES") section = nullptr;
        else if (section) section->push_back(arg);
    }
    return decl;
}

// What one root contains, with the declaration problems met while reading it.
struct Tree {
    fs::path root;
    std::set<std::string> module_names;           // every name that denotes a module, present or not
    std::vector<std::string> present;             // directories under modules/
    std::map<std::string, ModuleDecl> declared;   // by directory name
    std::vector<Violation> declaration_problems;
};

Tree load_tree(const fs::path& root) {
    Tree tree;
    tree.root = root;
    for (auto name : kKnownModules) tree.module_names.emplace(name);
    tree.present = list_subdirectories(root / "modules");
    for (const auto& dir : tree.present) tree.module_names.insert(dir);

    for (const auto& dir : tree.present) {
        const std::string cmake_file = "modules/" + dir + "/CMakeLists.txt";
        if (!fs::is_regular_file(root / cmake_file)) {
            tree.declaration_problems.push_back(
                {"modules/" + dir, 0,
                 "module directory has no CMakeLists.txt with a shop_module(" + dir + " ...) call"});
            continue;
        }
        const auto calls = parse_shop_module_calls(read_text(root / cmake_file));
        if (calls.size() != 1) {
            tree.declaration_problems.push_back({cmake_file, 0, "expected exactly one shop_module(...) call, found " +
                                                                    std::to_string(calls.size())});
            if (calls.empty()) continue;
        }
        ModuleDecl decl = to_declaration(calls.front(), cmake_file);
        if (decl.name != dir)
            tree.declaration_problems.push_back(
                {cmake_file, decl.line, "shop_module declares '" + decl.name + "' inside modules/" + dir});
        tree.declared.emplace(dir, std::move(decl));
    }
    return tree;
}

bool is_present(const Tree& tree, const std::string& name) {
    return std::find(tree.present.begin(), tree.present.end(), name) != tree.present.end();
}

// The module owning a path such as modules/<name>/..., if any.
std::optional<std::string> owning_module(const std::string& rel_path) {
    if (!starts_with(rel_path, "modules/")) return std::nullopt;
    const std::size_t end = rel_path.find('/', 8);
    if (end == std::string::npos) return std::nullopt;
    return rel_path.substr(8, end - 8);
}

// The first path component when the include has one, e.g. "catalog" for <catalog/api.hpp> but nothing for
// <search.h>, which is a system header and not the search module.
std::optional<std::string> first_component(const std::string& include_path) {
    const std::size_t slash = include_path.find('/');
    if (slash == std::string::npos) return std::nullopt;
    return include_path.substr(0, slash);
}

bool exists_file(const Tree& tree, const std::string& rel) {
    std::error_code ec;
    return !starts_with(rel, "../") && fs::is_regular_file(tree.root / rel, ec);
}

// Mimics the compiler's search order for the include directories the build gives each target, so that transitive
// includes can be followed and relative includes located.
std::optional<std::string> resolve_include(const Tree& tree, const std::string& from, const Include& inc) {
    std::vector<std::string> candidates;
    if (!inc.angled) candidates.push_back(normalize(parent_of(from) + "/" + inc.path));
    if (const auto owner = owning_module(from)) {
        const std::string base = "modules/" + *owner;
        if (starts_with(from, base + "/src/")) candidates.push_back(normalize(base + "/src/" + inc.path));
        candidates.push_back(normalize(base + "/include/" + inc.path));
    }
    if (const auto first = first_component(inc.path); first && tree.module_names.contains(*first))
        candidates.push_back(normalize("modules/" + *first + "/include/" + inc.path));
    candidates.push_back(normalize("src/" + inc.path));
    for (const auto& c : candidates)
        if (exists_file(tree, c)) return c;
    return std::nullopt;
}

bool has_dotdot(const std::string& path) {
    return path == ".." || starts_with(path, "../") || path.find("/../") != std::string::npos ||
           (path.size() >= 3 && path.ends_with("/.."));
}

// Where a relative include lands: the file the compiler would pick or, if none exists, the path next to the file.
std::string landing_of_relative(const Tree& tree, const std::string& from, const Include& inc) {
    if (const auto resolved = resolve_include(tree, from, inc)) return *resolved;
    return normalize(parent_of(from) + "/" + inc.path);
}

std::vector<Include> includes_of(const Tree& tree, const std::string& rel_file) {
    return scan_cpp(read_text(tree.root / rel_file)).includes;
}

// ---------------------------------------------------------------------------------------------------------------
// Rule 1: a module sees another module only through its api.hpp / events.hpp / errors.hpp, as declared.

std::vector<Violation> check_include_boundaries(const fs::path& root) {
    const Tree tree = load_tree(root);
    std::vector<Violation> out;
    for (const auto& module : tree.present) {
        const std::string base = "modules/" + module;
        const auto decl_it = tree.declared.find(module);
        // Without a declaration the dependency lists are unknown; rule 3 reports the missing declaration.
        const ModuleDecl* decl = decl_it == tree.declared.end() ? nullptr : &decl_it->second;
        auto declared_in = [](const std::vector<std::string>& list, const std::string& name) {
            return std::find(list.begin(), list.end(), name) != list.end();
        };
        for (const auto& file : list_files(root, base, is_source_file)) {
            for (const auto& inc : includes_of(tree, file)) {
                const std::string shown = (inc.angled ? "<" : "\"") + inc.path + (inc.angled ? ">" : "\"");
                if (has_dotdot(inc.path)) {
                    const std::string landing = landing_of_relative(tree, file, inc);
                    if (!starts_with(landing, base + "/"))
                        out.push_back({file, inc.line, "relative include " + shown + " reaches outside " + base +
                                                           " (lands on " + landing + ")"});
                    continue;
                }
                const auto first = first_component(inc.path);
                if (!first) continue;
                if (*first == "app" || starts_with(inc.path, "src/app/")) {
                    out.push_back({file, inc.line, "includes application code " + shown});
                } else if (*first == "modules" || *first == "src") {
                    out.push_back({file, inc.line, "includes " + shown + " by repository path instead of a public "
                                                   "header <module>/api.hpp|events.hpp|errors.hpp"});
                } else if (tree.module_names.contains(*first) && *first != module) {
                    const std::string other = *first;
                    const std::string header = inc.path.substr(other.size() + 1);
                    const bool public_header = std::find(kCrossModuleHeaders.begin(), kCrossModuleHeaders.end(),
                                                         header) != kCrossModuleHeaders.end();
                    if (!public_header) {
                        out.push_back({file, inc.line, "includes " + shown + ": another module may be included only "
                                                       "as " + other + "/api.hpp, " + other + "/events.hpp or " +
                                                       other + "/errors.hpp"});
                    } else if (decl && header == "events.hpp") {
                        if (!declared_in(decl->uses, other) && !declared_in(decl->events_from, other))
                            out.push_back({file, inc.line, "includes " + shown + " but " + other +
                                                               " is in neither USES nor EVENTS_FROM of " + module});
                    } else if (decl && !declared_in(decl->uses, other)) {
                        out.push_back({file, inc.line, "includes " + shown + " but " + other + " is not in USES of " +
                                                           module + (declared_in(decl->events_from, other)
                                                                         ? " (EVENTS_FROM allows events.hpp only)"
                                                                         : "")});
                    }
                }
            }
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Rule 2: public headers and domain code stay free of transport and persistence technology, transitively.

std::optional<std::string> forbidden_technology(const std::string& include_path) {
    const std::string p = normalize(include_path);
    if (starts_with(p, "boost/beast")) return "Beast";
    if (starts_with(p, "boost/asio")) return "Asio";
    if (starts_with(p, "soci/") || p == "soci.h" || starts_with(p, "soci-")) return "SOCI";
    return std::nullopt;
}

bool is_platform_infrastructure_header(const std::string& include_path, const std::optional<std::string>& resolved) {
    const std::string p = normalize(include_path);
    if (p == "platform/db.hpp" || p == "platform/server.hpp") return true;
    return resolved && (*resolved == "src/platform/db.hpp" || *resolved == "src/platform/server.hpp");
}

std::vector<Violation> check_infrastructure_headers(const fs::path& root) {
    const Tree tree = load_tree(root);
    std::vector<Violation> out;
    for (const auto& module : tree.present) {
        const std::string base = "modules/" + module;
        std::vector<std::string> starts = list_files(root, base + "/include", is_source_file);
        const auto domain = list_files(root, base + "/src/domain", is_source_file);
        starts.insert(starts.end(), domain.begin(), domain.end());

        for (const auto& start : starts) {
            const bool public_header = starts_with(start, base + "/include/");
            std::set<std::string> reported;
            std::set<std::string> visited{start};
            // Breadth-first, so the chain shown for each finding is the shortest one.
            std::vector<std::pair<std::string, std::vector<std::string>>> queue{{start, {}}};
            for (std::size_t q = 0; q < queue.size(); ++q) {
                const auto [file, chain] = queue[q];
                for (const auto& inc : includes_of(tree, file)) {
                    const auto resolved = resolve_include(tree, file, inc);
                    std::vector<std::string> path_here = chain;
                    path_here.push_back(inc.path);
                    const std::string via =
                        path_here.size() > 1 ? " (via " + join(path_here, " -> ") + ")" : std::string();
                    if (const auto tech = forbidden_technology(inc.path); tech && reported.insert(inc.path).second) {
                        out.push_back({start, 0, std::string(public_header ? "public header" : "domain code") +
                                                     " depends on " + *tech + " header <" + inc.path + ">" + via});
                    }
                    if (public_header && is_platform_infrastructure_header(inc.path, resolved) &&
                        reported.insert(normalize(inc.path)).second) {
                        out.push_back({start, 0, "public header includes \"" + inc.path +
                                                     "\", which belongs in src/ only" + via});
                    }
                    if (resolved && visited.insert(*resolved).second) queue.push_back({*resolved, path_here});
                }
            }
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Rule 3: the declarations are sound, name only existing modules, and the USES graph is acyclic.

std::vector<Violation> check_module_graph(const fs::path& root) {
    const Tree tree = load_tree(root);
    std::vector<Violation> out = tree.declaration_problems;

    for (const auto& entry : tree.declared) {
        const auto& decl = entry.second;  // a named reference: clang 14 cannot capture a structured binding
        auto check_names = [&](const std::vector<std::string>& names, const char* keyword) {
            for (const auto& dep : names) {
                if (!tree.module_names.contains(dep))
                    out.push_back({decl.cmake_file, decl.line, std::string(keyword) + " names '" + dep +
                                                                   "', which is not a module"});
                else if (!is_present(tree, dep))
                    out.push_back({decl.cmake_file, decl.line, std::string(keyword) + " names '" + dep +
                                                                   "', but modules/" + dep + " does not exist"});
                else if (!tree.declared.contains(dep))
                    out.push_back({decl.cmake_file, decl.line, std::string(keyword) + " names '" + dep +
                                                                   "', which has no shop_module declaration"});
            }
        };
        check_names(decl.uses, "USES");
        check_names(decl.events_from, "EVENTS_FROM");
    }

    // Depth-first search; each back edge closes one cycle, recorded from its smallest name so it is reported once.
    enum class Mark { Unvisited, OnStack, Done };
    std::map<std::string, Mark> mark;
    std::vector<std::string> stack;
    std::set<std::vector<std::string>> cycles;
    std::function<void(const std::string&)> visit = [&](const std::string& node) {
        mark[node] = Mark::OnStack;
        stack.push_back(node);
        if (const auto it = tree.declared.find(node); it != tree.declared.end()) {
            for (const auto& next : it->second.uses) {
                if (mark[next] == Mark::OnStack) {
                    std::vector<std::string> cycle(std::find(stack.begin(), stack.end(), next), stack.end());
                    std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
                    cycles.insert(cycle);
                } else if (mark[next] == Mark::Unvisited) {
                    visit(next);
                }
            }
        }
        stack.pop_back();
        mark[node] = Mark::Done;
    };
    for (const auto& [module, decl] : tree.declared)
        if (mark[module] == Mark::Unvisited) visit(module);

    for (const auto& cycle : cycles) {
        std::vector<std::string> closed = cycle;
        closed.push_back(cycle.front());
        const auto& decl = tree.declared.at(cycle.front());
        out.push_back({decl.cmake_file, decl.line, "cycle in the USES graph: " + join(closed, " -> ")});
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Rule 4: a module's SQL stays inside its own schema.

// Blanks SQL comments (newlines kept) so that prose such as "-- mirrors catalog.products" is not a reference.
std::string strip_sql_comments(std::string_view sql) {
    std::string out(sql);
    std::size_t i = 0;
    while (i < out.size()) {
        if (out[i] == '\'') {
            for (++i; i < out.size() && out[i] != '\''; ++i) {
            }
            ++i;
        } else if (out[i] == '-' && i + 1 < out.size() && out[i + 1] == '-') {
            for (; i < out.size() && out[i] != '\n'; ++i) out[i] = ' ';
        } else if (out[i] == '/' && i + 1 < out.size() && out[i + 1] == '*') {
            const std::size_t end = out.find("*/", i + 2);
            const std::size_t stop = end == std::string::npos ? out.size() : end + 2;
            for (; i < stop; ++i)
                if (out[i] != '\n') out[i] = ' ';
        } else {
            ++i;
        }
    }
    return out;
}

struct SchemaRef {
    std::size_t offset = 0;
    std::string token;
};

// Finds `<other>.<identifier>` (optionally with "quoted" parts, as SQL allows), except versioned event names
// `<other>.<identifier>.v<digits>`. A name preceded by '.' is the tail of a longer dotted name, not a schema.
std::vector<SchemaRef> foreign_schema_refs(std::string_view text, const std::string& self,
                                           const std::set<std::string>& modules) {
    std::vector<SchemaRef> refs;
    std::size_t i = 0;
    while (i < text.size()) {
        if (!is_ident_start(text[i]) || (i > 0 && is_ident_char(text[i - 1]))) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && is_ident_char(text[end])) ++end;
        const std::string word = to_lower(text.substr(i, end - i));
        std::size_t before = i;
        if (before > 0 && text[before - 1] == '"') --before;
        const bool boundary = before == 0 || (!is_ident_char(text[before - 1]) && text[before - 1] != '.');
        if (boundary && word != self && modules.contains(word)) {
            std::size_t j = end;
            if (j < text.size() && text[j] == '"') ++j;
            if (j < text.size() && text[j] == '.') {
                ++j;
                if (j < text.size() && text[j] == '"') ++j;
                const std::size_t id_start = j;
                if (j < text.size() && is_ident_start(text[j])) {
                    while (j < text.size() && is_ident_char(text[j])) ++j;
                    std::size_t k = j;
                    bool versioned = k + 2 < text.size() && text[k] == '.' && text[k + 1] == 'v' &&
                                     std::isdigit(static_cast<unsigned char>(text[k + 2]));
                    if (versioned) {
                        k += 2;
                        while (k < text.size() && std::isdigit(static_cast<unsigned char>(text[k]))) ++k;
                        versioned = k == text.size() || !is_ident_char(text[k]);
                    }
                    if (!versioned)
                        refs.push_back({i, word + "." + std::string(text.substr(id_start, j - id_start))});
                }
            }
        }
        i = end;
    }
    return refs;
}

std::vector<Violation> check_schema_isolation(const fs::path& root) {
    const Tree tree = load_tree(root);
    std::vector<Violation> out;
    auto message = [](const std::string& module, const SchemaRef& ref) {
        const std::string schema = ref.token.substr(0, ref.token.find('.'));
        return "SQL of " + module + " names schema of module " + schema + ": '" + ref.token + "'";
    };
    for (const auto& module : tree.module_names) {
        auto is_sql = [](const fs::path& p) { return p.extension() == ".sql"; };
        for (const auto& file : list_files(root, "migrations/" + module, is_sql)) {
            const std::string sql = strip_sql_comments(read_text(root / file));
            for (const auto& ref : foreign_schema_refs(sql, module, tree.module_names))
                out.push_back({file, line_at(sql, ref.offset), message(module, ref)});
        }
        for (const auto& file : list_files(root, "modules/" + module + "/src", is_source_file)) {
            for (const auto& literal : scan_cpp(read_text(root / file)).literals) {
                const std::string sql = strip_sql_comments(literal.text);
                for (const auto& ref : foreign_schema_refs(sql, module, tree.module_names))
                    out.push_back({file, literal.line + line_at(sql, ref.offset) - 1, message(module, ref)});
            }
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Rule 5: the platform kernel knows no module.

std::vector<Violation> check_platform_independence(const fs::path& root) {
    const Tree tree = load_tree(root);
    std::vector<Violation> out;
    for (const auto& file : list_files(root, "src/platform", is_source_file)) {
        for (const auto& inc : includes_of(tree, file)) {
            const std::string shown = (inc.angled ? "<" : "\"") + inc.path + (inc.angled ? ">" : "\"");
            const auto first = first_component(inc.path);
            if (first && tree.module_names.contains(*first)) {
                out.push_back({file, inc.line, "platform includes module header " + shown});
            } else if (starts_with(normalize(inc.path), "modules/")) {
                out.push_back({file, inc.line, "platform includes module code " + shown});
            } else if (has_dotdot(inc.path)) {
                const std::string landing = landing_of_relative(tree, file, inc);
                if (starts_with(landing, "modules/"))
                    out.push_back(
                        {file, inc.line, "platform reaches into module code " + shown + " (" + landing + ")"});
            }
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Test helpers

using Check = std::vector<Violation> (*)(const fs::path&);

struct Rule {
    const char* name;
    Check check;
};

constexpr std::array<Rule, 5> kRules{{
    {"rule 1 include boundaries", check_include_boundaries},
    {"rule 2 infrastructure headers", check_infrastructure_headers},
    {"rule 3 module graph", check_module_graph},
    {"rule 4 schema isolation", check_schema_isolation},
    {"rule 5 platform independence", check_platform_independence},
}};

fs::path repo_root() { return fs::path(SHOP_SOURCE_DIR); }

fs::path fixture(const std::string& name) {
    const fs::path dir = repo_root() / "tests" / "architecture" / "fixtures" / name;
    REQUIRE_MESSAGE(fs::is_directory(dir), "missing fixture " << dir.string());
    return dir;
}

void require_no_violations(const std::vector<Violation>& violations) {
    for (const auto& v : violations) FAIL_CHECK(describe(v));
    CHECK(violations.empty());
}

std::string dump(const std::vector<Violation>& violations) {
    std::string out;
    for (const auto& v : violations) out += "\n  " + describe(v);
    return out.empty() ? " (none)" : out;
}

bool reported(const std::vector<Violation>& violations, const std::string& file, const std::string& fragment) {
    return std::any_of(violations.begin(), violations.end(), [&](const Violation& v) {
        return v.file == file && v.message.find(fragment) != std::string::npos;
    });
}

bool reported_file(const std::vector<Violation>& violations, const std::string& file) {
    return std::any_of(violations.begin(), violations.end(), [&](const Violation& v) { return v.file == file; });
}

// A violating fixture must break only the rule it is for, otherwise it proves less than it seems.
void require_only_rule_broken(const fs::path& root, Check rule) {
    for (const auto& other : kRules) {
        if (other.check == rule) continue;
        const auto violations = other.check(root);
        CHECK_MESSAGE(violations.empty(), "fixture " << root.filename().string() << " also breaks " << other.name
                                                     << ":" << dump(violations));
    }
}

}  // namespace arch

using namespace arch;

// ---------------------------------------------------------------------------------------------------------------
// The real tree

TEST_CASE("rule 1 on the repository: modules include other modules only via declared public headers") {
    require_no_violations(check_include_boundaries(repo_root()));
}

TEST_CASE("rule 2 on the repository: public headers and domain code include no Beast/Asio/SOCI") {
    require_no_violations(check_infrastructure_headers(repo_root()));
}

TEST_CASE("rule 3 on the repository: module declarations are sound and the USES graph is acyclic") {
    require_no_violations(check_module_graph(repo_root()));
}

TEST_CASE("rule 4 on the repository: module SQL names no other module's schema") {
    require_no_violations(check_schema_isolation(repo_root()));
}

TEST_CASE("rule 5 on the repository: src/platform includes no module") {
    require_no_violations(check_platform_independence(repo_root()));
}

// ---------------------------------------------------------------------------------------------------------------
// The checks themselves, over fixtures

TEST_CASE("clean fixture: all rules pass on a compliant tree full of near misses") {
    const fs::path root = fixture("clean");
    const Tree tree = load_tree(root);
    // A clean result from a tree the parser failed to read would prove nothing.
    REQUIRE(tree.declared.size() == 4);
    CHECK(tree.declared.at("ordering").uses == std::vector<std::string>{"catalog", "cart"});
    CHECK(tree.declared.at("ordering").events_from == std::vector<std::string>{"payment"});
    CHECK(includes_of(tree, "modules/ordering/src/ordering.cpp").size() == 8);
    for (const auto& rule : kRules) {
        CAPTURE(rule.name);
        require_no_violations(rule.check(root));
    }
}

TEST_CASE("rule 1 catches the include_boundaries fixture") {
    const fs::path root = fixture("rule1_include_boundaries");
    const auto v = check_include_boundaries(root);
    INFO("reported:" << dump(v));
    const std::string src = "modules/ordering/src/";
    CHECK(reported(v, src + "foreign_module_header.cpp", "catalog/module.hpp"));
    CHECK(reported(v, src + "foreign_src_by_path.cpp", "modules/catalog/src/repository.hpp"));
    CHECK(reported(v, src + "relative_escape.cpp", "reaches outside modules/ordering"));
    CHECK(reported(v, src + "app_include.cpp", "app/composition.hpp"));
    CHECK(reported(v, src + "undeclared_api.cpp", "inventory is not in USES"));
    CHECK(reported(v, src + "undeclared_events.cpp", "inventory is in neither USES nor EVENTS_FROM"));
    CHECK(reported(v, src + "api_of_events_only_module.cpp", "EVENTS_FROM allows events.hpp only"));
    CHECK(reported(v, "modules/ordering/include/ordering/api.hpp", "catalog/module.hpp"));
    CHECK_FALSE(reported_file(v, src + "allowed.cpp"));
    CHECK(v.size() == 8);
    require_only_rule_broken(root, check_include_boundaries);
}

TEST_CASE("rule 2 catches the infrastructure_headers fixture") {
    const fs::path root = fixture("rule2_infrastructure_headers");
    const auto v = check_infrastructure_headers(root);
    INFO("reported:" << dump(v));
    CHECK(reported(v, "modules/catalog/include/catalog/api.hpp", "boost/beast/http.hpp"));
    CHECK(reported(v, "modules/catalog/include/catalog/events.hpp",
                   "soci/soci.h> (via platform/bus.hpp -> platform/db.hpp -> soci/soci.h)"));
    CHECK(reported(v, "modules/catalog/include/catalog/events.hpp", "\"platform/db.hpp\""));
    CHECK(reported(v, "modules/catalog/include/catalog/module.hpp", "\"platform/server.hpp\""));
    CHECK(reported(v, "modules/catalog/src/domain/pricing.hpp", "Asio header <boost/asio.hpp>"));
    CHECK(reported(v, "modules/catalog/src/domain/stock.cpp", "SOCI header <soci/soci.h>"));
    CHECK_FALSE(reported_file(v, "modules/catalog/include/catalog/errors.hpp"));
    CHECK_FALSE(reported_file(v, "modules/catalog/src/catalog.cpp"));
    CHECK(v.size() == 6);
    require_only_rule_broken(root, check_infrastructure_headers);
}

TEST_CASE("rule 3 catches the uses_cycle and bad_declarations fixtures") {
    SUBCASE("a cycle is reported with its path") {
        const fs::path root = fixture("rule3_uses_cycle");
        const auto v = check_module_graph(root);
        INFO("reported:" << dump(v));
        CHECK(reported(v, "modules/cart/CMakeLists.txt",
                       "cycle in the USES graph: cart -> ordering -> catalog -> cart"));
        CHECK(v.size() == 1);
        require_only_rule_broken(root, check_module_graph);
    }
    SUBCASE("unknown, absent and undeclared modules and mismatched names are reported") {
        const fs::path root = fixture("rule3_bad_declarations");
        const auto v = check_module_graph(root);
        INFO("reported:" << dump(v));
        CHECK(reported(v, "modules/ordering/CMakeLists.txt", "USES names 'shipping', which is not a module"));
        CHECK(reported(v, "modules/ordering/CMakeLists.txt", "EVENTS_FROM names 'payment', but modules/payment"));
        CHECK(reported(v, "modules/ordering/CMakeLists.txt", "USES names 'search', which has no shop_module"));
        CHECK(reported(v, "modules/search", "no CMakeLists.txt"));
        CHECK(reported(v, "modules/cart/CMakeLists.txt", "declares 'carts' inside modules/cart"));
        CHECK(v.size() == 5);
        require_only_rule_broken(root, check_module_graph);
    }
}

TEST_CASE("rule 4 catches the foreign_schema fixture") {
    const fs::path root = fixture("rule4_foreign_schema");
    const auto v = check_schema_isolation(root);
    INFO("reported:" << dump(v));
    CHECK(reported(v, "migrations/ordering/0001_orders.sql", "'catalog.products'"));
    CHECK(reported(v, "modules/ordering/src/repository.cpp", "'inventory.stock_levels'"));
    CHECK(reported(v, "modules/ordering/src/repository.cpp", "'payment.captures'"));
    CHECK(reported(v, "modules/ordering/src/repository.cpp", "'cart.items'"));
    CHECK_FALSE(reported_file(v, "migrations/catalog/0001_products.sql"));
    CHECK_FALSE(reported_file(v, "modules/catalog/src/catalog.cpp"));
    CHECK(v.size() == 4);
    require_only_rule_broken(root, check_schema_isolation);
}

TEST_CASE("rule 5 catches the platform_knows_no_module fixture") {
    const fs::path root = fixture("rule5_platform_knows_no_module");
    const auto v = check_platform_independence(root);
    INFO("reported:" << dump(v));
    CHECK(reported(v, "src/platform/bus.cpp", "\"ordering/events.hpp\""));
    CHECK(reported(v, "src/platform/routes.cpp", "modules/catalog/include/catalog/api.hpp"));
    CHECK(reported(v, "src/platform/routes.cpp", "<modules/catalog/include/catalog/api.hpp>"));
    CHECK_FALSE(reported_file(v, "src/platform/bus.hpp"));
    CHECK(v.size() == 3);
    require_only_rule_broken(root, check_platform_independence);
}

TEST_CASE("scanner: comments, char literals, raw strings and concatenation") {
    const auto scan = scan_cpp(R"cpp(#include "a/b.hpp"
  #  include <c/d.hpp> // #include "commented/out.hpp"
/* #include "block/comment.hpp" */
auto n = 1'000'000; auto q = '"'; auto s = "x" /* gap */ "y";
auto r = R"sql(SELECT "q" -- )
FROM t)sql";
#define SQL u8"z\"w"
)cpp");
    REQUIRE(scan.includes.size() == 2);
    CHECK(scan.includes[0].path == "a/b.hpp");
    CHECK_FALSE(scan.includes[0].angled);
    CHECK(scan.includes[1].path == "c/d.hpp");
    CHECK(scan.includes[1].line == 2);
    REQUIRE(scan.literals.size() == 3);
    CHECK(scan.literals[0].text == "xy");
    CHECK(scan.literals[1].text == "SELECT \"q\" -- )\nFROM t");
    CHECK(scan.literals[1].line == 5);
    CHECK(scan.literals[2].text == "z\"w");
}

TEST_CASE("schema reference finder: versioned event names and qualified names") {
    const std::set<std::string> modules{"catalog", "ordering", "payment"};
    auto tokens = [&](std::string_view text) {
        std::vector<std::string> out;
        for (const auto& ref : foreign_schema_refs(text, "ordering", modules)) out.push_back(ref.token);
        return out;
    };
    CHECK(tokens("SELECT * FROM catalog.products").size() == 1);
    CHECK(tokens("JOIN \"payment\".\"captures\"") == std::vector<std::string>{"payment.captures"});
    CHECK(tokens("FROM Catalog.Products") == std::vector<std::string>{"catalog.Products"});
    CHECK(tokens("catalog.product_created.v1").empty());
    CHECK(tokens("'payment.captured.v12' and payment.captured.v1x").size() == 1);
    CHECK(tokens("ordering.orders, ordering.catalog.x, my_catalog.x, catalog. The end").empty());
}
