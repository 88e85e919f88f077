#pragma once
// The compiled experiment cells the `dermtl` tool and the table programs share. Each family is
// instantiated once per backend, in its own translation unit (cells_vgg_m.cpp, cells_vgg_16.cpp;
// cells_onednn_*.cpp when the build has oneDNN, which defines DERMTL_HAS_ONEDNN_CELLS;
// cells_cuda_*.cu when the build has CUDA, which defines DERMTL_HAS_CUDA_CELLS), so the programs
// compile in parallel and none instantiates a network it does not use.
#include <string>
#include <vector>

#include "programs/model_cells.hpp"
#include "dermtl/protocol/registry.hpp"

namespace dermtl::apps {

// The arithmetic of a training run (--precision): float32 everywhere, or TF32 tensor-core
// convolutions and GEMMs (CUDA only). Mapped to backend::precision types where the backend is chosen.
enum class precision { float32, tf32 };

// VGG-M at 224x224 and scaled (64x64, widths / 8): every valid Table 1 cell.
const programs::model_cells& vgg_m_cells();
const programs::model_cells& vgg_m_scaled_cells();
// VGG-16 at 224x224 and scaled (32x32, widths / 8): ImageNet, frozen and fine-tuned, for the
// three designs and the ISIC label (Tables 2 and 3).
const programs::model_cells& vgg_16_cells();
const programs::model_cells& vgg_16_scaled_cells();
// The reference code's protocol (protocol/training.hpp): VGG-M's Table 1 grid with its 2x2 pool2
// and libsvm's SVC, at full size and scaled (cells_reference_vgg_m.cpp).
const programs::model_cells& vgg_m_reference_cells();
const programs::model_cells& vgg_m_scaled_reference_cells();

#ifdef DERMTL_HAS_ONEDNN_CELLS
// The same on backend::onednn.
const programs::model_cells& vgg_m_onednn_cells();
const programs::model_cells& vgg_m_scaled_onednn_cells();
const programs::model_cells& vgg_16_onednn_cells();
const programs::model_cells& vgg_16_scaled_onednn_cells();
const programs::model_cells& vgg_m_reference_onednn_cells();
const programs::model_cells& vgg_m_scaled_reference_onednn_cells();
#endif

#ifdef DERMTL_HAS_CUDA_CELLS
// The same on backend::cuda.
const programs::model_cells& vgg_m_cuda_cells();
const programs::model_cells& vgg_m_scaled_cuda_cells();
const programs::model_cells& vgg_16_cuda_cells();
const programs::model_cells& vgg_16_scaled_cuda_cells();
// The CUDA backend's numeric options, process-wide: precision "float32" (default) or "tf32",
// and cuDNN's deterministic algorithms.
void use_cuda_numerics(precision p, bool deterministic);
#endif

// The cells of a network by name ("vgg_m", "vgg_m_scaled", "vgg_16", "vgg_16_scaled") on a
// backend ("cpu"; "onednn" in a build with oneDNN; "cuda" in a build with CUDA) under a training
// protocol ("paper", the default; "reference": VGG-M on cpu and onednn); config_error naming the
// choices otherwise.
const programs::model_cells& cells_of(const std::string& network, const std::string& backend,
                                      const std::string& protocol = "paper");

// The backend a command uses unless told (--backend): "onednn" where the build has it (oneDNN's
// kernels, the fast CPU path), else "cpu" (the reference path).
std::string default_backend();
std::vector<std::string> network_names();
std::vector<std::string> backend_names();
std::string joined(const std::vector<std::string>& names);  // "a, b, c" (help texts, errors)

// Applies --precision / --deterministic to the CUDA backend; refuses them (config_error) for the
// CPU backend or a build without CUDA, unless they are the defaults.
void use_numerics(const std::string& backend, precision p, bool deterministic);

// Every compiled model_cells (network x backend x protocol), in table order.
std::vector<const programs::model_cells*> compiled_cells();

// Every compiled cell of every network and backend, in grid order: the catalog the tables of
// `dermtl report` lay stored results out by.
const protocol::registry& all_cells();

}  // namespace dermtl::apps
