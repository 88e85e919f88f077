#pragma once
// Plots drawn with OpenCV (lines, Hershey text, PNG through cv::imencode):
//   plot_roc(table):        the table's ROC curves, one per column, distinct colours, the chance
//                           diagonal, a legend with each curve's AUC, ticked and labelled axes;
//   plot_referral(sections): two panels against the share of cases referred: the sensitivity
//                           reached and the melanomas left unreferred, one line per analysis,
//                           with the diagnostic baseline (refer only confident positives) marked.
// OpenCV's fonts are ASCII only; text is transliterated (± -> +/-, × -> x, dashes -> -).
// Not templates: defined in impl/plots.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise), which alone includes OpenCV's imgproc and
// imgcodecs; the images are cv::Mat, so this header includes OpenCV's core.
#include <cstddef>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/report/model.hpp"

namespace dermtl::report {

namespace plot_detail {

// Tableau 10, BGR: distinct for the six columns of Table 1 and readable on white.
DERMTL_DECL cv::Scalar colour(std::size_t i);

}  // namespace plot_detail

// Requires: a validated table with at least one ROC series.
// Ensures: an 800 x 800 BGR image (CV_8UC3), white background.
DERMTL_DECL cv::Mat plot_roc(const table& t);

// Requires: at least one validated referral section.
// Ensures: a 1300 x 700 BGR image with the two panels side by side and the legend below them.
DERMTL_DECL cv::Mat plot_referral(const std::vector<referral_section>& sections,
                                  const std::string& title = "Referral analysis");

// PNG bytes of an image. Throws io_error if OpenCV cannot encode it.
DERMTL_DECL std::string encode_png(const cv::Mat& img, const std::string& what);

}  // namespace dermtl::report

#if DERMTL_HEADER_ONLY
#include "dermtl/report/impl/plots.ipp"
#endif
