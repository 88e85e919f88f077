// OpenCV's image codecs, loaded on first use. Debian's libopencv_imgcodecs links GDAL, GDCM,
// poppler and about 130 other libraries: linked the usual way, the dynamic loader maps and
// relocates all of them at the start of every process, about 0.2 s of CPU each time, though
// dermtl decodes JPEG and PNG itself (io/image_decode.hpp) and needs OpenCV's codecs only for
// TIFF, BMP and WebP and for writing files. The dermtl tool and the tests start hundreds of
// processes, so the project's own executables compile this file in (dermtl_project_flags), link
// with --as-needed, and the codec library is loaded (dlopen) the first time one of the four
// functions the project calls runs: cv::imread, cv::imwrite, cv::imdecode, cv::imencode.
//
// The definitions below have OpenCV's own signatures, so they take the place of the library's
// for the code that calls them, and forward to the library's functions, looked up by their
// (Itanium C++ ABI) names. A library that cannot be loaded, or lacks one of them, is a
// cv::Exception naming the library and the function at that call. DERMTL_IMGCODECS_LIBRARY
// names another file to load (a test uses it for the failure path).
//
// A user's own program that includes dermtl's headers links opencv_imgcodecs as usual; this is a
// property of the project's build, not of the library's contract.
#include <dlfcn.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#ifndef DERMTL_IMGCODECS_SONAME
#error "DERMTL_IMGCODECS_SONAME (OpenCV's imgcodecs soname, e.g. \"libopencv_imgcodecs.so.406\") must be defined by the build"
#endif

namespace dermtl::lazy_load {

void* imgcodecs_symbol(const char* function, const char* mangled) {
    static void* const handle = [] {
        const char* other = std::getenv("DERMTL_IMGCODECS_LIBRARY");
        return ::dlopen(other && *other ? other : DERMTL_IMGCODECS_SONAME, RTLD_NOW | RTLD_LOCAL);
    }();
    static const std::string load_error = [] {
        const char* why = handle ? nullptr : ::dlerror();
        return why ? std::string(why) : std::string();
    }();
    const char* other = std::getenv("DERMTL_IMGCODECS_LIBRARY");
    const std::string name = other && *other ? other : DERMTL_IMGCODECS_SONAME;
    if (!handle)
        CV_Error(cv::Error::StsError, std::string("OpenCV's image codecs could not be loaded for ") + function +
                                          ": expected the shared library '" + name + "' (Debian: libopencv-imgcodecs406), found: " +
                                          load_error);
    void* f = ::dlsym(handle, mangled);
    if (!f)
        CV_Error(cv::Error::StsError, std::string("OpenCV's image codecs '") + name + "' have no " + function +
                                          " with the signature this build expects (symbol " + mangled + ")");
    return f;
}

}  // namespace dermtl::lazy_load

namespace cv {

Mat imread(const String& filename, int flags) {
    using fn = Mat (*)(const String&, int);
    static const auto real = reinterpret_cast<fn>(dermtl::lazy_load::imgcodecs_symbol(
        "cv::imread", "_ZN2cv6imreadERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEEi"));
    return real(filename, flags);
}

bool imwrite(const String& filename, InputArray img, const std::vector<int>& params) {
    using fn = bool (*)(const String&, InputArray, const std::vector<int>&);
    static const auto real = reinterpret_cast<fn>(dermtl::lazy_load::imgcodecs_symbol(
        "cv::imwrite",
        "_ZN2cv7imwriteERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEERKNS_11_InputArrayERKSt6vectorIiSaIiEE"));
    return real(filename, img, params);
}

Mat imdecode(InputArray buf, int flags) {
    using fn = Mat (*)(InputArray, int);
    static const auto real =
        reinterpret_cast<fn>(dermtl::lazy_load::imgcodecs_symbol("cv::imdecode", "_ZN2cv8imdecodeERKNS_11_InputArrayEi"));
    return real(buf, flags);
}

bool imencode(const String& ext, InputArray img, std::vector<uchar>& buf, const std::vector<int>& params) {
    using fn = bool (*)(const String&, InputArray, std::vector<uchar>&, const std::vector<int>&);
    static const auto real = reinterpret_cast<fn>(dermtl::lazy_load::imgcodecs_symbol(
        "cv::imencode", "_ZN2cv8imencodeERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEERKNS_11_InputArrayERSt6vectorIhSaIhEERKSB_IiSaIiEE"));
    return real(ext, img, buf, params);
}

}  // namespace cv
