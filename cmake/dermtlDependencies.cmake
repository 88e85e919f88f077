# Finds dermtl's dependencies and links them to a target. Used by the build and, installed, by
# dermtlConfig.cmake, so a user's find_package(dermtl) resolves exactly the same libraries.
include(CMakeFindDependencyMacro)
find_dependency(Eigen3 3.4)
find_dependency(xtensor)
find_dependency(Boost 1.74)
find_dependency(OpenMP)
find_dependency(OpenCV COMPONENTS core imgproc imgcodecs)
find_dependency(yaml-cpp)
find_dependency(nlohmann_json)
find_dependency(fmt)
find_dependency(CLI11)
find_dependency(PkgConfig)
pkg_check_modules(DERMTL_MATIO REQUIRED IMPORTED_TARGET matio)
find_path(DERMTL_LIBLINEAR_INCLUDE_DIR linear.h REQUIRED)
find_library(DERMTL_LIBLINEAR_LIBRARY linear REQUIRED)

function(dermtl_link_dependencies target)
  # OpenCV's and Eigen's headers warn under C++20/GCC 12: include them as system headers.
  target_include_directories(${target} SYSTEM INTERFACE ${OpenCV_INCLUDE_DIRS} ${DERMTL_LIBLINEAR_INCLUDE_DIR})
  target_link_libraries(${target} INTERFACE
    Eigen3::Eigen xtensor Boost::headers OpenMP::OpenMP_CXX
    opencv_core opencv_imgproc opencv_imgcodecs
    yaml-cpp nlohmann_json::nlohmann_json fmt::fmt CLI11::CLI11
    PkgConfig::DERMTL_MATIO ${DERMTL_LIBLINEAR_LIBRARY})
endfunction()
