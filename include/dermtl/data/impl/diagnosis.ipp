// Definitions of data/diagnosis.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/data/diagnosis.hpp"

#include <cctype>

namespace dermtl::data {

// Lower case, blanks trimmed and collapsed, "/" and "-" spelled as the derm7pt vocabulary does.
DERMTL_DECL std::string normalize_vocabulary(std::string_view s) {
    std::string out;
    bool blank = false;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isspace(u) || c == '_') {
            blank = !out.empty();
            continue;
        }
        if (blank) out += ' ';
        blank = false;
        out += static_cast<char>(std::tolower(u));
    }
    // Spellings seen in the reference implementation's fold-file comments.
    auto replace_all = [&](std::string_view from, std::string_view to) {
        for (std::size_t p = out.find(from); p != std::string::npos; p = out.find(from, p + to.size()))
            out.replace(p, from.size(), to);
    };
    replace_all("reed/spitz", "reed or spitz");
    replace_all("0.76 - 1.5", "0.76 to 1.5");
    replace_all("clark's", "clark");
    return out;
}

// The vocabulary a dataset's diagnosis may take (every diagnosis but not_applicable), comma-separated
// in enum order, for error messages.
DERMTL_DECL std::string skin_lesion_vocabulary() {
    std::string known;
    for (std::size_t i = 0; i < diagnosis_count; ++i)
        if (is_skin_lesion(static_cast<diagnosis>(i)))
            known += (known.empty() ? "" : ", ") + std::string(diagnosis_names[i]);
    return known;
}

DERMTL_DECL std::optional<diagnosis> try_parse_diagnosis(std::string_view s) {
    const std::string n = normalize_vocabulary(s);
    for (std::size_t i = 0; i < diagnosis_count; ++i)
        if (n == diagnosis_names[i]) return static_cast<diagnosis>(i);
    if (n == "benign") return diagnosis::benign_unspecified;
    return std::nullopt;
}

// Requires: `where` names the file and line the string came from ("meta.csv:12").
// Ensures: the diagnosis, or io_error "<where>: unknown diagnosis '<s>'; expected one of ...".
DERMTL_DECL diagnosis parse_diagnosis(std::string_view s, std::string_view where) {
    if (auto d = try_parse_diagnosis(s)) return *d;
    throw io_error(std::string(where) + ": unknown diagnosis " + quoted_value(s) +
                   "; expected one of: " + skin_lesion_vocabulary());
}

DERMTL_DECL std::string_view to_string(difficulty d) {
    constexpr std::array<std::string_view, 4> names = {"unknown", "low", "medium", "high"};
    return names[static_cast<std::size_t>(d)];
}

// Requires: `where` as for parse_diagnosis. Empty string -> unknown.
DERMTL_DECL difficulty parse_difficulty(std::string_view s, std::string_view where) {
    const std::string n = normalize_vocabulary(s);
    if (n.empty() || n == "unknown") return difficulty::unknown;
    if (n == "low") return difficulty::low;
    if (n == "medium") return difficulty::medium;
    if (n == "high") return difficulty::high;
    throw io_error(std::string(where) + ": unknown diagnostic difficulty " + quoted_value(s) +
                   "; expected low, medium or high");
}

}  // namespace dermtl::data
