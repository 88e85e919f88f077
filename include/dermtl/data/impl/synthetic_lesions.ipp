// Definitions of data/synthetic_lesions.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/data/synthetic_lesions.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "dermtl/data/synthetic_canvas.hpp"

namespace dermtl::data {

namespace detail {

DERMTL_DECL float overlap_of(difficulty d) {
    switch (d) {
        case difficulty::medium: return 0.4f;
        case difficulty::high: return 0.7f;
        default: return 0.1f;
    }
}

DERMTL_DECL diagnosis draw_benign_kind(rng& r) {
    struct w {
        diagnosis d;
        float weight;
    };
    static constexpr std::array<w, 12> kinds = {{{diagnosis::clark_nevus, 0.45f}, {diagnosis::reed_or_spitz_nevus, 0.09f},
                                                  {diagnosis::seborrheic_keratosis, 0.07f}, {diagnosis::dermal_nevus, 0.05f},
                                                  {diagnosis::blue_nevus, 0.04f}, {diagnosis::lentigo, 0.04f},
                                                  {diagnosis::vascular_lesion, 0.04f}, {diagnosis::dermatofibroma, 0.04f},
                                                  {diagnosis::congenital_nevus, 0.03f}, {diagnosis::melanosis, 0.03f},
                                                  {diagnosis::combined_nevus, 0.01f}, {diagnosis::recurrent_nevus, 0.01f}}};
    float total = 0;
    for (const auto& k : kinds) total += k.weight;
    float u = r.uniform() * total;
    for (const auto& k : kinds) {
        if (u < k.weight) return k.d;
        u -= k.weight;
    }
    return diagnosis::clark_nevus;
}

}  // namespace detail

namespace detail {

// The salt of the age stream: rng(seed ^ salt), independent of the images' rng(seed).
inline constexpr std::uint64_t patient_stream_salt = 0x9e3779b97f4a7c15ULL;

// A patient's age in whole years as meta.csv writes it, or blank (unknown) for 3% of lesions:
// older for malignant lesions (mean 60 against 45, sd 15), within [18, 90], so that an age
// subgroup differs in its class balance as real data does.
DERMTL_DECL std::string draw_age(const lesion_spec& spec, rng& r) {
    const bool unknown = r.uniform_double() < 0.03;
    const double mean = is_malignant(spec.dx) ? 60.0 : 45.0;
    const double age = std::clamp(std::round(mean + 15.0 * r.normal()), 18.0, 90.0);
    return unknown ? std::string() : std::to_string(static_cast<int>(age));
}

}  // namespace detail

DERMTL_DECL lesion_spec draw_lesion_spec(const synthetic_lesion_options& o, rng& r) {
    lesion_spec s;
    const float u = r.uniform();
    if (u < o.melanoma_fraction) {
        static constexpr std::array<diagnosis, 5> subtypes = {
            diagnosis::melanoma_in_situ, diagnosis::melanoma_less_than_0_76_mm, diagnosis::melanoma_0_76_to_1_5_mm,
            diagnosis::melanoma_more_than_1_5_mm, diagnosis::melanoma};
        s.dx = subtypes[r.below(subtypes.size())];
    } else if (u < o.melanoma_fraction + o.bcc_fraction) {
        s.dx = diagnosis::basal_cell_carcinoma;
    } else {
        s.dx = detail::draw_benign_kind(r);
    }
    if (o.only_difficulty) s.level = *o.only_difficulty;
    else {
        const double t = r.uniform_double() * (o.difficulty_mix[0] + o.difficulty_mix[1] + o.difficulty_mix[2]);
        s.level = t < o.difficulty_mix[0] ? difficulty::low : t < o.difficulty_mix[0] + o.difficulty_mix[1] ? difficulty::medium : difficulty::high;
    }
    const float ov = detail::overlap_of(s.level);
    float base = is_melanoma(s.dx) ? 0.8f : 0.15f;
    if (s.dx == diagnosis::melanoma_in_situ) base -= 0.08f;
    if (s.dx == diagnosis::melanoma_more_than_1_5_mm) base += 0.08f;
    if (s.dx == diagnosis::reed_or_spitz_nevus || s.dx == diagnosis::combined_nevus) base += 0.12f;  // mimics
    if (s.dx == diagnosis::basal_cell_carcinoma) base = 0.3f;
    s.atypia = synth::clamp01(base + (0.47f - base) * ov + 0.12f * static_cast<float>(r.normal()));
    if (s.dx == diagnosis::basal_cell_carcinoma)
        s.bcc_cues = synth::clamp01(0.9f - 0.6f * ov + 0.1f * static_cast<float>(r.normal()));
    s.frame = r.uniform_double() < o.frame_probability;
    s.hair = r.uniform_double() < o.hair_probability;
    return s;
}

// Renders one lesion as an RGB uint8 image of size x size.
DERMTL_DECL cv::Mat render_lesion(const lesion_spec& spec, int size, rng& r) {
    using namespace synth;
    const int S = size;
    const float Sf = static_cast<float>(S), a = spec.atypia;
    const bool mel_like = spec.dx != diagnosis::basal_cell_carcinoma && spec.dx != diagnosis::vascular_lesion &&
                          spec.dx != diagnosis::blue_nevus && spec.dx != diagnosis::seborrheic_keratosis &&
                          spec.dx != diagnosis::dermatofibroma;
    // Skin.
    const float sr = r.uniform(0.78f, 0.95f), sg = sr * r.uniform(0.68f, 0.80f), sb = sg * r.uniform(0.78f, 0.92f);
    const cv::Vec3f skin(sr, sg, sb);
    cv::Mat canvas(S, S, CV_32FC3);
    const cv::Mat skin_noise = smooth_noise(S, S, Sf / 4, r), fine = smooth_noise(S, S, 1.5f, r);
    for (int y = 0; y < S; ++y)
        for (int x = 0; x < S; ++x)
            canvas.at<cv::Vec3f>(y, x) = skin * (1 + 0.03f * skin_noise.at<float>(y, x) + 0.012f * fine.at<float>(y, x));

    // Shape: centre, radius, border harmonics, elongation, asymmetry direction.
    const cv::Point2f c(Sf / 2 + r.uniform(-0.06f, 0.06f) * Sf, Sf / 2 + r.uniform(-0.06f, 0.06f) * Sf);
    const float R = Sf * r.uniform(0.2f, 0.33f) * (1 + 0.08f * a);
    const float irregular = 0.02f + 0.2f * synth::clamp01(a + 0.08f * static_cast<float>(r.normal()));
    std::array<float, 8> amp{}, phase{};
    for (int k = 2; k < 8; ++k) {
        amp[static_cast<std::size_t>(k)] = irregular * static_cast<float>(r.normal()) / std::pow(static_cast<float>(k), 0.7f);
        phase[static_cast<std::size_t>(k)] = r.uniform(0, 2 * std::numbers::pi_v<float>);
    }
    const float elong = 1 + r.uniform(0.0f, 0.15f) + 0.25f * a * r.uniform(0.3f, 1.0f);
    const float psi = r.uniform(0, std::numbers::pi_v<float>), asym_dir = r.uniform(0, 2 * std::numbers::pi_v<float>);
    const float asym = 0.45f * a * r.uniform(0.5f, 1.0f);
    const float edge = Sf * (0.012f + 0.045f * (1 - a));

    // Colour fields.
    const float tone = r.uniform(0.15f, 0.65f);
    auto brown = [](float d) { return cv::Vec3f(0.62f - 0.45f * d, 0.42f - 0.32f * d, 0.30f - 0.22f * d); };
    const cv::Mat n1 = smooth_noise(S, S, Sf / 8, r), n2 = smooth_noise(S, S, Sf / 7, r), n3 = smooth_noise(S, S, Sf / 6, r),
                  n4 = smooth_noise(S, S, Sf / 6, r), nx = smooth_noise(S, S, Sf / 10, r), ny = smooth_noise(S, S, Sf / 10, r),
                  nbreak = smooth_noise(S, S, Sf / 9, r);
    const float period = std::max(3.5f, Sf * r.uniform(0.045f, 0.06f));
    const float net_angle = r.uniform(0, std::numbers::pi_v<float> / 2);
    const float net_cos = std::cos(net_angle), net_sin = std::sin(net_angle);
    const float warp = Sf * 0.02f * (0.3f + 2.2f * a);
    const bool has_network = mel_like && spec.dx != diagnosis::lentigo && spec.dx != diagnosis::melanosis;
    const float net_contrast = has_network ? r.uniform(0.15f, 0.3f) : 0.0f;
    cv::Vec3f kind_colour = brown(tone);
    if (spec.dx == diagnosis::blue_nevus) kind_colour = cv::Vec3f(0.28f, 0.33f, 0.48f) * r.uniform(0.8f, 1.2f);
    if (spec.dx == diagnosis::lentigo || spec.dx == diagnosis::melanosis) kind_colour = brown(tone * 0.5f);
    if (spec.dx == diagnosis::seborrheic_keratosis) kind_colour = brown(tone * 0.8f + 0.1f) * 1.05f;
    if (spec.dx == diagnosis::vascular_lesion) kind_colour = cv::Vec3f(0.62f, 0.2f, 0.26f);
    if (spec.dx == diagnosis::dermatofibroma) kind_colour = brown(tone * 0.6f);
    const cv::Vec3f pink = mix(skin, cv::Vec3f(0.88f, 0.55f, 0.58f), 0.7f);

    cv::Mat mask(S, S, CV_32F);
    for (int y = 0; y < S; ++y)
        for (int x = 0; x < S; ++x) {
            const float dx = x + 0.5f - c.x, dy = y + 0.5f - c.y;
            const float rx = (dx * std::cos(psi) + dy * std::sin(psi)) / std::sqrt(elong);
            const float ry = (-dx * std::sin(psi) + dy * std::cos(psi)) * std::sqrt(elong);
            const float rho = std::hypot(rx, ry), theta = std::atan2(ry, rx);
            float b = 1;
            for (int k = 2; k < 8; ++k) b += amp[static_cast<std::size_t>(k)] * std::cos(k * theta + phase[static_cast<std::size_t>(k)]);
            b *= R;
            const float m = clamp01((b - rho) / edge + 0.5f);
            mask.at<float>(y, x) = m;
            if (m <= 0) continue;
            const float t = std::min(1.0f, rho / std::max(1.0f, b));  // 0 centre .. 1 border
            const float g = (dx * std::cos(asym_dir) + dy * std::sin(asym_dir)) / R;  // asymmetry gradient
            cv::Vec3f col;
            if (spec.dx == diagnosis::basal_cell_carcinoma) {
                col = mix(pink, brown(tone), 0.35f * (1 - spec.bcc_cues) + 0.1f * n1.at<float>(y, x));
            } else {
                // Symmetric radial darkening for benign, skewed and blotchy for atypical lesions.
                const float dark = tone + 0.12f * (1 - t) * (1 - a) + asym * g + 0.16f * a * n1.at<float>(y, x) +
                                   0.03f * n2.at<float>(y, x);
                col = spec.dx == diagnosis::blue_nevus || spec.dx == diagnosis::vascular_lesion
                          ? kind_colour * (1 + 0.06f * n1.at<float>(y, x))
                          : mix(kind_colour, brown(std::clamp(dark, 0.0f, 1.0f)), mel_like ? 1.0f : 0.5f);
                // Variegation: black, blue-white veil, regression (white), red areas.
                const float v = a * a;
                col = mix(col, cv::Vec3f(0.1f, 0.07f, 0.07f), 0.85f * clamp01((n2.at<float>(y, x) - (2.6f - 2.2f * v)) * 2));
                col = mix(col, cv::Vec3f(0.45f, 0.52f, 0.64f), 0.65f * clamp01((n3.at<float>(y, x) - (2.8f - 2.4f * v)) * 2));
                col = mix(col, cv::Vec3f(0.88f, 0.82f, 0.8f), 0.55f * clamp01((n4.at<float>(y, x) - (3.0f - 2.4f * v)) * 2));
                col = mix(col, cv::Vec3f(0.72f, 0.3f, 0.3f), 0.4f * clamp01((-n3.at<float>(y, x) - (3.0f - 2.2f * v)) * 2));
                if (spec.dx == diagnosis::dermatofibroma) col = mix(col, cv::Vec3f(0.9f, 0.86f, 0.82f), clamp01(1 - 2.2f * t));
                if (spec.dx == diagnosis::reed_or_spitz_nevus) col = mix(col, brown(0.9f), clamp01(1 - 1.6f * t));
            }
            // Pigment network: regular mesh for nevi, warped and broken for atypical lesions.
            if (net_contrast > 0) {
                const float xr = x * net_cos + y * net_sin, yr = -x * net_sin + y * net_cos;
                const float u = (xr + warp * nx.at<float>(y, x)) / period, w = (yr + warp * ny.at<float>(y, x)) / period;
                const float su = std::sin(std::numbers::pi_v<float> * u), sw = std::sin(std::numbers::pi_v<float> * w);
                const float line = std::max(std::exp(-su * su / 0.12f), std::exp(-sw * sw / 0.12f));
                const float present = (1 - a * clamp01(nbreak.at<float>(y, x) + 0.2f)) * (0.4f + 0.6f * t);
                col *= 1 - net_contrast * line * present;
            }
            auto& p = canvas.at<cv::Vec3f>(y, x);
            p = mix(p, col, 0.96f * m);
        }

    // Dots and globules.
    const bool globules = mel_like && spec.dx != diagnosis::lentigo && spec.dx != diagnosis::melanosis;
    if (globules) {
        const int n = static_cast<int>(3 + 10 * r.uniform() + 22 * a * r.uniform(0.5f, 1.0f));
        for (int i = 0; i < n; ++i) {
            const float ang_regular = 2 * std::numbers::pi_v<float> * i / n;
            const float ang = (1 - a) * ang_regular + a * (asym_dir + r.uniform(-1.6f, 1.6f));
            const float rad = R * ((1 - a) * r.uniform(0.2f, 0.55f) + a * r.uniform(0.5f, 1.15f));
            const float size_px = Sf * ((1 - a) * 0.013f + a * r.uniform(0.005f, 0.03f));
            const cv::Vec3f dot = a > 0.5f && r.below(3) == 0 ? cv::Vec3f(0.35f, 0.38f, 0.5f) : brown(std::min(1.0f, tone + 0.35f));
            blot(canvas, c + cv::Point2f(rad * std::cos(ang), rad * std::sin(ang)), std::max(0.7f, size_px), dot, 0.85f);
        }
    }
    if (spec.dx == diagnosis::seborrheic_keratosis) {  // milia-like cysts and comedo-like openings
        for (int i = 0, n = 4 + static_cast<int>(r.below(8)); i < n; ++i) {
            const float ang = r.uniform(0, 6.3f), rad = R * r.uniform(0, 0.8f);
            const bool milia = r.below(2) == 0;
            blot(canvas, c + cv::Point2f(rad * std::cos(ang), rad * std::sin(ang)), std::max(0.8f, Sf * 0.012f),
                 milia ? cv::Vec3f(0.93f, 0.9f, 0.82f) : cv::Vec3f(0.2f, 0.14f, 0.1f), 0.8f);
        }
    }
    if (spec.dx == diagnosis::vascular_lesion) {  // red-blue lacunae
        for (int i = 0, n = 5 + static_cast<int>(r.below(6)); i < n; ++i) {
            const float ang = r.uniform(0, 6.3f), rad = R * r.uniform(0, 0.75f);
            blot(canvas, c + cv::Point2f(rad * std::cos(ang), rad * std::sin(ang)), Sf * r.uniform(0.02f, 0.04f),
                 cv::Vec3f(0.5f, 0.08f, 0.18f), 0.8f);
        }
    }
    if (spec.dx == diagnosis::basal_cell_carcinoma) {
        cv::Mat cover = cv::Mat::zeros(S, S, CV_32F);
        const int trees = 1 + static_cast<int>(std::lround(5 * spec.bcc_cues * r.uniform(0.6f, 1.0f)));
        for (int i = 0; i < trees; ++i) {
            const float ang = r.uniform(0, 6.3f), rad = R * r.uniform(0, 0.6f);
            vessel_tree(cover, c + cv::Point2f(rad * std::cos(ang), rad * std::sin(ang)), r.uniform(0, 6.3f), R * r.uniform(0.6f, 1.2f),
                        std::max(1.0f, Sf / 80), 3, 0.35f, r, &mask);
        }
        paint(canvas, cover, cv::Vec3f(0.78f, 0.1f, 0.16f), 0.55f + 0.35f * spec.bcc_cues);
        for (int i = 0, n = static_cast<int>(r.below(4)); i < n; ++i) {  // blue-grey ovoid nests
            const float ang = r.uniform(0, 6.3f), rad = R * r.uniform(0.1f, 0.8f);
            blot(canvas, c + cv::Point2f(rad * std::cos(ang), rad * std::sin(ang)), Sf * r.uniform(0.015f, 0.035f),
                 cv::Vec3f(0.4f, 0.44f, 0.55f), 0.7f);
        }
        if (r.uniform() < 0.3f) blot(canvas, c, R * 0.25f, cv::Vec3f(0.45f, 0.15f, 0.12f), 0.75f);  // ulceration
    }

    // Artefacts.
    if (spec.hair) draw_hairs(canvas, 2 + static_cast<int>(r.below(7)), r);
    vignette(canvas, r.uniform(0.0f, 0.5f), r.uniform(-0.1f, 0.1f), r.uniform(-0.1f, 0.1f));
    lighting_and_noise(canvas, r, 0.18f, 0.05f, 0.012f);
    if (spec.frame) {
        const int t = static_cast<int>(Sf * r.uniform(0.04f, 0.09f)), b = static_cast<int>(Sf * r.uniform(0.04f, 0.09f));
        const int l = static_cast<int>(Sf * r.uniform(0.03f, 0.08f)), rr = static_cast<int>(Sf * r.uniform(0.03f, 0.08f));
        const float black = r.uniform(0.0f, 0.04f);
        for (int y = 0; y < S; ++y)
            for (int x = 0; x < S; ++x)
                if (y < t || y >= S - b || x < l || x >= S - rr) canvas.at<cv::Vec3f>(y, x) = cv::Vec3f(black, black, black);
    }
    return to_rgb8(canvas);
}

// Writes the dataset (images + derm7pt meta.csv) under `root` and loads it back with load_atlas.
// Requires: size >= 32, count >= 1; root absent, empty, or generated before with the same
// options (then it is only loaded). Ensures: the same options give byte-identical files.
DERMTL_DECL dataset generate_lesions(const std::filesystem::path& root, const synthetic_lesion_options& o) {
    if (o.size < 32) throw config_error("generate_lesions: size must be >= 32, got " + std::to_string(o.size));
    if (o.count == 0) throw config_error("generate_lesions: count must be >= 1");
    const auto release = root / "release_v0";
    atlas_options ao;
    ao.task = o.task;
    const std::string signature = "lesions size=" + std::to_string(o.size) + " count=" + std::to_string(o.count) +
        " melanoma=" + std::to_string(o.melanoma_fraction) + " bcc=" + std::to_string(o.bcc_fraction) + " difficulty=" +
        std::to_string(o.difficulty_mix[0]) + "," + std::to_string(o.difficulty_mix[1]) + "," + std::to_string(o.difficulty_mix[2]) +
        " only=" + (o.only_difficulty ? std::string(to_string(*o.only_difficulty)) : "mix") + " frame=" +
        std::to_string(o.frame_probability) + " hair=" + std::to_string(o.hair_probability) + " acral=" +
        std::to_string(o.acral_fraction) + " jpeg=" + std::to_string(o.jpeg_quality) + " seed=" + std::to_string(o.seed);
    if (synth::synthetic_root_ready(root, signature)) return load_atlas(release / "meta" / "meta.csv", ao);
    std::filesystem::create_directories(release / "meta");
    std::filesystem::create_directories(release / "images" / "Syn");
    rng master(o.seed);
    std::vector<std::vector<std::string>> rows{{"case_num", "diagnosis", "seven_point_score", "pigment_network", "streaks",
                                                "pigmentation", "regression_structures", "dots_and_globules",
                                                "blue_whitish_veil", "vascular_structures", "level_of_diagnostic_difficulty",
                                                "elevation", "location", "sex", "management", "clinic", "derm", "case_id", "notes", "age"}};
    // Age comes from its own stream, seeded from the seed, so that drawing it leaves `master`'s
    // draws, and with them every image, location and sex, as they were before ages existed.
    rng patients(o.seed ^ detail::patient_stream_salt);
    static constexpr std::array<const char*, 7> locations = {"back", "abdomen", "chest", "upper limbs", "lower limbs", "head neck", "buttocks"};
    for (std::size_t i = 0; i < o.count; ++i) {
        const lesion_spec spec = draw_lesion_spec(o, master);
        rng image_rng(master.next_u64());
        const cv::Mat img = render_lesion(spec, o.size, image_rng);
        char name[32];
        std::snprintf(name, sizeof name, "Syn%04zu", i + 1);
        io::write_image(release / "images" / "Syn" / (std::string(name) + ".jpg"), img, o.jpeg_quality);
        const bool atypical = spec.atypia > 0.5f;
        const int score = (atypical ? 2 : 0) + (spec.atypia > 0.6f ? 2 : 0) + (spec.atypia > 0.7f ? 1 : 0);
        const std::string location = master.uniform_double() < o.acral_fraction ? "acral" : locations[master.below(locations.size())];
        rows.push_back({std::to_string(i + 1), std::string(to_string(spec.dx)), std::to_string(score),
                        atypical ? "atypical" : "typical", atypical ? "irregular" : "absent",
                        atypical ? "irregular" : "regular", spec.atypia > 0.65f ? "blue areas" : "absent",
                        atypical ? "irregular" : "regular", spec.atypia > 0.6f ? "present" : "absent",
                        spec.bcc_cues > 0.3f ? "arborizing" : "absent", std::string(to_string(spec.level)), "flat", location,
                        master.below(2) ? "female" : "male", is_malignant(spec.dx) ? "excision" : "clinical follow up", "",
                        std::string("Syn/") + name + ".jpg", io::lower(name),
                        "synthetic (dermtl seed " + std::to_string(o.seed) + (spec.frame ? ", framed" : "") + ")",
                        detail::draw_age(spec, patients)});
    }
    io::write_csv(release / "meta" / "meta.csv", rows);
    synth::mark_synthetic_root(root, signature);
    return load_atlas(release / "meta" / "meta.csv", ao);
}

}  // namespace dermtl::data
