// Writing a report folder: the files, PNGs that decode and are not blank, the self-contained
// HTML page, atomic writes, and bad input (mismatched columns, NaN, unwritable folder).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include <unistd.h>

#include <boost/archive/iterators/binary_from_base64.hpp>
#include <boost/archive/iterators/transform_width.hpp>
#include <opencv2/imgcodecs.hpp>

#include "dermtl/report/json.hpp"
#include "dermtl/report/write.hpp"
#include "report_fixtures.hpp"
#include "support/oracle.hpp"

using namespace dermtl;
using dermtl::testing::folds;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::size_t count_of(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (auto pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + what.size())) ++n;
    return n;
}

// Pixels that are not (nearly) white, and pixels of exactly this BGR colour.
std::size_t ink(const cv::Mat& img) {
    std::size_t n = 0;
    for (int y = 0; y < img.rows; ++y)
        for (int x = 0; x < img.cols; ++x) {
            const auto p = img.at<cv::Vec3b>(y, x);
            if (p[0] < 240 || p[1] < 240 || p[2] < 240) ++n;
        }
    return n;
}

std::size_t pixels_of(const cv::Mat& img, const cv::Scalar& c) {
    std::size_t n = 0;
    for (int y = 0; y < img.rows; ++y)
        for (int x = 0; x < img.cols; ++x) {
            const auto p = img.at<cv::Vec3b>(y, x);
            if (p[0] == c[0] && p[1] == c[1] && p[2] == c[2]) ++n;
        }
    return n;
}

std::string decode_base64(const std::string& enc) {
    using namespace boost::archive::iterators;
    using decoder = transform_width<binary_from_base64<std::string::const_iterator>, 8, 6>;
    const std::string stripped = enc.substr(0, enc.find('='));
    return std::string(decoder(stripped.cbegin()), decoder(stripped.cend()));
}

bool has_temporary_files(const fs::path& folder) {
    for (const auto& e : fs::directory_iterator(folder))
        if (e.path().filename().string().find(".tmp.") != std::string::npos) return true;
    return false;
}

// Runs f and checks that it throws E with `part` in its message.
template <class E, class F>
void expect_error(F&& f, const std::string& part) {
    try {
        f();
        FAIL("expected an exception with '" << part << "', found none");
    } catch (const E& e) {
        CHECK_THAT(std::string(e.what()), Catch::Matchers::Contains(part));
    }
}

}  // namespace

TEST_CASE("write_report writes every table, plot and the page", "[report][files]") {
    testing::scratch_dir dir("report");
    const auto rep = testing::full_report();
    const auto out = report::write_report(rep, dir / "out");
    const fs::path f = dir / "out";
    for (const char* name :
         {"table1.md", "table1.csv", "table1_significance.csv", "table1_roc.png", "table2.md", "table2.csv",
          "table3.md", "table3.csv", "table3_significance.csv", "table4.md", "table4.csv", "referral.md",
          "referral.csv", "referral.png", "report.md", "report.json", "report.html"}) {
        INFO(name);
        CHECK(fs::is_regular_file(f / name));
    }
    CHECK_FALSE(fs::exists(f / "table2_significance.csv"));  // columns are metrics: nothing to compare
    CHECK_FALSE(fs::exists(f / "table2_roc.png"));
    CHECK(out.files.size() == 17);
    CHECK(out.files.back() == out.html());
    CHECK_FALSE(has_temporary_files(f));

    // Files hold exactly what the in-memory writers produce.
    CHECK(slurp(f / "table1.md") == report::to_markdown(rep.tables[0]));
    CHECK(slurp(f / "table4.csv") == report::to_csv(rep.tables[3]));
    CHECK(report::report_from_json(nlohmann::json::parse(slurp(out.json()))).tables[0].rows[2].cells[5].value->mean ==
          rep.tables[0].rows[2].cells[5].value->mean);
    const auto referral_csv = slurp(f / "referral.csv");
    CHECK(referral_csv.rfind("analysis,rate,referred,", 0) == 0);
    CHECK(count_of(referral_csv, "\n") == 1 + 5 + 5);
    CHECK(count_of(referral_csv, "\"From ImageNet / with FT\"") == 0);  // no comma, no quotes
    CHECK(count_of(referral_csv, "From ImageNet / with FT,") == 5);
}

TEST_CASE("ROC and referral PNGs decode, have the expected size and show every curve", "[report][plots]") {
    testing::scratch_dir dir("report-png");
    const auto rep = testing::full_report();
    report::write_report(rep, dir.path());
    const cv::Mat roc = cv::imread((dir / "table1_roc.png").string(), cv::IMREAD_COLOR);
    REQUIRE_FALSE(roc.empty());
    CHECK(roc.cols == 800);
    CHECK(roc.rows == 800);
    CHECK(ink(roc) > 800 * 800 / 100);  // axes, text and curves, not a blank canvas
    CHECK(ink(roc) < 800 * 800 / 2);    // and not a filled one
    for (std::size_t c = 0; c < 6; ++c) {
        INFO("curve of column " << c);
        CHECK(pixels_of(roc, report::plot_detail::colour(c)) > 100);
    }
    const cv::Mat ref = cv::imread((dir / "referral.png").string(), cv::IMREAD_COLOR);
    REQUIRE_FALSE(ref.empty());
    CHECK(ref.cols == 1300);
    CHECK(ref.rows == 700);
    CHECK(ink(ref) > 1300 * 700 / 100);
    CHECK(pixels_of(ref, report::plot_detail::colour(0)) > 50);
    CHECK(pixels_of(ref, report::plot_detail::colour(1)) > 50);
}

TEST_CASE("The HTML page is self-contained and shows every table, plot and the metadata", "[report][html]") {
    testing::scratch_dir dir("report-html");
    const auto rep = testing::full_report();
    report::write_report(rep, dir.path());
    const std::string html = slurp(dir / "report.html");
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(html.find("</html>") != std::string::npos);
    for (const auto& t : rep.tables) {
        INFO(t.id);
        CHECK(html.find("<section id=\"" + t.id + "\">") != std::string::npos);
        CHECK(html.find(report::detail::html_escape(t.title)) != std::string::npos);
        for (const auto& r : t.rows) CHECK(html.find(report::detail::html_escape(r.name)) != std::string::npos);
    }
    // Two-level header of Table 1: groups spanning their columns, each of ours followed by the
    // paper's (every cell of the fixture's Table 1 has a published value).
    CHECK(html.find("<th class=\"group\" colspan=\"4\">From Retinopathy</th>") != std::string::npos);
    CHECK(html.find("<th class=\"group\" colspan=\"2\">No Transfer</th>") != std::string::npos);
    CHECK(html.find("<th>no FT</th><th class=\"ref\">paper</th><th>with FT</th><th class=\"ref\">paper</th>") !=
          std::string::npos);
    CHECK(html.find("<td class=\"ref\" title=\"published in the paper\">76.0</td>") != std::string::npos);
    CHECK(html.find("<span class=\"ref\"") == std::string::npos);  // no value of the paper inside one of ours
    CHECK(count_of(html, "Significance (5x2cv)") == 2);  // tables 1 and 3
    for (const auto& [k, v] : rep.metadata) CHECK(html.find("<td>" + report::detail::html_escape(v) + "</td>") != std::string::npos);
    CHECK(html.find("Referral analysis") != std::string::npos);
    // No external resources: every image is a data URI, and they decode to the written PNGs.
    CHECK(html.find("src=\"http") == std::string::npos);
    CHECK(html.find("<link") == std::string::npos);
    CHECK(count_of(html, "src=\"data:image/png;base64,") == 2);
    const std::string marker = "src=\"data:image/png;base64,";
    const auto b = html.find(marker) + marker.size();
    const std::string png = decode_base64(html.substr(b, html.find('"', b) - b));
    CHECK(png == slurp(dir / "table1_roc.png"));
    const cv::Mat img = cv::imdecode(std::vector<unsigned char>(png.begin(), png.end()), cv::IMREAD_COLOR);
    CHECK(img.cols == 800);
}

TEST_CASE("Rewriting a report replaces its files whole", "[report][files]") {
    testing::scratch_dir dir("report-rewrite");
    auto rep = testing::full_report();
    report::write_report(rep, dir.path());
    rep.tables[0].rows[0].cells[0].value = folds({0.5, 0.6});
    report::write_report(rep, dir.path());
    CHECK(slurp(dir / "table1.md") == report::to_markdown(rep.tables[0]));
    CHECK_FALSE(has_temporary_files(dir.path()));
}

TEST_CASE("Bad report input gives a clear dermtl error and writes nothing", "[report][bad_input]") {
    testing::scratch_dir dir("report-bad");
    SECTION("a row with another number of cells than columns") {
        auto t = testing::small_table();
        t.rows[1].cells.pop_back();
        expect_error<shape_error>([&] { (void)report::validate(t); }, "row 'Melanoma vs. Benign': expected 2 cells (one per column), found 1");
        report::report rep;
        rep.tables.push_back(t);
        CHECK_THROWS_AS(report::write_report(rep, dir / "out"), shape_error);
        CHECK_FALSE(fs::exists(dir / "out"));
    }
    SECTION("a NaN cell") {
        auto t = testing::small_table();
        t.rows[0].cells[1].value->mean = std::numeric_limits<double>::quiet_NaN();
        expect_error<numeric_error>([&] { (void)report::to_markdown(t); }, "column 'From ImageNet / with FT': expected a finite mean, found nan");
        t = testing::small_table();
        t.rows[0].cells[0].value->per_fold[1] = std::numeric_limits<double>::infinity();
        CHECK_THROWS_AS(report::to_csv(t), numeric_error);
    }
    SECTION("a percentage where a fraction belongs") {
        auto t = testing::small_table();
        t.set_reference(0, 0, 82.5);
        expect_error<config_error>([&] { (void)report::to_json(t); }, "as a fraction in [0, 1] (82.5% is 0.825), found 82.5");
    }
    SECTION("ids that cannot name files, or name them twice") {
        auto t = testing::small_table();
        t.id = "Table 1/x";
        expect_error<config_error>([&] { (void)report::validate(t); }, "found 'Table 1/x'");
        report::report rep;
        rep.tables = {testing::small_table(), testing::small_table()};
        expect_error<config_error>([&] { (void)report::validate(rep); }, "found 't1' twice");
        rep.tables = {testing::small_table()};
        rep.tables[0].id = "report";
        CHECK_THROWS_AS(report::validate(rep), config_error);
    }
    SECTION("building a table out of order, or a ROC of a three-class design") {
        auto t = testing::small_table();
        expect_error<config_error>([&] { (void)t.add_column("", "late"); }, "expected every column added before the first row");
        CHECK_THROWS_AS(t.at(5, 0), shape_error);
        expect_error<config_error>([&] { (void)t.row_index("Nope"); }, "'Malignant vs. Benign'");
        metrics::fold_predictions three;
        three.labels = {0, 1, 2};
        three.scores = metrics::score_matrix::Identity(3, 3);
        expect_error<config_error>([&] { (void)t.add_roc(0, std::vector<metrics::fold_predictions>{three}); }, "expected binary predictions");
        CHECK_THROWS_AS(t.add_roc(7, std::vector<int>{0, 1}, std::vector<double>{0.1, 0.9}), shape_error);
    }
    SECTION("an output folder that cannot be created") {
        std::ofstream(dir / "a-file") << "x";
        const auto rep = testing::full_report();
        expect_error<io_error>([&] { (void)report::write_report(rep, dir / "a-file" / "out"); }, "choose another output folder");
        expect_error<io_error>([&] { (void)report::write_file_atomically(dir / "missing" / "x.md", "x"); }, "choose another output folder");
        if (::geteuid() != 0) {  // root writes through permissions: only meaningful for other users
            fs::create_directories(dir / "read-only");
            fs::permissions(dir / "read-only", fs::perms::owner_read | fs::perms::owner_exec);
            expect_error<io_error>([&] { (void)report::write_report(rep, dir / "read-only"); }, "choose another output folder");
            fs::permissions(dir / "read-only", fs::perms::owner_all);
        }
    }
    SECTION("JSON that is not a dermtl report") {
        expect_error<config_error>([&] { (void)report::report_from_json(nlohmann::json{{"format", "other"}}); }, "is this a dermtl report.json?");
        auto j = report::to_json(testing::full_report());
        j["tables"][0].erase("rows");
        expect_error<config_error>([&] { (void)report::report_from_json(j); }, "malformed");
    }
    SECTION("a failed write keeps the previous report") {
        const auto good = testing::full_report();
        report::write_report(good, dir.path());
        const auto md = slurp(dir / "table1.md");
        auto bad = good;
        bad.tables[0].rows[0].cells[0].value->std_dev = -1;
        CHECK_THROWS_AS(report::write_report(bad, dir.path()), numeric_error);
        CHECK(slurp(dir / "table1.md") == md);
        CHECK_FALSE(has_temporary_files(dir.path()));
    }
}

// Hidden (run with `test_report "[sample]"`): writes the sample report to
// $DERMTL_REPORT_SAMPLE_DIR (default /tmp/dermtl-report-sample) to look at the PNGs and the page.
TEST_CASE("Sample report for a look", "[.][sample]") {
    const char* env = std::getenv("DERMTL_REPORT_SAMPLE_DIR");
    const auto out = report::write_report(testing::full_report(), env ? env : "/tmp/dermtl-report-sample");
    WARN("wrote " << out.html());
}

TEST_CASE("read_report validates a report.json as it reads it, naming the file", "[report][files][bad_input][stored_files]") {
    testing::scratch_dir dir("report-read");
    const auto rep = testing::full_report();
    const auto out = report::write_report(rep, dir / "out");
    const auto back = report::read_report(out.json());
    REQUIRE(back.tables.size() == rep.tables.size());
    CHECK(back.tables[0].rows[0].cells[0].value->per_fold == rep.tables[0].rows[0].cells[0].value->per_fold);

    const nlohmann::json good = nlohmann::json::parse(slurp(out.json()));
    REQUIRE(!good.at("tables").at(0).at("roc").empty());
    const fs::path file = dir / "report.json";
    auto refused = [&](const std::string& text, const std::string& problem) {
        std::ofstream(file, std::ios::binary) << text;
        expect_error<io_error>([&] { (void)report::read_report(file); }, file.string());
        expect_error<io_error>([&] { (void)report::read_report(file); }, problem);
    };
    refused("{\"format\": \"dermtl-report\", ", "content that is not JSON");
    refused("[1, 2]", "expected a JSON object (a dermtl report.json), found [1,2]");
    {
        auto j = good;
        j["tables"][0]["roc"][0]["thresholds"].erase(0);
        refused(j.dump(), "expected one threshold per point");
    }
    {
        auto j = good;
        j["tables"][0]["rows"][0]["cells"][0]["value"]["mean"] = 1.5;
        refused(j.dump(), "mean");
    }
    {
        auto j = good;
        j["tables"][0]["rows"][0]["cells"][0]["value"]["per_fold"][0] = nullptr;
        refused(j.dump(), "malformed");
    }
    fs::remove(file);
    expect_error<io_error>([&] { (void)report::read_report(file); }, "found nothing");
    fs::create_directories(file);
    expect_error<io_error>([&] { (void)report::read_report(file); }, "found a folder");
}
