#pragma once
// `dermtl score`'s two files (programs/score.hpp): the ground truth and the submission, read in
// one of the ISIC challenges' layouts (or as dermtl predictions files), checked, and matched image
// by image (score_files.cpp). score.cpp computes the measures over them.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace dermtl::programs::score_detail {

// The challenge whose file layout (and whose scorer's output) a file follows.
enum class challenge { isic2016, isic2017, multiclass, dermtl };

// One side of the scoring: rows in file order, one column per category.
struct sheet {
    challenge format = challenge::isic2016;
    std::filesystem::path file;
    std::vector<std::string> categories;
    std::vector<std::string> ids;
    std::vector<std::size_t> lines;
    std::vector<std::vector<double>> values;             // per row, one per category
    std::vector<double> score_weight, validation_weight;  // truth only; empty: weight 1
    bool probabilities = true;                            // false: scores of another scale (SVM decision values)
};

// "ISIC 2016 Part 3 (image,label)", ...: the layout's name, for messages.
std::string_view name_of(challenge c);
// Whether the output follows the 2016-2017 scorer (Python/scoreP3.py: a list of named metrics).
bool legacy(challenge c);
// "a, b, c".
std::string listed(const std::vector<std::string>& names);

// The ground truth: its layout told from its header and width. io_error naming file:line and
// column for a malformed file.
sheet read_truth(const std::filesystem::path& file);
// The submission, in the truth's layout or as a dermtl predictions file; config_error when its
// classes differ from the truth's.
sheet read_submission(const std::filesystem::path& file, const sheet& truth);
// The submission's rows in the truth's order; config_error naming the first few missing and extra ids.
std::vector<std::vector<double>> aligned(const sheet& truth, const sheet& submitted);

}  // namespace dermtl::programs::score_detail
