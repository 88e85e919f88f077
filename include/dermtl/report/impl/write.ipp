// Definitions of report/write.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_report with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/report/write.hpp"

#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "dermtl/report/intervals.hpp"

namespace dermtl::report {

DERMTL_DECL written_report write_report(const report& rep, const std::filesystem::path& folder) {
    validate(rep);
    std::vector<std::pair<std::string, std::string>> files;  // name, content
    const auto plots = render_plots(rep);
    for (std::size_t i = 0; i < rep.tables.size(); ++i) {
        const auto& t = rep.tables[i];
        files.emplace_back(t.id + ".md", to_markdown(t));
        files.emplace_back(t.id + ".csv", to_csv(t));
        if (const auto ks = compare_against_best(t); !ks.empty())
            files.emplace_back(t.id + "_significance.csv", to_csv(t, ks));
        if (!plots.roc[i].empty()) files.emplace_back(t.id + "_roc.png", plots.roc[i]);
    }
    if (!rep.referrals.empty()) {
        std::string md;
        for (const auto& s : rep.referrals) {
            if (!md.empty()) md += '\n';  // not "\n" + std::string: GCC 12's false -Wrestrict
            md += to_markdown(s);
        }
        files.emplace_back("referral.md", md);
        files.emplace_back("referral.csv", to_csv(rep.referrals));
        files.emplace_back("referral.png", plots.referral);
    }
    if (!rep.calibrations.empty()) {
        files.emplace_back("calibration.md", calibration_markdown(rep.calibrations));
        files.emplace_back("calibration.csv", to_csv(rep.calibrations));
    }
    files.emplace_back("report.md", to_markdown(rep));
    files.emplace_back("report.json", to_json(rep).dump(2) + "\n");
    files.emplace_back("report.html", to_html(rep, plots));

    prepare_folder(folder, "report::write_report");
    written_report out{folder, {}};
    for (const auto& [name, content] : files) {
        write_file_atomically(folder / name, content);
        out.files.push_back(folder / name);
    }
    return out;
}

}  // namespace dermtl::report
