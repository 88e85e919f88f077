// Definitions of io/model_folder.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/model_folder.hpp"

#include <cmath>
#include <cstdint>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/core/hash.hpp"
#include "dermtl/io/atomic_file.hpp"
#include "dermtl/io/output_folder.hpp"

namespace dermtl::io {

namespace model_folder_detail {

DERMTL_DECL nlohmann::json preprocessing_json(const model_preprocessing& p) {
    nlohmann::json j{{"preset", p.preset},
                     {"mean", p.per_pixel ? "per_pixel" : "per_channel"},
                     {"mean_tensor", model_mean_tensor},
                     {"mean_per_channel", p.mean_per_channel},
                     {"scale", p.scale}};
    if (!p.std.empty()) j["std"] = p.std;
    return j;
}

DERMTL_DECL nlohmann::json model_json(const final_model& m) {
    nlohmann::json platt = nlohmann::json::array();
    for (const auto& p : m.platt) platt.push_back({{"A", p.a}, {"B", p.b}});
    nlohmann::json j{{"format", m.format},
                     {"cell", m.cell},
                     {"fingerprint", m.fingerprint},
                     {"version", m.version},
                     {"network_family", m.network},
                     {"classes", m.classes},
                     {"input_size", m.input_size},
                     {"preprocessing", preprocessing_json(m.preprocessing)},
                     {"network", {{"file", m.network_file}, {"hash", m.network_hash}}},
                     {"feature", m.feature},
                     {"l2_normalize", m.l2_normalize},
                     {"svm", {{"C", m.svm.c}, {"weights", m.svm.weights}, {"bias", m.svm.bias}}},
                     {"platt", platt}};
    if (m.referral)
        j["referral"] = {{"low", m.referral->low},
                         {"high", m.referral->high},
                         {"positive_class", m.referral->positive},
                         {"rule", m.referral->rule}};
    return j;
}

// A field of model.json, or io_error naming the file and the field.
template <class T>
T field(const nlohmann::json& j, const char* key, const std::string& where) {
    if (!j.is_object() || !j.contains(key)) throw io_error(where + ": expected a field '" + key + "', found none");
    try {
        return j.at(key).get<T>();
    } catch (const nlohmann::json::exception& e) {
        throw io_error(where + ": field '" + key + "': expected " + typeid(T).name() + ", found " + j.at(key).dump() +
                       " (" + e.what() + ")");
    }
}

// The checks write and read share: sizes agree and every number is finite.
DERMTL_DECL void check_model(const final_model& m, const std::string& where) {
    if (m.classes.size() < 2)
        throw config_error(where + ": expected at least 2 class names, found " + std::to_string(m.classes.size()));
    if (m.input_size <= 0) throw config_error(where + ": expected a positive input_size, found " + std::to_string(m.input_size));
    const std::size_t rows = m.classes.size() == 2 ? 1 : m.classes.size();
    if (m.svm.weights.size() != rows || m.svm.bias.size() != rows || m.platt.size() != rows)
        throw config_error(where + ": expected " + std::to_string(rows) + " SVM weight row(s), bias(es) and Platt pair(s) for " +
                           std::to_string(m.classes.size()) + " classes, found " + std::to_string(m.svm.weights.size()) +
                           ", " + std::to_string(m.svm.bias.size()) + " and " + std::to_string(m.platt.size()));
    for (std::size_t r = 0; r < rows; ++r) {
        if (m.svm.weights[r].empty() || m.svm.weights[r].size() != m.svm.weights[0].size())
            throw config_error(where + ": svm.weights row " + std::to_string(r) + ": expected " +
                               std::to_string(m.svm.weights[0].size()) + " values (the feature width), found " +
                               std::to_string(m.svm.weights[r].size()));
        for (double w : m.svm.weights[r])
            if (!std::isfinite(w)) throw config_error(where + ": svm.weights row " + std::to_string(r) + ": a value is not finite");
        if (!std::isfinite(m.svm.bias[r]) || !std::isfinite(m.platt[r].a) || !std::isfinite(m.platt[r].b))
            throw config_error(where + ": svm.bias / platt " + std::to_string(r) + ": expected finite numbers");
    }
    if (m.referral) {
        const auto& r = *m.referral;
        if (!(r.low >= 0 && r.low <= r.high && r.high <= 1) || r.positive >= m.classes.size())
            throw config_error(where + ": referral: expected 0 <= low <= high <= 1 and a class index below " +
                               std::to_string(m.classes.size()) + ", found low " + std::to_string(r.low) + ", high " +
                               std::to_string(r.high) + ", class " + std::to_string(r.positive));
    }
}

}  // namespace model_folder_detail

DERMTL_DECL std::string file_content_hash(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw io_error("file_content_hash: cannot open '" + file.string() + "'");
    std::vector<char> buf(1 << 20);
    std::uint64_t h = core::fnv1a_offset;
    while (in) {
        in.read(buf.data(), std::streamsize(buf.size()));
        h = core::fnv1a64(buf.data(), std::size_t(in.gcount()), h);
    }
    if (in.bad()) throw io_error("file_content_hash: reading '" + file.string() + "' failed");
    return core::to_hex(h);
}

DERMTL_DECL std::map<std::string, std::string> model_metadata(const final_model& m) {
    return {{"dermtl.format", m.format},
            {"dermtl.cell", m.cell},
            {"dermtl.fingerprint", m.fingerprint},
            {"dermtl.version", m.version},
            {"dermtl.network", m.network},
            {"dermtl.input_size", std::to_string(m.input_size)},
            {"dermtl.classes", nlohmann::json(m.classes).dump()},
            {"dermtl.preprocessing", model_folder_detail::preprocessing_json(m.preprocessing).dump()}};
}

DERMTL_DECL void write_model_folder(const std::filesystem::path& dir, const final_model& m,
                                    const std::vector<safetensors_tensor>& tensors) {
    namespace fs = std::filesystem;
    const std::string where = "write_model_folder: '" + dir.string() + "'";
    model_folder_detail::check_model(m, where);
    const safetensors_tensor* mean = nullptr;
    for (const auto& t : tensors)
        if (t.name == model_mean_tensor) mean = &t;
    const auto n = std::size_t(m.input_size);
    if (!mean || mean->shape.size() != 3 || mean->shape[0] != 3 ||
        !((mean->shape[1] == 1 && mean->shape[2] == 1) || (mean->shape[1] == n && mean->shape[2] == n)))
        throw config_error(where + ": expected a tensor '" + std::string(model_mean_tensor) + "' of shape [3, 1, 1] or [3, " +
                           std::to_string(n) + ", " + std::to_string(n) + "]");
    std::error_code ec;
    if (fs::exists(dir, ec) && !(fs::is_directory(dir, ec) && (fs::is_empty(dir, ec) || fs::exists(dir / model_json_file, ec))))
        throw config_error(where + ": exists and is not a model folder (no " + std::string(model_json_file) +
                           "); choose another --out or remove it");
    const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
    prepare_folder(parent, "write_model_folder");
    const fs::path tmp = parent / (dir.filename().string() + ".tmp" + temporary_infix());
    fs::remove_all(tmp, ec);
    try {
        fs::create_directory(tmp);
        final_model out = m;
        out.network_file = model_network_file;
        write_safetensors(tmp / model_network_file, tensors, model_metadata(out));
        out.network_hash = file_content_hash(tmp / model_network_file);
        write_file_atomically(tmp / model_json_file, model_folder_detail::model_json(out).dump(2) + "\n");
        atomic_detail::sync_path(tmp, true);
        // The old model (if any) moves aside, the new one in, the old one goes.
        const fs::path old = parent / (dir.filename().string() + ".old" + temporary_infix());
        const bool had = fs::exists(dir, ec);
        if (had) fs::rename(dir, old);
        fs::rename(tmp, dir);
        atomic_detail::sync_path(parent, true);
        if (had) fs::remove_all(old, ec);
    } catch (const fs::filesystem_error& e) {
        fs::remove_all(tmp, ec);
        throw io_error(where + ": " + e.what());
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
}

DERMTL_DECL final_model read_model_folder(const std::filesystem::path& dir) {
    namespace fs = std::filesystem;
    using model_folder_detail::field;
    const fs::path json_file = dir / model_json_file;
    if (!fs::is_directory(dir)) throw io_error("read_model_folder: '" + dir.string() + "': expected a model folder, found none");
    if (!fs::exists(json_file))
        throw io_error("read_model_folder: '" + json_file.string() + "' is missing; expected a folder written by "
                       "`dermtl train-final`");
    const std::string where = json_file.string();
    nlohmann::json j;
    {
        std::ifstream in(json_file);
        if (!in) throw io_error(where + ": cannot open");
        try {
            j = nlohmann::json::parse(in);
        } catch (const nlohmann::json::exception& e) {
            throw io_error(where + ": malformed JSON (" + std::string(e.what()) + ")");
        }
    }
    final_model m;
    m.format = field<std::string>(j, "format", where);
    if (m.format != model_format)
        throw io_error(where + ": field 'format': expected \"" + std::string(model_format) + "\", found \"" + m.format + "\"");
    m.cell = field<std::string>(j, "cell", where);
    m.fingerprint = field<std::string>(j, "fingerprint", where);
    m.version = field<std::string>(j, "version", where);
    m.network = field<std::string>(j, "network_family", where);
    m.classes = field<std::vector<std::string>>(j, "classes", where);
    m.input_size = field<int>(j, "input_size", where);
    const auto pre = field<nlohmann::json>(j, "preprocessing", where);
    m.preprocessing.preset = field<std::string>(pre, "preset", where + ": preprocessing");
    m.preprocessing.per_pixel = field<std::string>(pre, "mean", where + ": preprocessing") == "per_pixel";
    m.preprocessing.mean_per_channel = field<std::vector<float>>(pre, "mean_per_channel", where + ": preprocessing");
    m.preprocessing.scale = field<double>(pre, "scale", where + ": preprocessing");
    if (pre.contains("std")) m.preprocessing.std = field<std::vector<float>>(pre, "std", where + ": preprocessing");
    const auto net = field<nlohmann::json>(j, "network", where);
    m.network_file = field<std::string>(net, "file", where + ": network");
    m.network_hash = field<std::string>(net, "hash", where + ": network");
    if (m.network_file.empty() || fs::path(m.network_file).filename() != fs::path(m.network_file))
        throw io_error(where + ": network.file: expected a file name inside the folder, found \"" + m.network_file + "\"");
    m.feature = field<std::string>(j, "feature", where);
    m.l2_normalize = field<bool>(j, "l2_normalize", where);
    if (m.feature != "fc7" || !m.l2_normalize)
        throw io_error(where + ": expected the feature \"fc7\", L2-normalized (the only one dermtl's models use), found \"" +
                       m.feature + "\"" + (m.l2_normalize ? "" : " without L2 normalization"));
    const auto s = field<nlohmann::json>(j, "svm", where);
    m.svm.c = field<double>(s, "C", where + ": svm");
    m.svm.weights = field<std::vector<std::vector<double>>>(s, "weights", where + ": svm");
    m.svm.bias = field<std::vector<double>>(s, "bias", where + ": svm");
    const auto platt = field<nlohmann::json>(j, "platt", where);
    if (!platt.is_array()) throw io_error(where + ": field 'platt': expected an array of {\"A\", \"B\"}, found " + platt.dump());
    for (const auto& p : platt) m.platt.push_back({field<double>(p, "A", where + ": platt"), field<double>(p, "B", where + ": platt")});
    if (j.contains("referral") && !j.at("referral").is_null()) {
        const auto& r = j.at("referral");
        model_referral ref;
        ref.low = field<double>(r, "low", where + ": referral");
        ref.high = field<double>(r, "high", where + ": referral");
        ref.positive = field<std::size_t>(r, "positive_class", where + ": referral");
        if (r.contains("rule")) ref.rule = field<std::string>(r, "rule", where + ": referral");
        m.referral = ref;
    }
    try {
        model_folder_detail::check_model(m, where);
    } catch (const config_error& e) {
        throw io_error(e.what());
    }
    // The network file: present, the bytes that were written, and about the same model.
    const fs::path net_file = dir / m.network_file;
    if (!fs::exists(net_file))
        throw io_error("read_model_folder: '" + net_file.string() + "' is missing (" + where + " names it)");
    const std::string hash = file_content_hash(net_file);
    if (hash != m.network_hash)
        throw io_error("read_model_folder: '" + net_file.string() + "' was altered: its content hash is " + hash + ", " +
                       where + " records " + m.network_hash);
    return m;
}

DERMTL_DECL model_tensors read_model_tensors(const std::filesystem::path& dir, const final_model& m) {
    const std::filesystem::path file = dir / m.network_file;
    model_tensors out;
    out.network = read_safetensors(file);
    const auto expected = model_metadata(m);
    for (const auto& [key, value] : expected) {
        if (key == "dermtl.preprocessing") continue;  // JSON: compared through model.json's own fields
        const auto it = out.network.metadata.find(key);
        const std::string found = it == out.network.metadata.end() ? std::string("nothing") : "\"" + it->second + "\"";
        if (it == out.network.metadata.end() || it->second != value)
            throw io_error("read_model_tensors: '" + file.string() + "': metadata '" + key + "': expected \"" + value +
                           "\" (as model.json says), found " + found);
    }
    auto& ts = out.network.tensors;
    for (auto it = ts.begin(); it != ts.end(); ++it)
        if (it->name == model_mean_tensor) {
            out.mean_shape = it->shape;
            out.mean = std::move(it->values);
            ts.erase(it);
            break;
        }
    const auto n = std::size_t(m.input_size);
    const auto& s = out.mean_shape;
    if (s.size() != 3 || s[0] != 3 || !((s[1] == 1 && s[2] == 1) || (s[1] == n && s[2] == n)))
        throw io_error("read_model_tensors: '" + file.string() + "': expected a tensor '" + std::string(model_mean_tensor) +
                       "' of shape [3, 1, 1] or [3, " + std::to_string(n) + ", " + std::to_string(n) + "], found " +
                       (s.empty() ? std::string("none") : "another shape"));
    return out;
}

}  // namespace dermtl::io
