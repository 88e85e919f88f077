// Definitions of report/plots.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_report with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/report/plots.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dermtl/core/error.hpp"

namespace dermtl::report {

namespace plot_detail {

DERMTL_DECL const cv::Scalar black{0, 0, 0}, white{255, 255, 255}, grid_grey{225, 225, 225}, mid_grey{130, 130, 130};
constexpr int font = cv::FONT_HERSHEY_SIMPLEX;

// Tableau 10, BGR: distinct for the six columns of Table 1 and readable on white.
DERMTL_DECL cv::Scalar colour(std::size_t i) {
    static const cv::Scalar palette[] = {{180, 119, 31}, {14, 127, 255}, {44, 160, 44},   {40, 39, 214},
                                         {189, 103, 148}, {75, 86, 140}, {194, 119, 227}, {127, 127, 127},
                                         {34, 189, 188},  {207, 190, 23}};
    return palette[i % 10];
}

// OpenCV's Hershey fonts draw ASCII only: transliterate the few symbols reports use, '?' others.
DERMTL_DECL std::string ascii(std::string_view s) {
    static const std::pair<std::string_view, std::string_view> map[] = {
        {"\xC2\xB1", "+/-"}, {"\xC3\x97", "x"}, {"\xE2\x80\x94", "-"}, {"\xE2\x80\x93", "-"},
        {"\xC2\xB7", "-"},   {"\xE2\x80\x99", "'"}, {"\xC3\xA9", "e"}, {"\xC3\xA3", "a"}};
    std::string o;
    for (std::size_t i = 0; i < s.size();) {
        const auto ch = static_cast<unsigned char>(s[i]);
        if (ch < 0x80) {
            o += s[i++];
            continue;
        }
        bool done = false;
        for (const auto& [from, to] : map)
            if (s.substr(i, from.size()) == from) {
                o += to;
                i += from.size();
                done = true;
                break;
            }
        if (done) continue;
        const std::size_t len = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : ch >= 0xC0 ? 2 : 1;
        o += '?';
        i += len;
    }
    return o;
}

DERMTL_DECL cv::Size text_size(const std::string& s, double scale, int thickness) {
    int base = 0;
    return cv::getTextSize(s, font, scale, thickness, &base);
}

// Draws `s` with its baseline-left corner at `org`.
DERMTL_DECL void text(cv::Mat& img, const std::string& s, cv::Point org, double scale, const cv::Scalar& c,
                      int thickness = 1) {
    cv::putText(img, ascii(s), org, font, scale, c, thickness, cv::LINE_AA);
}

// Centred horizontally at x, shrunk to fit max_width.
DERMTL_DECL void centred_text(cv::Mat& img, const std::string& raw, int x, int baseline, double scale, int thickness,
                              int max_width, const cv::Scalar& c = black) {
    const std::string s = ascii(raw);
    cv::Size sz = text_size(s, scale, thickness);
    if (sz.width > max_width) {
        scale *= static_cast<double>(max_width) / sz.width;
        sz = text_size(s, scale, thickness);
    }
    cv::putText(img, s, {x - sz.width / 2, baseline}, font, scale, c, thickness, cv::LINE_AA);
}

// Vertical text reading bottom-up, centred on (cx, cy).
DERMTL_DECL void vertical_text(cv::Mat& img, const std::string& raw, int cx, int cy, double scale, int thickness) {
    const std::string s = ascii(raw);
    const cv::Size sz = text_size(s, scale, thickness);
    cv::Mat strip(sz.height + 10, sz.width + 4, img.type(), white);
    cv::putText(strip, s, {2, sz.height + 3}, font, scale, black, thickness, cv::LINE_AA);
    cv::Mat turned;
    cv::rotate(strip, turned, cv::ROTATE_90_COUNTERCLOCKWISE);
    const cv::Rect at(cx - turned.cols / 2, cy - turned.rows / 2, turned.cols, turned.rows);
    const cv::Rect fit = at & cv::Rect(0, 0, img.cols, img.rows);
    turned(cv::Rect(fit.x - at.x, fit.y - at.y, fit.width, fit.height)).copyTo(img(fit));
}

DERMTL_DECL void dashed_line(cv::Mat& img, cv::Point2d a, cv::Point2d b, const cv::Scalar& c, int thickness,
                             double dash = 8) {
    const double len = std::hypot(b.x - a.x, b.y - a.y);
    const int n = std::max(1, static_cast<int>(len / dash));
    for (int i = 0; i < n; i += 2) {
        const double t0 = static_cast<double>(i) / n, t1 = std::min(1.0, static_cast<double>(i + 1) / n);
        cv::line(img, a + (b - a) * t0, a + (b - a) * t1, c, thickness, cv::LINE_AA);
    }
}

// A data rectangle mapped onto a pixel rectangle (y grows upwards in data, downwards in pixels).
struct frame {
    cv::Rect area;
    double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    cv::Point2d map(double x, double y) const {
        return {area.x + (x - x0) / (x1 - x0) * area.width, area.y + area.height - (y - y0) / (y1 - y0) * area.height};
    }
};

// Grid, box, ticks with labels (percentages of the [0, 1] data), axis labels.
DERMTL_DECL void axes(cv::Mat& img, const frame& f, double x_step, double y_step, const std::string& x_label,
                      const std::string& y_label) {
    const double scale = 0.5;
    auto ticks = [](double lo, double hi, double step) {
        std::vector<double> v;
        for (int i = 0;; ++i) {
            const double t = lo + i * step;
            if (t > hi + 1e-9) break;
            v.push_back(t);
        }
        return v;
    };
    for (double x : ticks(f.x0, f.x1, x_step)) {
        const auto p = f.map(x, f.y0);
        cv::line(img, f.map(x, f.y0), f.map(x, f.y1), grid_grey, 1);
        cv::line(img, p, p + cv::Point2d(0, 6), black, 1);
        centred_text(img, fmt::format("{:g}", std::round(100 * x * 10) / 10), static_cast<int>(p.x),
                     static_cast<int>(p.y) + 24, scale, 1, 80);
    }
    for (double y : ticks(f.y0, f.y1, y_step)) {
        const auto p = f.map(f.x0, y);
        cv::line(img, f.map(f.x0, y), f.map(f.x1, y), grid_grey, 1);
        cv::line(img, p, p - cv::Point2d(6, 0), black, 1);
        const std::string s = fmt::format("{:g}", std::round(100 * y * 10) / 10);
        const auto sz = text_size(s, scale, 1);
        text(img, s, {static_cast<int>(p.x) - 10 - sz.width, static_cast<int>(p.y) + sz.height / 2}, scale, black);
    }
    cv::rectangle(img, f.area, black, 1);
    centred_text(img, x_label, f.area.x + f.area.width / 2, f.area.y + f.area.height + 56, 0.6, 1, f.area.width);
    vertical_text(img, y_label, f.area.x - 62, f.area.y + f.area.height / 2, 0.6, 1);
}

enum class sample { line, dashed, marker };

struct legend_entry {
    std::string label;
    cv::Scalar colour;
    sample style = sample::line;  // how the legend draws it: as the plot does
};

// A boxed legend in the bottom-right corner of the frame.
DERMTL_DECL void legend(cv::Mat& img, const frame& f, const std::vector<legend_entry>& entries) {
    const double scale = 0.5;
    const int line_h = 24, sample_w = 34, pad = 10;
    int text_w = 0;
    for (const auto& e : entries) text_w = std::max(text_w, text_size(ascii(e.label), scale, 1).width);
    const int w = pad + sample_w + 8 + text_w + pad, h = pad + line_h * static_cast<int>(entries.size()) + pad / 2;
    const cv::Rect box(f.area.x + f.area.width - w - 12, f.area.y + f.area.height - h - 12, w, h);
    cv::rectangle(img, box, white, cv::FILLED);
    cv::rectangle(img, box, mid_grey, 1);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const int y = box.y + pad + line_h * static_cast<int>(i) + line_h / 2;
        const cv::Point a(box.x + pad, y), b(box.x + pad + sample_w, y);
        if (entries[i].style == sample::marker)
            cv::drawMarker(img, (a + b) / 2, entries[i].colour, cv::MARKER_DIAMOND, 12, 2, cv::LINE_AA);
        else if (entries[i].style == sample::dashed)
            dashed_line(img, a, b, entries[i].colour, 1, 6);
        else
            cv::line(img, a, b, entries[i].colour, 3, cv::LINE_AA);
        text(img, entries[i].label, {b.x + 8, y + 5}, scale, black);
    }
}

// A legend in one row (wrapping when needed), centred under the panels at `top`.
DERMTL_DECL void legend_row(cv::Mat& img, int top, const std::vector<legend_entry>& entries) {
    const double scale = 0.55;
    const int sample_w = 34, gap = 36, line_h = 28;
    std::vector<std::vector<std::size_t>> lines(1);
    std::vector<int> widths(1, 0);
    auto width_of = [&](std::size_t i) { return sample_w + 8 + text_size(ascii(entries[i].label), scale, 1).width; };
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const int w = width_of(i) + (lines.back().empty() ? 0 : gap);
        if (!lines.back().empty() && widths.back() + w > img.cols - 80) {
            lines.emplace_back();
            widths.push_back(0);
        }
        widths.back() += lines.back().empty() ? width_of(i) : w;
        lines.back().push_back(i);
    }
    for (std::size_t l = 0; l < lines.size(); ++l) {
        int x = (img.cols - widths[l]) / 2;
        const int y = top + line_h * static_cast<int>(l);
        for (std::size_t i : lines[l]) {
            const cv::Point a(x, y), b(x + sample_w, y);
            if (entries[i].style == sample::marker)
                cv::drawMarker(img, (a + b) / 2, entries[i].colour, cv::MARKER_DIAMOND, 12, 2, cv::LINE_AA);
            else
                cv::line(img, a, b, entries[i].colour, 3, cv::LINE_AA);
            text(img, entries[i].label, {b.x + 8, y + 6}, scale, black);
            x += width_of(i) + gap;
        }
    }
}

}  // namespace plot_detail
DERMTL_DECL cv::Mat plot_roc(const table& t) {
    using namespace plot_detail;
    validate(t);
    if (t.roc.empty())
        throw config_error("report::plot_roc: table '" + t.id + "': expected at least one ROC curve (table::add_roc), "
                           "found none");
    cv::Mat img(800, 800, CV_8UC3, white);
    const frame f{cv::Rect(100, 90, 660, 620)};
    centred_text(img, t.title.empty() ? t.id : t.title, 400, 34, 0.75, 2, 760);
    centred_text(img, "ROC curves" + (t.roc_title.empty() ? std::string() : ": " + t.roc_title), 400, 66, 0.55, 1, 760,
                 mid_grey);
    axes(img, f, 0.1, 0.1, "False positive rate = 1 - specificity (%)", "True positive rate = sensitivity (%)");
    dashed_line(img, f.map(0, 0), f.map(1, 1), mid_grey, 1);
    std::vector<legend_entry> entries;
    for (std::size_t i = 0; i < t.roc.size(); ++i) {
        const auto& s = t.roc[i];
        std::vector<cv::Point> pts;
        for (std::size_t k = 0; k < s.curve.fpr.size(); ++k) pts.push_back(f.map(s.curve.fpr[k], s.curve.tpr[k]));
        cv::polylines(img, pts, false, colour(i), 2, cv::LINE_AA);
        entries.push_back({t.columns[s.column].label() + fmt::format("  (AUC {:.1f}%)", 100 * s.auc), colour(i)});
    }
    entries.push_back({"chance (AUC 50%)", mid_grey, sample::dashed});
    legend(img, f, entries);
    return img;
}

DERMTL_DECL cv::Mat plot_referral(const std::vector<referral_section>& sections, const std::string& title) {
    using namespace plot_detail;
    if (sections.empty())
        throw config_error("report::plot_referral: expected at least one referral analysis, found none");
    double max_rate = 0.1;
    for (const auto& s : sections) {
        max_rate = std::max(max_rate, s.table.baseline_rate);
        for (const auto& r : s.table.rows) max_rate = std::max(max_rate, r.rate);
    }
    max_rate = std::min(1.0, std::ceil(max_rate * 10 - 1e-9) / 10);
    const double x_step = max_rate > 0.55 ? 0.2 : 0.1;
    cv::Mat img(700, 1300, CV_8UC3, white);
    centred_text(img, title, 650, 34, 0.75, 2, 1260);
    centred_text(img, "Refer the highest-scoring cases (confident positives and unsure ones); markers: the diagnostic "
                      "baseline (refer only score > threshold)",
                 650, 64, 0.5, 1, 1260, mid_grey);
    const frame left{cv::Rect(100, 100, 500, 430), 0, max_rate, 0, 1};
    const frame right{cv::Rect(760, 100, 500, 430), 0, max_rate, 0, 1};
    axes(img, left, x_step, 0.1, "Cases referred (% of all cases)", "Sensitivity reached (%)");
    axes(img, right, x_step, 0.1, "Cases referred (% of all cases)", "Melanomas left unreferred (%)");
    centred_text(img, "Sensitivity reached", left.area.x + left.area.width / 2, 92, 0.55, 1, 500);
    centred_text(img, "Melanomas left unreferred", right.area.x + right.area.width / 2, 92, 0.55, 1, 500);
    std::vector<legend_entry> entries;
    for (std::size_t i = 0; i < sections.size(); ++i) {
        const auto& t = sections[i].table;
        // Referring nobody finds no melanoma: the lines start at the origin (and at 100% left out).
        std::vector<cv::Point> sens{left.map(0, 0)}, left_out{right.map(0, 1)};
        for (const auto& r : t.rows) {
            sens.push_back(left.map(r.rate, r.sensitivity));
            left_out.push_back(right.map(r.rate, r.unreferred_share));
        }
        cv::polylines(img, sens, false, colour(i), 2, cv::LINE_AA);
        cv::polylines(img, left_out, false, colour(i), 2, cv::LINE_AA);
        for (std::size_t k = 1; k < sens.size(); ++k) {
            cv::circle(img, sens[k], 4, colour(i), cv::FILLED, cv::LINE_AA);
            cv::circle(img, left_out[k], 4, colour(i), cv::FILLED, cv::LINE_AA);
        }
        cv::drawMarker(img, left.map(t.baseline_rate, t.baseline_sensitivity), colour(i), cv::MARKER_DIAMOND, 14, 2,
                       cv::LINE_AA);
        cv::drawMarker(img, right.map(t.baseline_rate, 1 - t.baseline_sensitivity), colour(i), cv::MARKER_DIAMOND, 14,
                       2, cv::LINE_AA);
        entries.push_back({sections[i].name + fmt::format(" ({} melanomas)", t.n_melanomas), colour(i)});
    }
    entries.push_back({"diagnostic baseline", black, sample::marker});
    legend_row(img, 640, entries);
    return img;
}

DERMTL_DECL std::string encode_png(const cv::Mat& img, const std::string& what) {
    std::vector<unsigned char> buf;
    if (img.empty() || !cv::imencode(".png", img, buf))
        throw io_error("report::encode_png: " + what + ": expected OpenCV to encode a " + std::to_string(img.cols) + "x" +
                       std::to_string(img.rows) + " image as PNG, found it failed");
    return std::string(buf.begin(), buf.end());
}

}  // namespace dermtl::report
