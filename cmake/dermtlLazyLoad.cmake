# Libraries loaded on first use (apps/lazy_load/): the project's own executables do not map, at
# start-up, large libraries that most of their runs never call.
#   - OpenCV's image codecs (apps/lazy_load/imgcodecs_lazy.cpp): Debian's libopencv_imgcodecs
#     brings about 130 libraries (GDAL, GDCM, poppler, ...), 0.2 s of CPU at every process start.
#     Its object is compiled into every executable of dermtl_project_flags, whose links use
#     --as-needed, so the library itself drops out of the executables' dependencies.
#   - cuBLAS (apps/lazy_load/cublas_lazy.cpp, target dermtl_cublas_lazy): defined in the CUDA
#     section of CMakeLists.txt, where the toolkit is found, and linked through dermtl::cuda.
# Installed libraries and users' programs are not concerned: they link OpenCV and cuBLAS as usual.
# Needs: the target dermtl_project_flags and OpenCV's imported targets (dermtlDependencies.cmake).
get_target_property(_dermtl_imgcodecs_soname opencv_imgcodecs IMPORTED_SONAME_RELEASE)
if(NOT _dermtl_imgcodecs_soname)
  get_target_property(_dermtl_imgcodecs_soname opencv_imgcodecs IMPORTED_SONAME_NOCONFIG)
endif()
if(_dermtl_imgcodecs_soname)
  add_library(dermtl_imgcodecs_lazy OBJECT ${PROJECT_SOURCE_DIR}/apps/lazy_load/imgcodecs_lazy.cpp)
  target_compile_features(dermtl_imgcodecs_lazy PRIVATE cxx_std_20)
  target_include_directories(dermtl_imgcodecs_lazy SYSTEM PRIVATE ${OpenCV_INCLUDE_DIRS})
  target_compile_definitions(dermtl_imgcodecs_lazy PRIVATE DERMTL_IMGCODECS_SONAME="${_dermtl_imgcodecs_soname}")
  target_compile_options(dermtl_imgcodecs_lazy PRIVATE -Wall -Wextra)
  set_target_properties(dermtl_imgcodecs_lazy PROPERTIES POSITION_INDEPENDENT_CODE ON)
  # The object among each executable's own objects (before any library on the link line), so its
  # definitions are the ones the executable's calls bind to.
  target_sources(dermtl_project_flags INTERFACE $<TARGET_OBJECTS:dermtl_imgcodecs_lazy>)
  target_link_options(dermtl_project_flags INTERFACE "LINKER:--as-needed")
  target_link_libraries(dermtl_project_flags INTERFACE opencv_core ${CMAKE_DL_LIBS})
else()
  message(STATUS "dermtl: OpenCV's imgcodecs has no soname in its CMake config: linked as usual, not lazily")
endif()
