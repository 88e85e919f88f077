// Empty: the translation unit of dermtl_test_pch (tests/CMakeLists.txt), the target that compiles
// the tests' precompiled third-party headers (cmake/dermtlPrecompiledHeaders.cmake) for every C++
// test to reuse, so that building one test builds nothing else.
