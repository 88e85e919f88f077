#pragma once
// --imagenet-weights: a MatConvNet .mat file or a safetensors file, told apart by content
// (io::is_safetensors), never by the file's name.
//
//   MatConvNet (imagenet-vgg-m.mat, imagenet-vgg-verydeep-16.mat): loaded by io::load_matconvnet;
//       the mean subtracted is the file's average image at 0-255 (preset "matconvnet").
//   safetensors with torchvision's or timm's VGG-16 names (models/weight_maps.hpp; timm's
//       vgg16.tv_in1k model.safetensors, or torchvision's state dict re-saved with
//       safetensors.torch.save_file): loaded by name map; the source's preset (ImageNet's mean and
//       std at 0-1) becomes dermtl's convention by subtracting the mean at 0-255 and folding
//       1 / (255 * std) into conv1's weights (models::fold_preset_into_first_conv), so the network
//       computes what the source computes on its own normalization. F32, F16, BF16 are read.
//       A file with dermtl's own names brings no ImageNet preset and is refused.
// Fingerprints: the file's content hash enters as before (protocol/source_models.hpp); a safetensors
// file adds its preset (describe_imagenet_preprocessing), a .mat file adds nothing, so the
// fingerprints of every existing .mat run are unchanged.
// Non-template code in impl/imagenet_weights.ipp (compiled once into libdermtl_protocol with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <filesystem>
#include <string>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/io/image.hpp"
#include "dermtl/io/matconvnet.hpp"
#include "dermtl/io/safetensors.hpp"
#include "dermtl/models/weight_maps.hpp"
#include "dermtl/nn/network.hpp"
#include "dermtl/protocol/fingerprint.hpp"

namespace dermtl::protocol {

// The preset of the safetensors ImageNet weights `file` (torchvision's or timm's, by the names in
// its header; no value is read). io_error naming the file for a damaged header, dermtl's own names
// or names that are nobody's.
DERMTL_DECL models::preprocessing_preset safetensors_imagenet_preset(const std::filesystem::path& file);

// Adds "source_preprocessing" (the preset's JSON) to `f` when `file` is a safetensors file; nothing
// for a .mat file or no file (the fingerprints of .mat runs stay as they were).
DERMTL_DECL void describe_imagenet_preprocessing(fingerprint& f, const std::filesystem::path& file);

// A checked .mat or safetensors file given as `option`: io_error naming the option and the file when
// a safetensors header is damaged or not torchvision's or timm's (before any training starts).
DERMTL_DECL void check_imagenet_weights_file(const std::filesystem::path& file, const std::string& option);

// Loads the ImageNet weights `file` (either format) into `net`, a 1000-class network of the file's
// architecture; returns the mean dermtl subtracts (at 0-255) for an input of the net's size.
// Errors: as io::load_matconvnet and models::load_network_safetensors; a .mat file without an
// average image is an io_error (the paper subtracts it).
template <class Net, class Backend>
io::mean_image load_imagenet_weights(const std::filesystem::path& file, nn::network<Net, Backend>& net) {
    using In = typename Net::input_shape;
    if (io::is_safetensors(file)) {
        const models::preprocessing_preset preset = safetensors_imagenet_preset(file);
        models::load_network_safetensors(file, net);
        models::fold_preset_into_first_conv(net, preset);
        const auto mean = preset.mean_255();
        return io::mean_image::per_channel(mean[0], mean[1], mean[2]);
    }
    const io::matconvnet_model meta = io::load_matconvnet(file, net);
    if (meta.average_image.size() == 0)
        throw io_error("transfer from ImageNet: '" + file.string() +
                       "' holds no average image (meta.normalization.averageImage), which the paper subtracts");
    return io::mean_image::from_average_image(meta.average_image, int(In::width), int(In::height));
}

}  // namespace dermtl::protocol

#if DERMTL_HEADER_ONLY
#include "dermtl/protocol/impl/imagenet_weights.ipp"
#endif
