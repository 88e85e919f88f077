// dermtl export-onnx: a final model folder (train-final's MODEL/) as one ONNX graph: the
// preprocessing's mean (and scale, std), the network to fc7 with its ReLU, the L2 normalization, the
// linear SVM and Platt's sigmoid (programs/onnx_export.hpp). A build without ONNX keeps the command
// and says so when it runs.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "commands/commands.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/io/model_folder.hpp"
#include "programs/onnx_export.hpp"

namespace dermtl::commands {

namespace {
struct export_onnx_options {
    std::filesystem::path model, out;
};
}  // namespace

command add_export_onnx(CLI::App& app) {
    auto o = std::make_shared<export_onnx_options>();
    auto* c = app.add_subcommand(
        "export-onnx",
        std::string("Write a final model (train-final's MODEL/) as one ONNX graph (opset 13): mean subtraction, the "
                    "network to fc7, L2 normalization, linear SVM, Platt sigmoid; the input is the frame-cropped, "
                    "resized RGB image (docs/reproducing.md, ONNX)") +
            (programs::onnx_export::onnx_export_available() ? "" : " [not in this build: no ONNX found]"));
    c->add_option("--model", o->model, "The model folder (model.json, network.safetensors)")->required();
    c->add_option("--out", o->out, "The ONNX file to write (e.g. model.onnx)")->required();
    return {c, [o](int, char**) {
                namespace ox = programs::onnx_export;
                if (!ox::onnx_export_available())
                    throw config_error("export-onnx: this dermtl was built without ONNX export (configure found no "
                                       "libonnx-dev / libprotobuf-dev); install them (scripts/setup.sh) and reconfigure");
                const io::final_model m = io::read_model_folder(o->model);
                const ox::model_description d = ox::describe_model(m, io::read_model_tensors(o->model, m));
                const ox::export_summary s = ox::write_onnx(d, o->out);
                std::cout << "export-onnx: wrote " << o->out.string() << " (" << d.network.family << ", "
                          << d.classes.size() << " classes, opset " << s.opset << ", " << s.nodes << " nodes, "
                          << s.initializers << " initializers, " << s.bytes << " bytes)\n"
                          << "  input 'image' [N, 3, " << d.network.height << ", " << d.network.width
                          << "]: RGB 0-255, frame-cropped and area-resized as dermtl does; outputs 'probabilities' [N, "
                          << d.classes.size() << "], 'decision_values' [N, " << d.svm_weights.size() << "]\n";
                return 0;
            }};
}

}  // namespace dermtl::commands
