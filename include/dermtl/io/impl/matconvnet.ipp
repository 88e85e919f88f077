// Definitions of io/matconvnet.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/matconvnet.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <matio.h>

namespace dermtl::io::matconvnet_detail {

DERMTL_DECL opened_model open_model(const std::filesystem::path& path, const std::string& where) {
    using namespace mat_file;
    opened_model m;
    m.mat = open(path, "load_matconvnet");
    m.top = top_level_names(m.mat.get());
    auto has = [&](std::string_view n) { return std::find(m.top.begin(), m.top.end(), n) != m.top.end(); };
    if (!has("layers"))
        throw io_error(where + ": no top-level 'layers' variable; found " + list_text(m.top) +
                       " (not a MatConvNet model?)");
    m.layers_var = read(m.mat.get(), "layers");
    if (!m.layers_var)
        throw io_error(where + ": cannot read 'layers' (truncated or corrupted file?)" +
                       (last_log().empty() ? "" : ": " + last_log()));
    m.layers = layers_of(m.layers_var.get(), where);

    m.model.layout = has("meta") ? matconvnet_layout::newer : matconvnet_layout::older;
    for (const auto& l : m.layers) {
        m.model.layer_names.push_back(l.name);
        m.model.layer_types.push_back(l.type);
    }
    return m;
}

DERMTL_DECL io_error missing_layer(const std::string& where, const std::string& label,
                                   const std::vector<std::string>& file_layers) {
    return io_error(where + ": " + label + " is not in the file, whose layers are " + mat_file::list_text(file_layers) +
                    " (a different network?)");
}

DERMTL_DECL void check_extra_layers(const std::vector<file_layer>& layers, std::span<const std::string_view> names,
                                    const std::string& where) {
    using namespace mat_file;
    for (const auto& l : layers)
        if ((l.filters || l.biases) && std::find(names.begin(), names.end(), l.name) == names.end())
            throw io_error(where + ": the file's layer '" + l.name + "' (" + l.type +
                           ", filters " + dims_text(dims_of(l.filters)) +
                           ") has no counterpart in the network (a different network?); allow it with "
                           "matconvnet_import_options::allow_extra_file_layers");
}

DERMTL_DECL void read_meta(opened_model& m, const std::string& where) {
    using namespace mat_file;
    auto has = [&](std::string_view n) { return std::find(m.top.begin(), m.top.end(), n) != m.top.end(); };
    matconvnet_model& model = m.model;
    // Normalization and classes: meta.{normalization, classes} or top-level ones.
    var_ptr meta = has("meta") ? read(m.mat.get(), "meta") : nullptr;
    var_ptr norm_top = !meta && has("normalization") ? read(m.mat.get(), "normalization") : nullptr;
    var_ptr classes_top = !meta && has("classes") ? read(m.mat.get(), "classes") : nullptr;
    matvar_t* norm = meta ? field(meta.get(), "normalization") : norm_top.get();
    matvar_t* classes = meta ? field(meta.get(), "classes") : classes_top.get();
    if (matvar_t* avg = field(norm, "averageImage"); avg && numel(avg) > 0) {
        require_real(avg, where + ": normalization", "averageImage");
        check_finite(avg, where + ": normalization", "averageImage");
        const auto d = dims_of(avg);
        const std::size_t n = numel(avg);
        if (n == 3) {
            model.average_image = xt::xtensor<float, 3>::from_shape({1, 1, 3});
            for (std::size_t c = 0; c < 3; ++c) model.average_image(0, 0, c) = float(element(avg, c));
        } else if (d.size() == 3 && d[2] == 3) {
            const std::size_t H = d[0], W = d[1];
            model.average_image = xt::xtensor<float, 3>::from_shape({H, W, 3});
            for (std::size_t h = 0; h < H; ++h)
                for (std::size_t w = 0; w < W; ++w)
                    for (std::size_t c = 0; c < 3; ++c)
                        model.average_image(h, w, c) = float(element(avg, h + H * (w + W * c)));
        } else {
            throw shape_error(where + ": averageImage: expected H x W x 3 or 3 values, found " + dims_text(d));
        }
    }
    model.image_size = numbers(field(norm, "imageSize"), where + ": normalization", "imageSize");
    model.class_names = texts(field(classes, "name"));
    model.class_descriptions = texts(field(classes, "description"));
}

DERMTL_DECL void write_model(const std::filesystem::path& path, std::vector<mat_file::var_ptr> items,
                             std::size_t height, std::size_t width, std::size_t channels,
                             const matconvnet_export_options& opt, const std::string& where) {
    using namespace mat_file;
    if (opt.append_softmax) {
        fields f;
        f.emplace_back("name", make_text("prob"));
        f.emplace_back("type", make_text("softmax"));
        items.push_back(make_struct(nullptr, std::move(f)));
    }
    var_ptr layers = make_cell(std::move(items), "layers");

    fields norm;
    if (opt.average_image.size() > 0) {
        const auto s = opt.average_image.shape();
        if (s[2] != 3) throw shape_error(where + ": average_image must be H x W x 3, found last extent " + std::to_string(s[2]));
        std::vector<float> avg(s[0] * s[1] * 3);
        for (std::size_t h = 0; h < s[0]; ++h)
            for (std::size_t w = 0; w < s[1]; ++w)
                for (std::size_t c = 0; c < 3; ++c) avg[h + s[0] * (w + s[1] * c)] = opt.average_image(h, w, c);
        norm.emplace_back("averageImage", make_singles(std::move(avg), {s[0], s[1], 3}));
    } else {
        norm.emplace_back("averageImage", make_singles({}, {0, 0}));
    }
    norm.emplace_back("imageSize", make_row({double(height), double(width), double(channels)}));
    norm.emplace_back("interpolation", make_text("bilinear"));
    norm.emplace_back("keepAspect", make_row({0}));
    norm.emplace_back("border", make_row({0, 0}));
    norm.emplace_back("cropSize", make_row({1, 1}));
    fields classes;
    classes.emplace_back("name", make_texts(opt.class_names));
    classes.emplace_back("description", make_texts(opt.class_descriptions));
    fields meta_fields;
    meta_fields.emplace_back("normalization", make_struct(nullptr, std::move(norm)));
    meta_fields.emplace_back("classes", make_struct(nullptr, std::move(classes)));
    var_ptr meta = make_struct("meta", std::move(meta_fields));

    write_atomically(path, "save_matconvnet", [&](const std::filesystem::path& tmp) {
        write_file(tmp, {layers.get(), meta.get()}, opt.compress, where);
    });
}

}  // namespace dermtl::io::matconvnet_detail
