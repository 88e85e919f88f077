# dermtl's components and what each needs, used by the build and, installed, by dermtlConfig.cmake,
# so a user's find_package(dermtl COMPONENTS ...) resolves exactly the libraries the components
# asked for need, and nothing else:
#
#   component  folders                              needs (beyond the components before it)
#   nn         core/ nn/ backend/cpu/ models/       Eigen 3.4, xtensor, OpenMP
#   io         io/ data/                            OpenCV (core, imgproc, imgcodecs), libjpeg, libpng,
#                                                   matio, zlib, yaml-cpp, nlohmann_json (safetensors headers)
#   protocol   train/ svm/ metrics/ protocol/       Boost (Hana), liblinear, libsvm
#   report     report/                              fmt
#   dermtl     everything (the umbrella dermtl.hpp) -
#   onednn     backend/onednn/ (beside the chain)   nn, oneDNN 2.6 (Debian: libdnnl-dev)
#
# dermtl_find_component_dependencies(<component>) finds one component's own dependencies.
include(CMakeFindDependencyMacro)

macro(dermtl_find_component_dependencies component)
  if("${component}" STREQUAL "nn")
    find_dependency(Eigen3 3.4)
    find_dependency(xtensor)
    find_dependency(OpenMP)
  elseif("${component}" STREQUAL "io")
    find_dependency(OpenCV COMPONENTS core imgproc imgcodecs)
    find_dependency(JPEG)
    find_dependency(PNG)
    find_dependency(ZLIB)
    find_dependency(yaml-cpp)
    find_dependency(nlohmann_json)
    find_dependency(PkgConfig)
    pkg_check_modules(DERMTL_MATIO REQUIRED IMPORTED_TARGET GLOBAL matio)
  elseif("${component}" STREQUAL "protocol")
    find_dependency(Boost 1.74)
    find_path(DERMTL_LIBLINEAR_INCLUDE_DIR linear.h REQUIRED)
    find_library(DERMTL_LIBLINEAR_LIBRARY linear REQUIRED)
    # libsvm (Debian's libsvm-dev: <libsvm/svm.h>, libsvm.so): the reference code's SVC (svm/libsvm_svc.hpp)
    find_path(DERMTL_LIBSVM_INCLUDE_DIR libsvm/svm.h REQUIRED)
    find_library(DERMTL_LIBSVM_LIBRARY svm REQUIRED)
  elseif("${component}" STREQUAL "report")
    find_dependency(fmt)
  elseif("${component}" STREQUAL "onednn")
    find_dependency(dnnl CONFIG)
  endif()
endmacro()

# Components in dependency order; each includes every one before it.
set(DERMTL_COMPONENTS nn io protocol report)

# Links one component's own dependencies to its INTERFACE target.
function(dermtl_link_component_dependencies target component)
  if(component STREQUAL "nn")
    target_link_libraries(${target} INTERFACE Eigen3::Eigen xtensor OpenMP::OpenMP_CXX)
  elseif(component STREQUAL "io")
    # OpenCV's headers warn under C++20/GCC 12: include them as system headers.
    target_include_directories(${target} SYSTEM INTERFACE ${OpenCV_INCLUDE_DIRS})
    # libjpeg and libpng decode JPEG and PNG (io/image.hpp); zlib checks compressed MAT-files.
    target_link_libraries(${target} INTERFACE opencv_core opencv_imgproc opencv_imgcodecs JPEG::JPEG PNG::PNG
      ZLIB::ZLIB yaml-cpp nlohmann_json::nlohmann_json PkgConfig::DERMTL_MATIO)
  elseif(component STREQUAL "protocol")
    target_include_directories(${target} SYSTEM INTERFACE ${DERMTL_LIBLINEAR_INCLUDE_DIR} ${DERMTL_LIBSVM_INCLUDE_DIR})
    target_link_libraries(${target} INTERFACE Boost::headers ${DERMTL_LIBLINEAR_LIBRARY}
      ${DERMTL_LIBSVM_LIBRARY})
  elseif(component STREQUAL "report")
    target_link_libraries(${target} INTERFACE fmt::fmt)
  elseif(component STREQUAL "onednn")
    target_link_libraries(${target} INTERFACE DNNL::dnnl)
  endif()
endfunction()
