// predict_images: a final model applied to new images, one predictions file out.
#include "programs/predict.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <system_error>
#include <vector>

#include <opencv2/core.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/io/csv.hpp"
#include "dermtl/io/image_cache.hpp"
#include "dermtl/io/image_files.hpp"
#include "dermtl/io/predictions.hpp"
#include "dermtl/protocol/final_fit.hpp"
#include "dermtl/protocol/inputs.hpp"

namespace dermtl::programs {

namespace {

namespace fs = std::filesystem;

void add_file(std::vector<predict_input>& out, const fs::path& file, const std::string& where) {
    out.push_back({io::stem_id(file.filename().string()), file, where, {}});
}

// Every image file under `folder`, sorted by path (a stable order whatever the file system's).
void add_folder(std::vector<predict_input>& out, const fs::path& folder) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(folder, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec) && io::has_image_extension(it->path().filename().string())) files.push_back(it->path());
    if (ec) throw io_error("predict: reading the folder '" + folder.string() + "' failed: " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) add_file(out, f, folder.string());
}

void add_list(std::vector<predict_input>& out, const fs::path& list) {
    const std::string text = io::read_text_file(list);
    std::size_t line = 0;
    for (std::size_t at = 0; at < text.size();) {
        const std::size_t end = std::min(text.find('\n', at), text.size());
        const std::string entry = io::trim(std::string_view(text).substr(at, end - at));
        at = end + 1;
        ++line;
        if (entry.empty() || entry[0] == '#') continue;
        const fs::path file = fs::path(entry).is_absolute() ? fs::path(entry) : list.parent_path() / entry;
        const std::string where = list.string() + ":" + std::to_string(line);
        if (!fs::exists(file)) {
            out.push_back({io::stem_id(fs::path(entry).filename().string()), {}, where, "no file '" + file.string() + "'"});
            continue;
        }
        add_file(out, file, where);
    }
}

void add_manifest(std::vector<predict_input>& out, const fs::path& manifest, const std::string& image_column) {
    const io::csv_table table = io::read_csv(manifest);
    if (table.rows.empty()) throw io_error("predict: '" + manifest.string() + "': expected a header row, found an empty file");
    const std::size_t col = table.column(image_column);
    std::optional<io::image_index> index;  // built on first need: ids rather than paths
    for (std::size_t r = 1; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        const std::string where = table.where(row);
        const std::string value = col < row.size() ? io::trim(row[col]) : std::string();
        if (value.empty()) {
            out.push_back({"(line " + std::to_string(row.line) + ")", {}, where, "an empty '" + image_column + "' field"});
            continue;
        }
        const fs::path given = fs::path(value).is_absolute() ? fs::path(value) : manifest.parent_path() / value;
        std::error_code ec;
        if (fs::is_regular_file(given, ec)) {
            add_file(out, given, where);
            continue;
        }
        if (!index) index.emplace(manifest.parent_path().empty() ? fs::path(".") : manifest.parent_path(), true);
        if (const auto found = index->find(value)) add_file(out, *found, where);
        else out.push_back({io::stem_id(value), {}, where, "no image file for '" + value + "' under '" + index->root().string() + "'"});
    }
}

// The referral band of a probability of the positive class (model_folder.hpp's model_referral):
// at or below low is not safe to leave (ties at the cut are referred), so confident negatives are
// strictly below it; confident positives strictly above high.
const char* band_of(double p, double low, double high) {
    if (p < low) return "confident_negative";
    if (p > high) return "confident_positive";
    return "refer";
}

io::mean_image mean_of(const io::model_tensors& t) {
    const auto& s = t.mean_shape;
    const int h = int(s[1]), w = int(s[2]);
    cv::Mat m(h, w, CV_32FC3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < 3; ++c)
                m.at<cv::Vec3f>(y, x)[c] = t.mean[(std::size_t(c) * std::size_t(h) + std::size_t(y)) * std::size_t(w) + std::size_t(x)];
    return io::mean_image(m);
}

// A progress bar on standard error, redrawn at most every 0.2 s.
class progress_bar {
public:
    progress_bar(std::size_t total, bool live) : total_(total), live_(live) {}
    void update(std::size_t done, std::size_t skipped, bool last = false) {
        if (!live_) return;
        const auto now = std::chrono::steady_clock::now();
        if (!last && now - drawn_ < std::chrono::milliseconds(200)) return;
        drawn_ = now;
        const int width = 30;
        const int filled = total_ ? int(double(width) * double(done) / double(total_)) : width;
        std::fprintf(stderr, "\r\x1b[K[%s%s] %zu/%zu images%s", std::string(std::size_t(filled), '#').c_str(),
                     std::string(std::size_t(width - filled), '.').c_str(), done, total_,
                     skipped ? (", " + std::to_string(skipped) + " skipped").c_str() : "");
        if (last) std::fprintf(stderr, "\n");
        std::fflush(stderr);
    }

private:
    std::size_t total_;
    bool live_;
    std::chrono::steady_clock::time_point drawn_{};
};

}  // namespace

std::vector<predict_input> predict_inputs(const std::vector<fs::path>& inputs, const std::string& image_column) {
    std::vector<predict_input> out;
    for (const auto& in : inputs) {
        std::error_code ec;
        if (fs::is_directory(in, ec)) add_folder(out, in);
        else if (!fs::exists(in, ec))
            throw io_error("predict: '" + in.string() + "': no such image, folder, list or manifest");
        else if (io::has_image_extension(in.filename().string())) add_file(out, in, "the command line");
        else if (io::lower(in.extension().string()) == ".csv") add_manifest(out, in, image_column);
        else add_list(out, in);
    }
    // Ids name the rows of the predictions file: a second image of the same id is not predicted.
    std::map<std::string, std::string> seen;
    for (auto& p : out) {
        if (!p.problem.empty()) continue;
        const auto [it, fresh] = seen.emplace(io::id_key(p.id), p.file.string());
        if (!fresh) p.problem = "its id '" + p.id + "' is already that of '" + it->second + "'";
    }
    return out;
}

void check_model_fits(const io::final_model& model, const protocol::registry_entry& cell, const model_cells& m) {
    if (model.network != m.model)
        throw config_error("predict: the model is a " + model.network + " network, this network is " + m.model);
    if (model.input_size != m.input_size)
        throw config_error("predict: the model was trained for " + std::to_string(model.input_size) + "x" +
                           std::to_string(model.input_size) + " inputs, the network " + m.model + " takes " +
                           std::to_string(m.input_size) + "x" + std::to_string(m.input_size));
    if (model.classes.size() != cell.facts.classes)
        throw config_error("predict: the model has " + std::to_string(model.classes.size()) + " classes, the cell " +
                           cell.id.str() + " " + std::to_string(cell.facts.classes));
}

predict_summary predict_images(const fs::path& dir, const io::final_model& model, const protocol::registry_entry& cell,
                               const model_cells& m, const std::vector<predict_input>& images,
                               const predict_options& o, const fs::path& out, std::ostream& log) {
    check_model_fits(model, cell, m);
    const std::size_t k = model.classes.size();
    std::optional<io::model_referral> referral = model.referral;
    if (o.refer_low || o.refer_high) {
        if (k != 2)
            throw config_error("predict --refer-low/--refer-high: referral bands are for two-class models; this model has " +
                               std::to_string(k) + " classes");
        if (!referral) referral = io::model_referral{};
        if (o.refer_low) referral->low = *o.refer_low;
        if (o.refer_high) referral->high = *o.refer_high;
        if (referral->low > referral->high)
            throw config_error("predict: expected --refer-low <= --refer-high, found " + std::to_string(referral->low) +
                               " > " + std::to_string(referral->high));
    }
    if (out.has_parent_path()) io::prepare_folder(out.parent_path(), "predict --out");

    // The network, from the model's tensors.
    const io::model_tensors tensors = io::read_model_tensors(dir, model);
    auto network = cell.make_network();
    network->load(tensors.network, (dir / model.network_file).string());
    const io::mean_image mean = mean_of(tensors);
    std::vector<svm::platt_scaling> platt;
    for (const auto& p : model.platt) platt.push_back({p.a, p.b});
    const std::size_t width = model.svm.weights[0].size();
    Eigen::MatrixXd w(model.svm.weights.size(), width);
    for (std::size_t r = 0; r < model.svm.weights.size(); ++r)
        for (std::size_t j = 0; j < width; ++j) w(Eigen::Index(r), Eigen::Index(j)) = model.svm.weights[r][j];

    io::image_cache_options co;
    co.preprocess.width = co.preprocess.height = model.input_size;
    if (o.max_image_pixels) co.preprocess.read.max_pixels = o.max_image_pixels;
    co.preprocess.read.max_pixels_option = "--max-image-pixels";
    co.memory_budget_bytes = std::size_t(256) << 20;
    io::image_cache cache(co);
    protocol::experiment_inputs in;
    in.cache = &cache;
    in.target_training.batch_size = o.batch_size;

    io::image_predictions p;
    p.class_names = model.classes;
    predict_summary summary;
    summary.referral = referral.has_value();
    progress_bar bar(images.size(), o.progress ? *o.progress : ::isatty(2) != 0);
    auto skip = [&](const predict_input& image, const std::string& reason) {
        if (o.strict)
            throw io_error("predict: " + image.where + ": image '" + image.id + "'" +
                           (image.file.empty() ? std::string() : " ('" + image.file.string() + "')") + ": " + reason +
                           " (without --strict it is skipped and the run goes on)");
        summary.skipped.push_back({image.id, image.where, reason});
        bar.update(summary.predicted + summary.skipped.size(), summary.skipped.size());
    };
    const std::size_t chunk = std::max<std::size_t>(o.batch_size, 64);
    for (std::size_t at = 0; at < images.size(); at += chunk) {
        // Each image is read (and kept by the cache) first: one that cannot be read is skipped alone.
        data::dataset d;
        d.name = "predict";
        d.class_names = model.classes;
        for (std::size_t i = at; i < std::min(images.size(), at + chunk); ++i) {
            const auto& image = images[i];
            if (!image.problem.empty()) {
                skip(image, image.problem);
                continue;
            }
            try {
                (void)cache.get(image.file, image.where);
            } catch (const error& e) {
                skip(image, e.what());
                continue;
            }
            data::sample s;
            s.id = image.id;
            s.image = image.file;
            s.dataset = "predict";
            d.samples.push_back(std::move(s));
        }
        if (d.size() == 0) continue;
        std::vector<std::size_t> all(d.size());
        for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
        const svm::feature_matrix x = network->features(d, all, mean, in);
        if (std::size_t(x.cols()) != width)
            throw io_error("predict: '" + (dir / io::model_json_file).string() + "': the SVM expects " +
                           std::to_string(width) + " features, the network gives " + std::to_string(x.cols()));
        const Eigen::MatrixXd f = (x.cast<double>() * w.transpose()).rowwise() +
                                  Eigen::Map<const Eigen::RowVectorXd>(model.svm.bias.data(), Eigen::Index(model.svm.bias.size()));
        for (std::size_t i = 0; i < d.size(); ++i) {
            std::vector<double> decision(std::size_t(f.cols()));
            for (Eigen::Index c = 0; c < f.cols(); ++c) decision[std::size_t(c)] = f(Eigen::Index(i), c);
            const std::vector<double> prob = protocol::class_probabilities(decision, platt);
            p.ids.push_back(d[i].id);
            p.folds.emplace_back();
            p.labels.push_back(-1);
            p.scores.push_back(decision);
            if (k == 2) p.confidences.push_back(prob[1]);
            else p.probabilities.push_back(prob);
            p.decisions.push_back(model.classes[std::size_t(std::max_element(prob.begin(), prob.end()) - prob.begin())]);
            if (referral) {
                const std::string band = band_of(prob[referral->positive], referral->low, referral->high);
                p.referrals.push_back(band);
                (band == "refer" ? summary.refer : band == "confident_negative" ? summary.confident_negative
                                                                                : summary.confident_positive)++;
            }
            ++summary.predicted;
        }
        bar.update(summary.predicted + summary.skipped.size(), summary.skipped.size());
    }
    bar.update(summary.predicted + summary.skipped.size(), summary.skipped.size(), true);
    for (const auto& s : summary.skipped) log << "skipped " << s.id << " (" << s.where << "): " << s.reason << "\n";
    io::write_predictions(out, p);
    return summary;
}

}  // namespace dermtl::programs
