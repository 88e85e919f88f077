#pragma once
// model_cells: what a front end needs of one compiled model family -- its registry of experiment
// cells and the model-specific steps around them (the input size, and for synthetic runs the
// stand-in for ImageNet weights). Each (family, backend, protocol) is compiled once, in its own
// generated translation unit (apps/cells.list), by make_model_cells (programs/make_model_cells.hpp,
// the only part that instantiates networks); the demo, the CLI and the table programs share the
// result through this light header.
#include <filesystem>
#include <functional>
#include <string>

#include "dermtl/data/dataset.hpp"
#include "dermtl/io/image_cache.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/protocol/registry.hpp"
#include "dermtl/train/trainer.hpp"

namespace dermtl::programs {

struct model_cells {
    std::string model;   // the registry's model name: "vgg_m", "vgg_m_64_8"
    std::string title;   // the model family's title: "VGG-M"
    int input_size = 224;
    models::architecture architecture = models::architecture::vgg_m;  // which --imagenet-weights option is its
    std::string matconvnet_file;  // the ImageNet weights it expects, e.g. "imagenet-vgg-m.mat"
    // The model whose architecture that file holds (models::pretrained_family_t): itself, or for a
    // variant such as VGG-M's 2x2 pool2 the original, whose synthetic stand-in it shares.
    std::string pretrained_model;
    protocol::registry registry;
    // The training protocol of every cell (protocol/training.hpp): its name and trainer defaults.
    std::string protocol_name = "paper";
    train::trainer_options training_defaults{};
    bool takes_reference_quirks = false;  // the reference protocol: --reference-quirk applies

    // Synthetic runs only: trains the family's 1000-way network on a labelled general task (the
    // synthetic stand-in for ImageNet, labels 0..K-1 of the 1000) and writes it, with the task's
    // per-channel mean as its average image, as a MatConvNet file that transfer::from_imagenet
    // then loads like the real download. Skipped when `mat` exists.
    std::function<void(const data::dataset& general, io::image_cache& cache, const std::filesystem::path& mat,
                       const train::trainer_options& training)>
        write_imagenet_standin;

    // fc7 features (after its ReLU, L2-normalized) of every sample of `d`, from the 1000-way
    // network in a MatConvNet file, minus its average image; written as .npy + ids (io/features.hpp).
    std::function<void(const data::dataset& d, io::image_cache& cache, const std::filesystem::path& mat,
                       const std::filesystem::path& npy, std::size_t batch_size)>
        extract;
};

}  // namespace dermtl::programs
