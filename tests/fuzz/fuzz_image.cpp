// libFuzzer target: image decoding (io/image.hpp) as a manifest's image reaches the network:
// read_image (completeness checks, decode, channel and depth conversion, RGB), then the black-frame
// crop and the resize of load_preprocessed. The bytes are written to a file (read_image takes a
// path), so whatever checks the readers make before decoding (header pixel cap, minimum side,
// decoder warnings as errors) are fuzzed with them.
#include <cstddef>
#include <cstdint>

#include <opencv2/core.hpp>

#include "dermtl/io/image.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    cv::setNumThreads(1);  // one thread: reproducible runs, and libFuzzer's RSS limit applies to one decode
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dermtl;
    const auto file = fuzz::write_input("image.jpg", data, size);
    fuzz::expect_only_dermtl_errors("fuzz_image", "io::load_preprocessed", [&] {
        io::preprocess_options opt;
        opt.width = opt.height = 16;
        const cv::Mat img = io::load_preprocessed(file, opt, "fuzz.csv:2");
        if (img.rows != 16 || img.cols != 16 || img.type() != CV_8UC3) {
            std::fprintf(stderr, "\nfuzz finding: fuzz_image: load_preprocessed gave %dx%d type %d, not 16x16 CV_8UC3\n",
                         img.cols, img.rows, img.type());
            std::abort();
        }
    });
    return 0;
}
