#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "dermtl/core/rng.hpp"
#include "dermtl/core/shape.hpp"

using namespace dermtl;

TEST_CASE("rng: the same seed gives the same sequence, another seed another", "[core][rng]") {
    rng a(42), b(42), c(43);
    for (int i = 0; i < 100; ++i) {
        const auto x = a.next_u64();
        REQUIRE(x == b.next_u64());
        if (i == 0) CHECK(x != c.next_u64());
    }
}

TEST_CASE("rng: state round-trips, including a cached normal", "[core][rng]") {
    rng a(7);
    (void)a.normal();  // leaves a spare normal cached
    rng b(0);
    b.set_state(a.state());
    for (int i = 0; i < 10; ++i) REQUIRE(a.normal() == b.normal());
    CHECK_THROWS_AS(b.set_state("garbage"), io_error);
}

TEST_CASE("rng: uniform and normal have the right moments", "[core][rng]") {
    rng r(1);
    const int n = 200000;
    double su = 0, sn = 0, sn2 = 0;
    for (int i = 0; i < n; ++i) {
        const float u = r.uniform();
        REQUIRE(u >= 0.0f);
        REQUIRE(u < 1.0f);
        su += u;
        const double z = r.normal();
        sn += z;
        sn2 += z * z;
    }
    CHECK(su / n == Approx(0.5).margin(0.005));
    CHECK(sn / n == Approx(0.0).margin(0.01));
    CHECK(sn2 / n == Approx(1.0).margin(0.01));
}

TEST_CASE("rng: below() is unbiased and in range; shuffle is a permutation", "[core][rng]") {
    rng r(3);
    std::vector<int> counts(6, 0);
    for (int i = 0; i < 60000; ++i) counts[r.below(6)]++;
    for (int c : counts) CHECK(c == Approx(10000).margin(400));
    std::vector<int> v(50);
    for (int i = 0; i < 50; ++i) v[i] = i;
    r.shuffle(v.begin(), v.end());
    std::vector<int> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    for (int i = 0; i < 50; ++i) REQUIRE(sorted[i] == i);
    CHECK(v != sorted);
    CHECK_THROWS_AS(r.below(0), config_error);
}

TEST_CASE("window_count follows floor and Caffe's ceil rule", "[core][shape]") {
    // VGG-M at 224: conv1 7/2 -> 109, pool 3/2 ceil -> 54, conv2 5/2 pad 1 -> 26, pool -> 13, pool5 -> 6.
    STATIC_REQUIRE(window_count(224, 7, 2, 0, 0) == 109);
    STATIC_REQUIRE(window_count(109, 3, 2, 0, 0, rounding::ceil) == 54);
    STATIC_REQUIRE(window_count(54, 5, 2, 1, 1) == 26);
    STATIC_REQUIRE(window_count(26, 3, 2, 0, 0, rounding::ceil) == 13);
    STATIC_REQUIRE(window_count(26, 3, 2, 0, 0, rounding::floor) == 12);
    // MatConvNet's newer import pads bottom/right by one and floors: the same 13.
    STATIC_REQUIRE(window_count(26, 3, 2, 0, 1, rounding::floor) == 13);
    STATIC_REQUIRE(window_count(13, 3, 2, 0, 0, rounding::ceil) == 6);
    // Caffe's clip: a window that would start in the padding is dropped.
    STATIC_REQUIRE(window_count(4, 2, 2, 1, 1, rounding::ceil) == 3);
    STATIC_REQUIRE(shape<3, 224, 224>::size == 150528);
}
