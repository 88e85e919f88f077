#pragma once
// matconvnet_layer<L>: how one layer kind is read from and written to a MatConvNet simplenn model.
//
// Dispatch: load_matconvnet and save_matconvnet (io/matconvnet.hpp) use matconvnet_layer<L> for
// every layer L of the net, named<"fc7", L> using L's. A layer kind without a specialization does
// not compile, with a message that says where to add one. So a new layer kind that uses existing
// ops touches its header (nn/layers/), its specialization here and its test, nothing else.
//
// A specialization provides (conv2d's is the model):
//   static constexpr bool may_be_absent
//       -- true when deployed files leave the layer out (dropout): a named layer of the net that
//          the file lacks is then skipped, not an error.
//   template <shape_type In, class Backend>
//   static void load(const file_layer& f, std::span<nn::param<Backend>> p)
//       -- Requires: f is the file's layer of the same name; p the layer's parameters (empty for
//          a layer without any); In the layer's input shape.
//          Ensures: f's type and hyper-parameters equal the descriptor's, else f.mismatch(...)
//          (shape_error naming the layer, the expected and the found value); weights are finite,
//          else numeric_error; p then holds f's weights in our layout.
//   template <shape_type In, class Backend>
//   static mat_file::var_ptr save(const std::string& name, std::span<nn::param<Backend>> p)
//       -- Ensures: a 1x1 struct in MatConvNet's newer layout that vl_simplenn runs and `load`
//          reads back to the same values.
//
// Orientation of conv and fully connected weights (proven by tests/io/test_matconvnet.cpp against
// PyTorch, not assumed): filters are H x W x Cin x Cout, column-major, and MatConvNet (like Caffe
// and PyTorch) computes a cross-correlation with H along the image rows. Element (h, w, c, o) sits
// at h + H*(w + W*(c + Cin*o)) and becomes our conv weight [o][c][h][w] (OutC x C x KH x KW). Fully
// connected layers are stored as convolutions whose kernel covers the whole input (VGG-M fc6
// 6x6x512x4096, fc7 1x1x4096x4096): the same element becomes dense weight [o][(c*H + h)*W + w],
// i.e. our NCHW flatten order.
// The per-layer templates only bind a layer's compile-time descriptor; reading, checking and
// building the MAT structs is non-template code taking the descriptor's values
// (matconvnet_detail::*, defined in impl/layers.ipp: compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/core/shape.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/core/type_list.hpp"
#include "dermtl/io/matconvnet/mat_file.hpp"
#include "dermtl/nn/layer.hpp"
#include "dermtl/nn/layers.hpp"

namespace dermtl::io {

// One layer of a simplenn file: its record in `layers` and the arrays it holds, with the message
// prefix of the net layer it is matched to (set by load_matconvnet).
struct file_layer {
    std::string name, type;
    matvar_t* self = nullptr;     // the layer's struct; owned by the file's `layers` variable
    matvar_t* filters = nullptr;  // weights{1} (newer layout) or `filters` (older); null if empty
    matvar_t* biases = nullptr;   // weights{2} or `biases`; null if empty
    std::string where;            // "load_matconvnet: 'f.mat': layer 0 'conv1' (conv2d<...>)"

    DERMTL_DECL shape_error mismatch(const std::string& what, const std::string& expected,
                                     const std::string& found) const;
    // Throws a mismatch unless the file's type is one of `types` (the first is the one we write).
    DERMTL_DECL void expect_type(std::initializer_list<std::string_view> types) const;
};

// The layers of a simplenn model's `layers` variable, in file order. Throws io_error (prefixed by
// `where`) for a DagNN model or a `layers` that is not a cell of structs.
DERMTL_DECL std::vector<file_layer> layers_of(matvar_t* layers, const std::string& where);

// The trait. Its primary template is what a layer kind without MatConvNet support gets.
template <class L>
struct matconvnet_layer {
    static_assert(always_false<L>,
                  "io::matconvnet_layer<L>: this layer kind has no MatConvNet import/export; specialize "
                  "io::matconvnet_layer for it in io/matconvnet/layers.hpp (see conv2d's)");
};

// A named layer reads and writes as the layer it names. (Constrained on named's `unnamed` rather
// than specialized on named<Name, Layer>: nvcc's front end cannot deduce a fixed_string Name.)
template <class L>
    requires requires { typename L::unnamed; }
struct matconvnet_layer<L> : matconvnet_layer<typename L::unnamed> {};

namespace matconvnet_detail {

// MatConvNet's `conv` layer (conv2d, and dense as a convolution covering its whole input): `out`
// filters of kh x kw x channels and `out` biases.
// The filters and biases are there, real, and of shape kh x kw x channels x out (`expected`).
DERMTL_DECL void check_conv_shapes(const file_layer& f, const std::vector<std::size_t>& expected);
// No dilation, finite filters and biases (checked before any weight is read).
DERMTL_DECL void check_conv_values(const file_layer& f);
// w (out x channels x kh x kw, our layout) and b (out) = the file's filters and biases.
DERMTL_DECL void read_conv_weights(const file_layer& f, std::size_t out, std::size_t channels, std::size_t kh,
                                   std::size_t kw, float* w, float* b);
// The `conv` struct of weights w and biases b (our layout) with the given stride and padding.
DERMTL_DECL mat_file::var_ptr conv_struct(const std::string& name, const float* w, const float* b, std::size_t out,
                                          std::size_t channels, std::size_t kh, std::size_t kw, double stride,
                                          std::vector<double> pad);
// A conv layer's stride [s s] and padding [top bottom left right], else a mismatch.
DERMTL_DECL void check_conv_geometry(const file_layer& f, double stride, const std::vector<double>& pad);
// A fully connected layer's padding [0 0 0 0], else a mismatch.
DERMTL_DECL void check_dense_padding(const file_layer& f);

// `lrn` (or `normalize`) with param [N kappa alpha beta] close to `param`, else a mismatch; the
// struct that writes it.
DERMTL_DECL void check_lrn(const file_layer& f, const std::vector<double>& param);
DERMTL_DECL mat_file::var_ptr lrn_struct(const std::string& name, std::vector<double> param);

// `pool` with method 'max', window k x k, stride [s s], padding top/left as ours and a padding
// bottom/right that gives our output size; the struct that writes it (padding bottom/right just
// enough for our size).
DERMTL_DECL void check_max_pool(const file_layer& f, std::size_t k, std::size_t stride, padding pad,
                                std::size_t in_height, std::size_t in_width, std::size_t out_height,
                                std::size_t out_width);
DERMTL_DECL mat_file::var_ptr max_pool_struct(const std::string& name, std::size_t k, std::size_t stride, padding pad,
                                              std::size_t in_height, std::size_t in_width, std::size_t out_height,
                                              std::size_t out_width);

// `relu` with leak 0; the struct that writes it.
DERMTL_DECL void check_relu(const file_layer& f);
DERMTL_DECL mat_file::var_ptr relu_struct(const std::string& name);

// The `dropout` struct of the given rate.
DERMTL_DECL mat_file::var_ptr dropout_struct(const std::string& name, double rate);

// A conv layer of OutC filters of KH x KW x C, read into and written from a layer's parameters.
template <std::size_t OutC, std::size_t KH, std::size_t KW, std::size_t C>
struct conv_weights {
    // The filters and biases are there, real, and of our shapes.
    static void check_shapes(const file_layer& f) { check_conv_shapes(f, {KH, KW, C, OutC}); }

    // No dilation, finite values; then p[0], p[1] = the file's filters and biases in our layout.
    template <class Backend>
    static void read(const file_layer& f, std::span<nn::param<Backend>> p) {
        using ops = backend::ops<Backend>;
        check_conv_values(f);
        host_tensor w(ops::dims(p[0].value));
        host_tensor b(ops::dims(p[1].value));
        read_conv_weights(f, OutC, C, KH, KW, w.data(), b.data());
        p[0].value = ops::from_host(w);
        p[1].value = ops::from_host(b);
    }

    template <class Backend>
    static mat_file::var_ptr save(const std::string& name, std::span<nn::param<Backend>> p, double stride,
                                  std::vector<double> pad) {
        using ops = backend::ops<Backend>;
        const host_tensor w = ops::to_host(p[0].value);
        const host_tensor b = ops::to_host(p[1].value);
        return conv_struct(name, w.data(), b.data(), OutC, C, KH, KW, stride, std::move(pad));
    }
};

inline std::vector<double> pad_list(padding p) {
    return {double(p.top), double(p.bottom), double(p.left), double(p.right)};
}

}  // namespace matconvnet_detail

// conv2d: MatConvNet `conv` with its stride and [top bottom left right] padding.
template <std::size_t OutC, std::size_t K, std::size_t Stride, padding Pad>
struct matconvnet_layer<nn::conv2d<OutC, K, Stride, Pad>> {
    static constexpr bool may_be_absent = false;
    template <std::size_t C>
    using weights = matconvnet_detail::conv_weights<OutC, K, K, C>;

    template <shape_type In, class Backend>
    static void load(const file_layer& f, std::span<nn::param<Backend>> p) {
        f.expect_type({"conv"});
        weights<In::channels>::check_shapes(f);
        matconvnet_detail::check_conv_geometry(f, double(Stride), matconvnet_detail::pad_list(Pad));
        weights<In::channels>::read(f, p);
    }
    template <shape_type In, class Backend>
    static mat_file::var_ptr save(const std::string& name, std::span<nn::param<Backend>> p) {
        return weights<In::channels>::save(name, p, double(Stride), matconvnet_detail::pad_list(Pad));
    }
};

// dense: MatConvNet `conv` whose kernel is the whole input (stride irrelevant, no padding).
template <std::size_t Out>
struct matconvnet_layer<nn::dense<Out>> {
    static constexpr bool may_be_absent = false;
    template <shape_type In>
    using weights = matconvnet_detail::conv_weights<Out, In::height, In::width, In::channels>;

    template <shape_type In, class Backend>
    static void load(const file_layer& f, std::span<nn::param<Backend>> p) {
        f.expect_type({"conv"});
        weights<In>::check_shapes(f);
        matconvnet_detail::check_dense_padding(f);
        weights<In>::read(f, p);
    }
    template <shape_type In, class Backend>
    static mat_file::var_ptr save(const std::string& name, std::span<nn::param<Backend>> p) {
        return weights<In>::save(name, p, 1.0, {0, 0, 0, 0});
    }
};

// lrn: MatConvNet `lrn` (`normalize` in 2014 files) with param [N kappa alpha beta], alpha not
// divided by N in either (see nn/layers/lrn.hpp).
template <std::size_t Size, float Kappa, float Alpha, float Beta>
struct matconvnet_layer<nn::lrn<Size, Kappa, Alpha, Beta>> {
    static constexpr bool may_be_absent = false;
    static std::vector<double> file_param() { return {double(Size), double(Kappa), double(Alpha), double(Beta)}; }

    template <shape_type In, class Backend>
    static void load(const file_layer& f, std::span<nn::param<Backend>>) {
        matconvnet_detail::check_lrn(f, file_param());
    }
    template <shape_type In, class Backend>
    static mat_file::var_ptr save(const std::string& name, std::span<nn::param<Backend>>) {
        return matconvnet_detail::lrn_struct(name, file_param());
    }
};

// max_pool: MatConvNet `pool` with method 'max'. MatConvNet rounds down after padding and we
// round up (Round = ceil), so files pad bottom/right to reach our size (newer ones [0 1 0 1]; the
// 2014 import did not need to): import checks the size the file's padding gives, export pads
// bottom/right just enough.
template <std::size_t K, std::size_t Stride, padding Pad, rounding Round>
struct matconvnet_layer<nn::max_pool<K, Stride, Pad, Round>> {
    static constexpr bool may_be_absent = false;

    template <shape_type In, class Backend>
    static void load(const file_layer& f, std::span<nn::param<Backend>>) {
        using Out = typename nn::max_pool<K, Stride, Pad, Round>::template output_shape<In>;
        matconvnet_detail::check_max_pool(f, K, Stride, Pad, In::height, In::width, Out::height, Out::width);
    }
    template <shape_type In, class Backend>
    static mat_file::var_ptr save(const std::string& name, std::span<nn::param<Backend>>) {
        using Out = typename nn::max_pool<K, Stride, Pad, Round>::template output_shape<In>;
        return matconvnet_detail::max_pool_struct(name, K, Stride, Pad, In::height, In::width, Out::height,
                                                  Out::width);
    }
};

// relu: MatConvNet `relu` with leak 0.
template <>
struct matconvnet_layer<nn::relu> {
    static constexpr bool may_be_absent = false;

    template <shape_type In, class Backend>
    static void load(const file_layer& f, std::span<nn::param<Backend>>) {
        matconvnet_detail::check_relu(f);
    }
    template <shape_type In, class Backend>
    static mat_file::var_ptr save(const std::string& name, std::span<nn::param<Backend>>) {
        return matconvnet_detail::relu_struct(name);
    }
};

// dropout: MatConvNet `dropout` with its rate; deployed files drop these layers, so a missing
// one is fine. The rate is not checked on import (it only matters for training).
template <std::size_t Percent>
struct matconvnet_layer<nn::dropout<Percent>> {
    static constexpr bool may_be_absent = true;

    template <shape_type In, class Backend>
    static void load(const file_layer& f, std::span<nn::param<Backend>>) {
        f.expect_type({"dropout"});
    }
    template <shape_type In, class Backend>
    static mat_file::var_ptr save(const std::string& name, std::span<nn::param<Backend>>) {
        return matconvnet_detail::dropout_struct(name, double(nn::dropout<Percent>::rate));
    }
};

}  // namespace dermtl::io

#if DERMTL_HEADER_ONLY
#include "dermtl/io/matconvnet/impl/layers.ipp"
#endif
