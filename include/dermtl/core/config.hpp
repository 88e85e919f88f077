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
#if defined(DERMTL_SEPARATE_COMPILATION)
#define DERMTL_DECL
#define DERMTL_HEADER_ONLY 0
#else
#define DERMTL_DECL inline
#define DERMTL_HEADER_ONLY 1
#endif
