#pragma once
// make_model_cells<Model, Backend>(grid): a model_cells (programs/model_cells.hpp) for one compiled
// grid, with the model-specific steps that instantiate its networks. Included only by the generated
// cell instance files (apps/cells.list, apps/cell_grids.hpp).
//
//   programs::model_cells cells = programs::make_model_cells<models::vgg_m_family<64, 8>, backend::cpu>(
//       protocol::grid<models::vgg_m_family<64, 8>, backend::cpu, protocol::keep_all_valid>(...));
#include <filesystem>
#include <functional>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/hana/for_each.hpp>
#include <boost/hana/front.hpp>
#include <xtensor/xtensor.hpp>

#include "dermtl/data/batch.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/io/features.hpp"
#include "dermtl/train/features.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/io/image_cache.hpp"
#include "programs/model_cells.hpp"
#include "dermtl/io/matconvnet.hpp"
#include "dermtl/nn/network.hpp"
#include "dermtl/protocol/imagenet_weights.hpp"
#include "dermtl/protocol/registry.hpp"
#include "dermtl/train/replace_classifier.hpp"
#include "dermtl/train/trainer.hpp"

namespace dermtl::programs {

template <class Model, class Backend, class Grid>
model_cells make_model_cells(Grid grid) {
    model_cells m;
    m.model = Model::name();
    m.title = Model::title();
    m.input_size = int(Model::template net<2>::input_shape::height);
    m.architecture = Model::architecture;
    m.matconvnet_file = Model::matconvnet;
    m.pretrained_model = models::pretrained_family_t<Model>::name();
    m.registry = protocol::registry::of(grid);
    using first_cell = typename decltype(+boost::hana::front(grid))::type;
    using training = typename first_cell::training_type;
    m.protocol_name = protocol::name_of<training>();
    m.training_defaults = training::defaults();
    m.takes_reference_quirks = std::is_same_v<training, protocol::training::reference>;
    boost::hana::for_each(grid, [](auto t) {
        static_assert(std::is_same_v<typename decltype(t)::type::training_type, training>,
                      "make_model_cells<Model, Backend>(grid): expected one training protocol for every cell of a "
                      "grid; make one model_cells per protocol");
    });
    m.write_imagenet_standin = [](const data::dataset& general, io::image_cache& cache, const std::filesystem::path& mat,
                                  const train::trainer_options& training) {
        if (std::filesystem::exists(mat)) return;
        if (general.num_classes() > 1000)
            throw config_error("write_imagenet_standin: expected at most 1000 classes, found " +
                               std::to_string(general.num_classes()));
        std::vector<std::size_t> all(general.size());
        std::iota(all.begin(), all.end(), std::size_t{0});
        const io::mean_image mean = data::training_mean(general, all, cache, io::mean_image::kind::per_channel);
        nn::network<typename models::pretrained_family_t<Model>::template net<1000>, Backend> net(training.seed);
        auto sources = train::paper_sources(general, all, cache, mean, training.seed);
        auto opt = training;
        opt.checkpoint = mat.string() + ".ckpt";
        train::train_network(net, sources.train, sources.validation, opt);
        io::matconvnet_export_options out;
        out.average_image = xt::xtensor<float, 3>::from_shape({1, 1, 3});
        const auto px = mean.mat().at<cv::Vec3f>(0, 0);
        for (std::size_t c = 0; c < 3; ++c) out.average_image(0, 0, c) = px[int(c)];
        out.class_names.resize(1000);
        for (std::size_t c = 0; c < 1000; ++c)
            out.class_names[c] = c < general.num_classes() ? general.class_names[c] : "unused " + std::to_string(c);
        io::save_matconvnet(mat, net, out);  // written atomically
        std::filesystem::remove(opt.checkpoint);
    };
    m.extract = [](const data::dataset& d, io::image_cache& cache, const std::filesystem::path& mat,
                   const std::filesystem::path& npy, std::size_t batch_size) {
        using file_net = typename models::pretrained_family_t<Model>::template net<1000>;
        using net_type = typename Model::template net<1000>;
        nn::network<file_net, Backend> loaded(nn::uninitialized);
        // A .mat, or a safetensors file (torchvision's or timm's names, its preset folded into conv1),
        // told apart by content.
        io::mean_image mean = io::mean_image::zero();
        if (io::is_safetensors(mat)) {
            mean = protocol::load_imagenet_weights(mat, loaded);
        } else {
            const io::matconvnet_model meta = io::load_matconvnet(mat, loaded);
            if (meta.average_image.size())
                mean = io::mean_image::from_average_image(meta.average_image, int(net_type::input_shape::width),
                                                          int(net_type::input_shape::height));
        }
        std::vector<std::size_t> all(d.size());
        std::iota(all.begin(), all.end(), std::size_t{0});
        auto features = [&](auto& net) {
            io::save_features(npy, train::extract_features<"fc7">(net, d, all, cache, mean, {.batch_size = batch_size}));
        };
        if constexpr (std::is_same_v<file_net, net_type>) {
            features(loaded);
        } else {  // a variant (VGG-M's 2x2 pool2): the file's weights by layer name
            nn::network<net_type, Backend> net(nn::uninitialized);
            train::copy_layers(loaded, net);
            features(net);
        }
    };
    return m;
}

}  // namespace dermtl::programs
