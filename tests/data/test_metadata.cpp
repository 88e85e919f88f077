// Metadata columns for subgroups (issue 26): HAM10000's age, sex and localization and a manifest's
// named columns reach sample::metadata as written; the Atlas's difficulty, location and sex are
// columns; an unknown column is refused with the list of those that exist; the synthetic lesions
// gain an age from a stream of their own, leaving every image byte-identical to a generation
// without it.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "data_test_files.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/data/atlas.hpp"
#include "dermtl/data/manifest.hpp"
#include "dermtl/data/metadata.hpp"
#include "dermtl/data/synthetic_lesions.hpp"
#include "dermtl/io/csv.hpp"
#include "dermtl/io/image.hpp"
#include "ham10000_files.hpp"
#include "support/oracle.hpp"

using namespace dermtl;

namespace {

std::string file_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("metadata: HAM10000's age, sex and localization, as written in the file", "[data][metadata][ham10000]") {
    testing::scratch_dir dir("metadata-ham");
    testing::write_ham10000(dir.path());
    const auto d = data::load_manifest(dir / "HAM10000_metadata.csv", dir.path(), data::ham10000_manifest());
    CHECK(data::metadata_columns(d) == std::vector<std::string>{"age", "localization", "location", "sex"});
    // The oracle: the file's own rows, read here line by line (not through dermtl's CSV reader).
    std::ifstream in(dir / "HAM10000_metadata.csv");
    std::string line;
    std::getline(in, line);
    std::map<std::string, std::vector<std::string>> by_id;  // image_id -> age, sex, localization
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::size_t start = 0;
        for (std::size_t k; (k = line.find(',', start)) != std::string::npos; start = k + 1) f.push_back(line.substr(start, k - start));
        f.push_back(line.substr(start));
        REQUIRE(f.size() == 7);
        by_id[f[1]] = {f[4], f[5], f[6]};
    }
    REQUIRE(by_id.size() == d.size());
    const auto ages = data::metadata_values(d, "age"), sexes = data::metadata_values(d, "SEX"),
               sites = data::metadata_values(d, "localization");
    for (std::size_t i = 0; i < d.size(); ++i) {
        const auto& want = by_id.at(d[i].id);
        CHECK(ages[i] == want[0]);
        CHECK(sexes[i] == want[1]);
        CHECK(sites[i] == want[2]);
    }
    // A subset of rows (a test fold) in its order.
    const std::vector<std::size_t> rows{5, 0, 3};
    const auto some = data::metadata_values(d, rows, "age");
    REQUIRE(some.size() == 3);
    CHECK(some[0] == ages[5]);
    CHECK(some[1] == ages[0]);
    CHECK(some[2] == ages[3]);
    CHECK_THROWS_AS(data::metadata_values(d, std::vector<std::size_t>{d.size()}, "age"), config_error);
    // A HAM10000-style file with lesion_id, image_id and dx only: loads, without those columns.
    testing::write_text(dir / "short.csv", "lesion_id,image_id,dx\nL1,ISIC_0024306,mel\n");
    auto short_options = data::ham10000_manifest();
    short_options.location_column.clear();  // (the body site is the loader's own column, required)
    const auto short_ham = data::load_manifest(dir / "short.csv", {}, short_options);
    CHECK(short_ham[0].metadata.empty());
    CHECK(data::metadata_columns(short_ham).empty());
}

TEST_CASE("metadata: a manifest's named columns; blanks are unknown; a missing column is refused",
          "[data][metadata][manifest]") {
    testing::scratch_dir dir("metadata-manifest");
    testing::write_text(dir / "m.csv",
                        "image,diagnosis,Age,Skin_Type,site,level\n"
                        "a1,melanoma,71,II,Back,high\n"
                        "a2,nevus,,IV,face,low\n"
                        "a3,nevus,34,,face,\n");
    data::manifest_options o;
    o.metadata_columns = {"Age", "skin_type"};
    o.location_column = "site";
    o.difficulty_column = "level";
    const auto d = data::load_manifest(dir / "m.csv", {}, o);
    CHECK(d[0].metadata.at("age") == "71");
    CHECK(d[1].metadata.at("age").empty());
    CHECK(d[2].metadata.at("skin_type").empty());
    CHECK(data::metadata_columns(d) == std::vector<std::string>{"age", "difficulty", "location", "skin_type"});
    CHECK(data::metadata_values(d, "difficulty") == std::vector<std::string>{"high", "low", ""});
    CHECK(data::metadata_values(d, "location") == std::vector<std::string>{"back", "face", "face"});
    CHECK(data::metadata_values(d, "skin_type") == std::vector<std::string>{"II", "IV", ""});
    // A subgroup column that does not exist: refused, listing the columns that do.
    try {
        (void)data::metadata_values(d, "ethnicity");
        FAIL("an unknown column was accepted");
    } catch (const config_error& e) {
        const std::string m = e.what();
        CHECK(m.find("'ethnicity'") != std::string::npos);
        CHECK(m.find("age, difficulty, location, skin_type") != std::string::npos);
    }
    // A metadata column the header lacks: the manifest's usual error, naming the option.
    o.metadata_columns = {"age", "weight"};
    try {
        (void)data::load_manifest(dir / "m.csv", {}, o);
        FAIL("a missing metadata column was accepted");
    } catch (const io_error& e) {
        const std::string m = e.what();
        CHECK(m.find("'weight'") != std::string::npos);
        CHECK(m.find("metadata_columns") != std::string::npos);
    }
    // No metadata at all: the refusal says so.
    data::manifest_options bare;
    const auto plain = data::load_manifest(dir / "m.csv", {}, bare);
    CHECK(data::metadata_columns(plain).empty());
    CHECK_THROWS_WITH(data::metadata_values(plain, "age"), Catch::Contains("no metadata columns"));
}

TEST_CASE("metadata: synthetic lesions carry difficulty, location, sex and age; images unchanged by the age stream",
          "[data][metadata][synthetic]") {
    testing::scratch_dir dir("metadata-synth");
    data::synthetic_lesion_options o;
    o.count = 40;
    o.size = 64;
    o.seed = 7;
    o.acral_fraction = 0.1;
    const auto d = data::generate_lesions(dir / "syn", o);
    CHECK(data::metadata_columns(d) == std::vector<std::string>{"age", "difficulty", "location", "sex"});
    const auto ages = data::metadata_values(d, "age");
    std::size_t known = 0;
    for (const auto& a : ages)
        if (!a.empty()) {
            ++known;
            const int years = std::stoi(a);
            CHECK(years >= 18);
            CHECK(years <= 90);
        }
    CHECK(known >= d.size() * 8 / 10);
    for (const auto& s : data::metadata_values(d, "sex")) CHECK((s == "female" || s == "male"));
    for (const auto& l : data::metadata_values(d, "difficulty")) CHECK((l == "low" || l == "medium" || l == "high"));
    // Same seed, same ages.
    const auto again = data::generate_lesions(dir / "syn2", o);
    CHECK(data::metadata_values(again, "age") == ages);
    // The stream off: the generator's draws before ages existed, replayed here on rng(seed) alone
    // (a lesion's spec, its image's seed, then location and sex), must give every image byte for
    // byte (rendered and encoded again) and the location and sex meta.csv holds.
    const auto meta = io::read_csv(dir / "syn" / "release_v0" / "meta" / "meta.csv");
    REQUIRE(meta.rows.front()[meta.rows.front().size() - 1] == "age");
    REQUIRE(meta.rows.size() == o.count + 1);
    static constexpr const char* locations[] = {"back", "abdomen", "chest", "upper limbs", "lower limbs", "head neck", "buttocks"};
    rng master(o.seed);
    for (std::size_t i = 0; i < o.count; ++i) {
        const auto& row = meta.rows[i + 1];
        const auto spec = data::draw_lesion_spec(o, master);
        rng image_rng(master.next_u64());
        const auto again_path = dir / ("again" + std::to_string(i) + ".jpg");
        io::write_image(again_path, data::render_lesion(spec, o.size, image_rng), o.jpeg_quality);
        CHECK(file_bytes(again_path) == file_bytes(dir / "syn" / "release_v0" / "images" / row[meta.column("derm")]));
        const bool acral = master.uniform_double() < o.acral_fraction;
        const std::string location = acral ? "acral" : locations[master.below(7)];
        const std::string sex = master.below(2) ? "female" : "male";
        CHECK(row[meta.column("location")] == location);
        CHECK(row[meta.column("sex")] == sex);
        CHECK(row[meta.column("diagnosis")] == std::string(data::to_string(spec.dx)));
    }
}
