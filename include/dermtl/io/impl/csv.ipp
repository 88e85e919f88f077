// Definitions of io/csv.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/csv.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace dermtl::io {

DERMTL_DECL std::string lower(std::string_view s) {
    std::string o(s);
    for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return o;
}

DERMTL_DECL std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n')) --e;
    return std::string(s.substr(b, e - b));
}

DERMTL_DECL std::size_t csv_table::column(std::string_view name) const {
    const auto& h = rows.front();
    std::size_t found = h.size();
    for (std::size_t i = 0; i < h.size(); ++i)
        if (lower(h[i]) == lower(name)) {
            if (found != h.size())
                throw io_error(where(h) + ": header names column '" + std::string(name) + "' twice (columns " +
                               std::to_string(found + 1) + " and " + std::to_string(i + 1) +
                               "); expected each column once");
            found = i;
        }
    if (found != h.size()) return found;
    throw io_error(where(h) + ": header has no column '" + std::string(name) + "'; found " + quoted_value(joined(h)));
}

// Throws io_error naming the file when the text is not UTF-8 (or ASCII): a UTF-16 or UTF-32
// byte-order mark, or NUL bytes (UTF-16 without a mark, or a binary file).
DERMTL_DECL void require_utf8_text(std::string_view text, const std::filesystem::path& file) {
    const auto starts = [&](std::string_view p) { return text.substr(0, p.size()) == p; };
    if (starts(std::string_view("\xFF\xFE\0\0", 4)) || starts(std::string_view("\0\0\xFE\xFF", 4)))
        throw io_error(file.string() + ": UTF-32 file (byte-order mark); expected UTF-8 text: save it as UTF-8");
    if (starts("\xFF\xFE") || starts("\xFE\xFF"))
        throw io_error(file.string() + ": UTF-16 file (byte-order mark); expected UTF-8 text: save it as UTF-8");
    const auto nul = text.find('\0');
    if (nul == std::string_view::npos) return;
    // UTF-16 text without a mark: ASCII characters with a NUL beside each.
    std::size_t nuls = 0, n = std::min<std::size_t>(text.size(), 4096);
    for (std::size_t i = 0; i < n; ++i) nuls += text[i] == '\0';
    if (n >= 2 && nuls * 3 >= n)
        throw io_error(file.string() + ": UTF-16 file (NUL bytes between the characters); expected UTF-8 text: "
                       "save it as UTF-8");
    throw io_error(file.string() + ": NUL byte at offset " + std::to_string(nul) +
                   "; expected a UTF-8 text file, found binary content");
}

DERMTL_DECL csv_table parse_csv(std::string_view text, const std::filesystem::path& file) {
    csv_table t;
    t.file = file;
    require_utf8_text(text, file);
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    std::size_t line = 1, i = 0;
    while (i < text.size()) {
        csv_row row;
        row.line = line;
        std::string field;
        bool quoted = false, was_quoted = false, row_done = false;
        while (i < text.size() && !row_done) {
            const char c = text[i++];
            if (quoted) {
                if (c == '"') {
                    if (i < text.size() && text[i] == '"') {
                        field += '"';
                        ++i;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (c == '\n' || (c == '\r' && (i >= text.size() || text[i] != '\n'))) ++line;
                    field += c;
                }
            } else if (c == '"' && trim(field).empty()) {
                quoted = was_quoted = true;
                field.clear();
            } else if (c == ',') {
                row.fields.push_back(was_quoted ? field : trim(field));
                field.clear();
                was_quoted = false;
            } else if (c == '\n' || c == '\r') {  // LF, CRLF or a lone CR (classic Mac) ends the row
                if (c == '\r' && i < text.size() && text[i] == '\n') ++i;
                ++line;
                row_done = true;
            } else {
                field += c;
            }
        }
        if (quoted) throw io_error(file.string() + ":" + std::to_string(row.line) + ": unterminated quoted field");
        row.fields.push_back(was_quoted ? field : trim(field));
        const bool blank = row.fields.size() == 1 && row.fields[0].empty();
        if (!blank) t.rows.push_back(std::move(row));
    }
    if (t.rows.empty()) throw io_error(file.string() + ": empty CSV (no rows)");
    return t;
}

// The bytes of a text file. Throws io_error naming the file when it is missing, a folder, a
// symbolic-link loop, unreadable, or not UTF-8 text (require_utf8_text).
DERMTL_DECL std::string read_text_file(const std::filesystem::path& file) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto st = fs::status(file, ec);
    if (ec && ec != std::errc::no_such_file_or_directory)
        throw io_error("read " + file.string() + ": cannot reach the file (" + ec.message() + ")");
    if (!fs::exists(st)) throw io_error("read " + file.string() + ": file not found");
    if (fs::is_directory(st)) throw io_error("read " + file.string() + ": is a folder; expected a file");
    std::string text;
    try {
        std::ifstream in(file, std::ios::binary);
        if (!in) throw io_error("read " + file.string() + ": cannot open (" + std::strerror(errno) + ")");
        std::ostringstream ss;
        ss << in.rdbuf();
        if (in.bad()) throw io_error("read " + file.string() + ": read failed");
        text = ss.str();
    } catch (const io_error&) {
        throw;
    } catch (const std::exception& e) {  // basic_filebuf::underflow and other stream failures
        throw io_error("read " + file.string() + ": " + e.what());
    }
    require_utf8_text(text, file);
    return text;
}

// Writes rows as CSV, quoting fields that need it.
DERMTL_DECL void write_csv(const std::filesystem::path& file, const std::vector<std::vector<std::string>>& rows) {
    std::ofstream out(file, std::ios::binary);
    if (!out) throw io_error("write " + file.string() + ": cannot open for writing");
    for (const auto& r : rows) {
        for (std::size_t i = 0; i < r.size(); ++i) {
            if (i) out << ',';
            const auto& f = r[i];
            if (f.find_first_of(",\"\n") != std::string::npos) {
                out << '"';
                for (char c : f) out << (c == '"' ? "\"\"" : std::string(1, c));
                out << '"';
            } else {
                out << f;
            }
        }
        out << '\n';
    }
    if (!out) throw io_error("write " + file.string() + ": write failed");
}

}  // namespace dermtl::io
