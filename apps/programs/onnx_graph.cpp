// `dermtl export-onnx`'s graph (programs/onnx_export.hpp): the checked model description written
// with ONNX's generated protobuf classes, opset 13, where the build found ONNX (DERMTL_HAS_ONNX,
// set on the dermtl_onnx_export library alone); otherwise write_onnx says so. onnx_export.cpp
// describes and checks the model.
#include "programs/onnx_export.hpp"

#include <cstdint>
#include <limits>
#include <string>

#include "dermtl/core/error.hpp"
#include "dermtl/core/version.hpp"
#include "dermtl/io/atomic_file.hpp"

#if DERMTL_HAS_ONNX
#include <onnx/onnx_pb.h>
#endif

namespace dermtl::programs::onnx_export {

#if DERMTL_HAS_ONNX

namespace {

constexpr int opset = 13;  // LRN, MaxPool (ceil_mode), Gemm, ReduceL2 (axes as an attribute: 13-17)

// Builds the graph node by node; names are unique ("conv1", "conv1.relu", ...).
class graph_builder {
public:
    explicit graph_builder(onnx::GraphProto& g) : g_(g) {}

    // A float initializer of `shape`.
    std::string constant(const std::string& name, const std::vector<std::size_t>& shape, const float* values) {
        auto* t = initializer(name, onnx::TensorProto::FLOAT);
        const std::size_t n = set_dims(*t, shape);
        // raw_data is little-endian float32 (the ONNX spec), as every platform dermtl builds on.
        t->set_raw_data(std::string(reinterpret_cast<const char*>(values), n * sizeof(float)));
        return name;
    }
    std::string constant(const std::string& name, const std::vector<std::size_t>& shape, const std::vector<float>& v) {
        return constant(name, shape, v.data());
    }
    // An int64 initializer (the axes input of ReduceSum at opset 13).
    std::string constant_int64(const std::string& name, const std::vector<std::size_t>& shape, const std::int64_t* values) {
        auto* t = initializer(name, onnx::TensorProto::INT64);
        const std::size_t n = set_dims(*t, shape);
        for (std::size_t i = 0; i < n; ++i) t->add_int64_data(values[i]);
        return name;
    }

    onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs, const std::string& output) {
        auto* n = g_.add_node();
        n->set_op_type(op);
        n->set_name(output);
        for (const auto& i : inputs) n->add_input(i);
        n->add_output(output);
        ++nodes_;
        return *n;
    }

    static void attr(onnx::NodeProto& n, const std::string& name, std::int64_t v) {
        auto* a = n.add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::INT);
        a->set_i(v);
    }
    static void attr(onnx::NodeProto& n, const std::string& name, float v) {
        auto* a = n.add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::FLOAT);
        a->set_f(v);
    }
    static void attr(onnx::NodeProto& n, const std::string& name, const std::vector<std::int64_t>& v) {
        auto* a = n.add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::INTS);
        for (auto x : v) a->add_ints(x);
    }

    // A float tensor value [N, dims...] with a dynamic batch dimension.
    static void value_info(onnx::ValueInfoProto* v, const std::string& name, const std::vector<std::size_t>& dims,
                           const std::string& doc) {
        v->set_name(name);
        v->set_doc_string(doc);
        auto* t = v->mutable_type()->mutable_tensor_type();
        t->set_elem_type(onnx::TensorProto::FLOAT);
        auto* s = t->mutable_shape();
        s->add_dim()->set_dim_param("N");
        for (std::size_t d : dims) s->add_dim()->set_dim_value(std::int64_t(d));
    }

    std::size_t nodes() const { return nodes_; }
    std::size_t initializers() const { return initializers_; }

private:
    // A new initializer of the graph, named and typed; its dims and data are the caller's.
    onnx::TensorProto* initializer(const std::string& name, onnx::TensorProto::DataType type) {
        auto* t = g_.add_initializer();
        t->set_name(name);
        t->set_data_type(type);
        ++initializers_;
        return t;
    }
    // Sets t's dims to `shape`; returns the element count.
    static std::size_t set_dims(onnx::TensorProto& t, const std::vector<std::size_t>& shape) {
        std::size_t n = 1;
        for (std::size_t d : shape) {
            t.add_dims(std::int64_t(d));
            n *= d;
        }
        return n;
    }

    onnx::GraphProto& g_;
    std::size_t nodes_ = 0, initializers_ = 0;
};

std::vector<float> to_float(const std::vector<double>& v) { return {v.begin(), v.end()}; }

}  // namespace

bool onnx_export_available() { return true; }

export_summary write_onnx(const model_description& m, const std::filesystem::path& out) {
    check_model(m);
    const auto& net = m.network;
    onnx::ModelProto model;
    model.set_ir_version(7);  // the IR of opset 13 (ONNX 1.8), read by every runtime since
    model.set_producer_name("dermtl");
    model.set_producer_version(std::string(version));
    model.set_doc_string("dermtl final model: " + net.family + " to fc7 (ReLU), L2 normalization, linear SVM, Platt "
                         "sigmoid. Input: RGB 0-255, frame-cropped and area-resized to the input size (see "
                         "docs/reproducing.md, ONNX).");
    auto* op = model.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    for (const auto& [k, v] : m.metadata) {
        auto* p = model.add_metadata_props();
        p->set_key(k);
        p->set_value(v);
    }
    auto* g = model.mutable_graph();
    g->set_name("dermtl_" + net.family);
    graph_builder b(*g);
    graph_builder::value_info(g->add_input(), "image", {net.channels, net.height, net.width},
                              "RGB at 0-255 (N x 3 x H x W), frame-cropped and area-resized as dermtl does");

    // Preprocessing: (x * scale - mean) / std.
    std::string x = "image";
    if (m.scale != 1.0) {
        const float s = float(m.scale);
        x = b.node("Mul", {x, b.constant("preprocessing.scale", {}, &s)}, "preprocessing.scaled").output(0);
    }
    std::vector<std::size_t> mean_shape = {1};
    mean_shape.insert(mean_shape.end(), m.mean_shape.begin(), m.mean_shape.end());
    x = b.node("Sub", {x, b.constant("preprocessing.mean", mean_shape, m.mean)}, "preprocessing.centred").output(0);
    if (!m.std.empty())
        x = b.node("Div", {x, b.constant("preprocessing.std", {1, net.channels, 1, 1}, m.std)}, "preprocessing.scaled_std")
                .output(0);

    auto tensor = [&](const std::string& name, const std::vector<std::size_t>& shape) {
        return b.constant(name, shape, tensor_of(m, name, shape).values);
    };
    bool flat = false;
    std::size_t index = 0;
    // A layer's node name: its own, or "<kind><index>" for an unnamed one.
    auto named = [&](const std::string& name, const char* kind) {
        return name.empty() ? std::string(kind) + std::to_string(index) : name;
    };
    for (const auto& l : net.layers) {
        ++index;
        if (const auto* c = std::get_if<conv_layer>(&l)) {
            auto& n = b.node("Conv",
                             {x, tensor(c->name + ".weight", {c->out_channels, c->in_channels, c->kernel, c->kernel}),
                              tensor(c->name + ".bias", {c->out_channels})},
                             named(c->name, "conv"));
            graph_builder::attr(n, "kernel_shape", {std::int64_t(c->kernel), std::int64_t(c->kernel)});
            graph_builder::attr(n, "strides", {std::int64_t(c->stride), std::int64_t(c->stride)});
            // ONNX's pads: [top, left, bottom, right].
            graph_builder::attr(n, "pads", {std::int64_t(c->pad.top), std::int64_t(c->pad.left),
                                            std::int64_t(c->pad.bottom), std::int64_t(c->pad.right)});
            x = n.output(0);
        } else if (const auto* r = std::get_if<relu_layer>(&l)) {
            x = b.node("Relu", {x}, named(r->name, "relu")).output(0);
        } else if (const auto* r = std::get_if<lrn_layer>(&l)) {
            auto& n = b.node("LRN", {x}, named(r->name, "lrn"));
            graph_builder::attr(n, "size", std::int64_t(r->size));
            // ONNX divides alpha by the size; dermtl (MatConvNet) does not.
            graph_builder::attr(n, "alpha", float(double(r->alpha) * double(r->size)));
            graph_builder::attr(n, "beta", r->beta);
            graph_builder::attr(n, "bias", r->kappa);
            x = n.output(0);
        } else if (const auto* p = std::get_if<max_pool_layer>(&l)) {
            auto& n = b.node("MaxPool", {x}, named(p->name, "pool"));
            graph_builder::attr(n, "kernel_shape", {std::int64_t(p->kernel), std::int64_t(p->kernel)});
            graph_builder::attr(n, "strides", {std::int64_t(p->stride), std::int64_t(p->stride)});
            graph_builder::attr(n, "pads", {std::int64_t(p->pad.top), std::int64_t(p->pad.left),
                                            std::int64_t(p->pad.bottom), std::int64_t(p->pad.right)});
            graph_builder::attr(n, "ceil_mode", std::int64_t(1));
            x = n.output(0);
        } else if (const auto* f = std::get_if<dense_layer>(&l)) {
            const std::string name = named(f->name, "dense");
            if (!flat) {
                // N x C x H x W -> N x (C*H*W) in that order, as dermtl's dense reads it.
                auto& n = b.node("Flatten", {x}, name + ".flatten");
                graph_builder::attr(n, "axis", std::int64_t(1));
                x = n.output(0);
                flat = true;
            }
            auto& n = b.node("Gemm", {x, tensor(f->name + ".weight", {f->out, f->in}), tensor(f->name + ".bias", {f->out})},
                             name);
            graph_builder::attr(n, "transB", std::int64_t(1));
            x = n.output(0);
        }
    }
    if (!flat) {
        auto& n = b.node("Flatten", {x}, "features.flatten");
        graph_builder::attr(n, "axis", std::int64_t(1));
        x = n.output(0);
    }

    // L2 normalization: x / max(||x||, FLT_MIN); an all-zero row stays zero (svm::l2_normalize_rows).
    auto& norm = b.node("ReduceL2", {x}, "features.norm");
    graph_builder::attr(norm, "axes", std::vector<std::int64_t>{1});
    graph_builder::attr(norm, "keepdims", std::int64_t(1));
    const float tiny = std::numeric_limits<float>::min();
    const std::string safe =
        b.node("Max", {norm.output(0), b.constant("features.norm_floor", {}, &tiny)}, "features.norm_floor_max").output(0);
    const std::string features = b.node("Div", {x, safe}, "features").output(0);

    // The SVM: decision_values = features . W^T + b.
    const std::size_t rows = m.svm_weights.size();
    std::vector<float> w;
    w.reserve(rows * net.features);
    for (const auto& r : m.svm_weights) w.insert(w.end(), r.begin(), r.end());
    auto& svm = b.node("Gemm",
                       {features, b.constant("svm.weight", {rows, net.features}, w),
                        b.constant("svm.bias", {rows}, to_float(m.svm_bias))},
                       "decision_values");
    graph_builder::attr(svm, "transB", std::int64_t(1));

    // Platt: p = 1 / (1 + exp(a f + b)) = sigmoid(-(a f + b)).
    std::vector<double> a, bb;
    for (const auto& p : m.calibration) {
        a.push_back(p.a);
        bb.push_back(p.b);
    }
    std::string t = b.node("Mul", {"decision_values", b.constant("platt.a", {rows}, to_float(a))}, "platt.af").output(0);
    t = b.node("Add", {t, b.constant("platt.b", {rows}, to_float(bb))}, "platt.af_b").output(0);
    t = b.node("Neg", {t}, "platt.neg").output(0);
    const std::size_t k = m.classes.size();
    if (k == 2) {
        const std::string p1 = b.node("Sigmoid", {t}, "platt.p1").output(0);
        const float one = 1.0f;
        const std::string p0 = b.node("Sub", {b.constant("platt.one", {}, &one), p1}, "platt.p0").output(0);
        auto& c = b.node("Concat", {p0, p1}, "probabilities");
        graph_builder::attr(c, "axis", std::int64_t(1));
    } else {
        // Each class's sigmoid divided by their sum (protocol::class_probabilities, as scikit-learn's
        // CalibratedClassifierCV); a sum of 0 gives every class 1 / K.
        const std::string p = b.node("Sigmoid", {t}, "platt.p").output(0);
        const std::int64_t axis = 1;
        auto& reduce = b.node("ReduceSum", {p, b.constant_int64("platt.sum_axes", {1}, &axis)}, "platt.sum");
        graph_builder::attr(reduce, "keepdims", std::int64_t(1));
        const std::string sum = reduce.output(0);
        const float zero = 0.0f, uniform = float(1.0 / double(k));
        const std::string is_zero = b.node("Equal", {sum, b.constant("platt.zero", {}, &zero)}, "platt.sum_is_zero").output(0);
        const std::string safe_sum =
            b.node("Max", {sum, b.constant("platt.sum_floor", {}, &tiny)}, "platt.sum_floor_max").output(0);
        const std::string normalized = b.node("Div", {p, safe_sum}, "platt.normalized").output(0);
        b.node("Where", {is_zero, b.constant("platt.uniform", {}, &uniform), normalized}, "probabilities");
    }

    graph_builder::value_info(g->add_output(), "probabilities", {k},
                              k == 2 ? "[P(" + m.classes[0] + "), P(" + m.classes[1] + ")]: Platt's sigmoid of the SVM"
                                     : "each class's one-vs-rest Platt sigmoid divided by their sum, in label order");
    graph_builder::value_info(g->add_output(), "decision_values", {rows},
                              k == 2 ? "the SVM's decision value, positive for " + m.classes[1]
                                     : "the one-vs-rest SVM decision values, in label order");

    std::string bytes;
    if (!model.SerializeToString(&bytes))
        throw io_error("export-onnx: could not serialize the ONNX model for '" + out.string() +
                       "' (protobuf refused it: over 2 GB?)");
    io::write_file_atomically(out, bytes);
    return {b.nodes(), b.initializers(), bytes.size(), opset};
}

#else

bool onnx_export_available() { return false; }

export_summary write_onnx(const model_description& m, const std::filesystem::path& out) {
    check_model(m);
    throw config_error("export-onnx: this dermtl was built without ONNX export (configure found no libonnx-dev / "
                       "libprotobuf-dev); install them (scripts/setup.sh) and reconfigure to write '" +
                       out.string() + "'");
}

#endif

}  // namespace dermtl::programs::onnx_export
