#pragma once
// Header-only or separately compiled: the one switch (the pattern of Boost.Asio's
// BOOST_ASIO_SEPARATE_COMPILATION and spdlog's SPDLOG_COMPILED_LIB).
//
// By default dermtl is header-only: a program that includes its headers and links nothing from
// dermtl builds and runs. Code that is not a template (decoders, parsers, the CPU kernels that take
// run-time geometry, the SVM, metrics, reports) lives in `impl/*.ipp` files beside the headers that
// declare it; each such header includes its .ipp at its end, and DERMTL_DECL makes the
// definitions `inline`.
//
// With DERMTL_SEPARATE_COMPILATION defined (the CMake targets dermtl::<component>_compiled and
// dermtl::compiled define it for whoever links them; Meson's dermtl-compiled dependency too), the
// headers only declare that code, and it is compiled once, into one library per component
// (libdermtl_nn.a, libdermtl_io.a, libdermtl_protocol.a, libdermtl_report.a, libdermtl_onednn.a).
// A program compiled with the macro that does not link those libraries fails at link time, naming
// the missing symbol: link dermtl::compiled (CMake), or the dermtl-compiled dependency (Meson).
//
// nvcc compiles a header-only .cu file twice: for the host, and for the device (with __CUDA_ARCH__
// defined). The device pass only emits the CUDA backend's kernels, so it takes the
// separately-compiled view of the headers (declarations only) plus the kernels
// (backend/cuda/kernels.hpp includes impl/kernels.ipp there), and the host pass the inline
// definitions as in any header-only unit. The device code is the same byte for byte; parsing
// every .ipp in the device pass as well had taken nvcc's device front end (cicc) to 1.40 GiB for
// benchmarks/bench_cuda.cu (two VGG networks), 0.67 GiB now (docs/performance.md, "Build").
#if defined(DERMTL_SEPARATE_COMPILATION)
#define DERMTL_DECL
#define DERMTL_HEADER_ONLY 0
#define DERMTL_CUDA_DEVICE_PASS 0
#elif defined(__CUDA_ARCH__)
#define DERMTL_DECL
#define DERMTL_HEADER_ONLY 0
#define DERMTL_CUDA_DEVICE_PASS 1
#else
#define DERMTL_DECL inline
#define DERMTL_HEADER_ONLY 1
#define DERMTL_CUDA_DEVICE_PASS 0
#endif
