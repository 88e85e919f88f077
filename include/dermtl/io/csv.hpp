#pragma once
// A small CSV reader that remembers line numbers.
//
// Represents: the rows of a comma-separated file as text fields, each row tagged with the
// 1-based line it started on, so every later error can name file:line and the offending value.
// Accepts: a UTF-8 byte-order mark, CRLF, LF or CR-only (classic Mac Excel) line ends, blank
// lines (skipped), RFC 4180 quoting (quoted fields may hold commas, doubled quotes and
// newlines), blanks around fields (trimmed unless quoted).
// Ensures: an empty file (or one with only blank lines) is an io_error "<file>: empty CSV";
// a missing or unreadable file, a folder, a UTF-16/UTF-32 or binary file is an io_error naming
// it; a header naming the looked-up column twice is an io_error naming file:line and column.
// Values echoed in errors are cut to about 80 characters (dermtl::quoted).
// The non-template code is defined in impl/csv.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"

namespace dermtl::io {

struct csv_row {
    std::size_t line = 0;
    std::vector<std::string> fields;
    const std::string& operator[](std::size_t i) const { return fields[i]; }
    std::size_t size() const { return fields.size(); }
};

struct csv_table {
    std::filesystem::path file;
    std::vector<csv_row> rows;  // all non-blank rows, header included if the file has one

    std::string where(const csv_row& r) const { return file.string() + ":" + std::to_string(r.line); }

    // Throws io_error "<file>:<line>: expected N columns, found M (...)" for a row of another width.
    void require_columns(const csv_row& r, std::size_t n, std::string_view what) const {
        if (r.size() != n)
            throw io_error(where(r) + ": expected " + std::to_string(n) + " columns (" + std::string(what) +
                           "), found " + std::to_string(r.size()) + " in " + quoted_value(joined(r)));
    }
    // Index of the named header column (case-insensitive), or io_error naming the header line
    // when it is missing or named twice (which of the two would be meant is unknowable).
    DERMTL_DECL std::size_t column(std::string_view name) const;

    static std::string joined(const csv_row& r) {
        std::string text;
        for (std::size_t i = 0; i < r.size(); ++i) text += (i ? "," : "") + r.fields[i];
        return text;
    }
};

DERMTL_DECL std::string lower(std::string_view s);

DERMTL_DECL std::string trim(std::string_view s);

// Throws io_error naming the file when the text is not UTF-8 (or ASCII): a UTF-16 or UTF-32
// byte-order mark, or NUL bytes (UTF-16 without a mark, or a binary file).
DERMTL_DECL void require_utf8_text(std::string_view text, const std::filesystem::path& file);

DERMTL_DECL csv_table parse_csv(std::string_view text, const std::filesystem::path& file);

// The bytes of a text file. Throws io_error naming the file when it is missing, a folder, a
// symbolic-link loop, unreadable, or not UTF-8 text (require_utf8_text).
DERMTL_DECL std::string read_text_file(const std::filesystem::path& file);

inline csv_table read_csv(const std::filesystem::path& file) { return parse_csv(read_text_file(file), file); }

// Writes rows as CSV, quoting fields that need it.
DERMTL_DECL void write_csv(const std::filesystem::path& file, const std::vector<std::vector<std::string>>& rows);

}  // namespace dermtl::io

#if DERMTL_HEADER_ONLY
#include "dermtl/io/impl/csv.ipp"
#endif
