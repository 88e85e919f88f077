// The vocabulary's HAM10000 diagnoses, the designs' labeling rules for them, and the diagnosis map.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "data_test_files.hpp"
#include "dermtl/data/diagnosis.hpp"
#include "dermtl/data/diagnosis_map.hpp"
#include "dermtl/data/lesion_task.hpp"
#include "support/oracle.hpp"

using namespace dermtl;
using namespace dermtl::data;
using Catch::Contains;
using dermtl::testing::scratch_dir;
using dermtl::testing::write_text;

TEST_CASE("diagnosis: actinic and benign keratosis appended, earlier values unchanged", "[data][diagnosis]") {
    // The integer values go into stored results' fingerprints.
    STATIC_REQUIRE(static_cast<int>(diagnosis::basal_cell_carcinoma) == 0);
    STATIC_REQUIRE(static_cast<int>(diagnosis::melanoma) == 8);
    STATIC_REQUIRE(static_cast<int>(diagnosis::nevus) == 20);
    STATIC_REQUIRE(static_cast<int>(diagnosis::not_applicable) == 22);
    STATIC_REQUIRE(static_cast<int>(diagnosis::actinic_keratosis) == 23);
    STATIC_REQUIRE(static_cast<int>(diagnosis::benign_keratosis) == 24);
    CHECK(to_string(diagnosis::actinic_keratosis) == "actinic keratosis");
    CHECK(to_string(diagnosis::benign_keratosis) == "benign keratosis");
    CHECK(parse_diagnosis("Actinic_Keratosis", "x:1") == diagnosis::actinic_keratosis);
    CHECK(parse_diagnosis(" benign  keratosis", "x:1") == diagnosis::benign_keratosis);
    CHECK(is_malignant(diagnosis::actinic_keratosis));
    CHECK_FALSE(is_benign(diagnosis::actinic_keratosis));
    CHECK(is_benign(diagnosis::benign_keratosis));
    // The vocabulary in messages lists the new names and not 'not applicable'.
    const std::string v = skin_lesion_vocabulary();
    CHECK_THAT(v, Contains("actinic keratosis") && Contains("benign keratosis") && Contains("basal cell carcinoma"));
    CHECK_THAT(v, !Contains("not applicable"));
    CHECK_THROWS_WITH(parse_diagnosis("scc", "m.csv:4"), Contains("m.csv:4") && Contains("benign keratosis"));
}

TEST_CASE("labeling rules: akiec and bkl in the three designs", "[data][labeling]") {
    using enum lesion_task;
    const auto ak = diagnosis::actinic_keratosis, bkl = diagnosis::benign_keratosis;
    CHECK(label_of(ak, malignant_vs_benign) == 1);
    CHECK(label_of(bkl, malignant_vs_benign) == 0);
    CHECK_FALSE(label_of(ak, melanoma_vs_benign).has_value());
    CHECK_FALSE(label_of(diagnosis::basal_cell_carcinoma, melanoma_vs_benign).has_value());
    CHECK(label_of(bkl, melanoma_vs_benign) == 0);
    CHECK_FALSE(label_of(ak, bcc_melanoma_benign).has_value());
    CHECK(label_of(bkl, bcc_melanoma_benign) == 2);
    const labeling_rules ak_carcinoma{.actinic_keratosis_as_carcinoma = true};
    CHECK(label_of(ak, bcc_melanoma_benign, ak_carcinoma) == 0);
    CHECK(label_of(diagnosis::basal_cell_carcinoma, bcc_melanoma_benign, ak_carcinoma) == 0);
    CHECK_FALSE(label_of(ak, melanoma_vs_benign, ak_carcinoma).has_value());  // binary designs: no effect
    CHECK(label_of(ak, malignant_vs_benign, ak_carcinoma) == 1);
    CHECK(is_carcinoma(ak, ak_carcinoma));
    CHECK_FALSE(is_carcinoma(ak, labeling_rules{}));
    CHECK(is_carcinoma(diagnosis::basal_cell_carcinoma, labeling_rules{}));
    // The rule changes no label of the Atlas' diagnoses.
    for (std::size_t i = 0; i < diagnosis_count; ++i) {
        const auto d = static_cast<diagnosis>(i);
        if (d == ak) continue;
        for (auto t : {malignant_vs_benign, melanoma_vs_benign, bcc_melanoma_benign})
            CHECK(label_of(d, t, ak_carcinoma) == label_of(d, t));
    }
    CHECK(class_names_of(bcc_melanoma_benign) == std::vector<std::string>{"basal cell carcinoma", "melanoma", "benign"});
    CHECK(class_names_of(bcc_melanoma_benign, ak_carcinoma)[0] == "basal cell carcinoma or actinic keratosis");
    CHECK(describe(labeling_rules{}) == "actinic_keratosis_as_carcinoma=false");
    CHECK(describe(ak_carcinoma) == "actinic_keratosis_as_carcinoma=true");
    CHECK(rules_for(malignant_vs_benign, ak_carcinoma) == labeling_rules{});
    CHECK(rules_for(bcc_melanoma_benign, ak_carcinoma) == ak_carcinoma);

    dataset d;
    d.name = "ham";
    for (auto dx : {diagnosis::melanoma, ak, bkl, diagnosis::basal_cell_carcinoma, diagnosis::nevus}) {
        sample s;
        s.id = std::string(to_string(dx));
        s.dx = dx;
        d.samples.push_back(s);
    }
    CHECK(relabel(d, malignant_vs_benign).labels() == std::vector<int>{1, 1, 0, 1, 0});
    CHECK(relabel(d, melanoma_vs_benign).labels() == std::vector<int>{1, 0, 0});
    CHECK(relabel(d, bcc_melanoma_benign).labels() == std::vector<int>{1, 2, 0, 2});
    const auto with_ak = relabel(d, bcc_melanoma_benign, ak_carcinoma);
    CHECK(with_ak.labels() == std::vector<int>{1, 0, 2, 0, 2});
    CHECK(with_ak.class_names[0] == "basal cell carcinoma or actinic keratosis");
    CHECK_FALSE(labelings_coincide(d, malignant_vs_benign, melanoma_vs_benign));
}

TEST_CASE("labeling rules: on ISIC 2016 malignant vs benign and melanoma vs benign coincide", "[data][labeling]") {
    dataset d;  // as load_isic2016 gives it: malignant = melanoma, benign = benign (unspecified)
    for (int i = 0; i < 6; ++i) {
        sample s;
        s.id = "ISIC_000000" + std::to_string(i);
        s.dx = i % 3 ? diagnosis::benign_unspecified : diagnosis::melanoma;
        d.samples.push_back(s);
    }
    CHECK(labelings_coincide(d, lesion_task::malignant_vs_benign, lesion_task::melanoma_vs_benign));
    d.samples[1].dx = diagnosis::basal_cell_carcinoma;
    CHECK_FALSE(labelings_coincide(d, lesion_task::malignant_vs_benign, lesion_task::melanoma_vs_benign));
}

TEST_CASE("diagnosis map: the documented defaults", "[data][diagnosis_map]") {
    const auto m = diagnosis_map::defaults();
    const std::vector<std::pair<std::string, diagnosis>> ham = {
        {"mel", diagnosis::melanoma},          {"bcc", diagnosis::basal_cell_carcinoma},
        {"nv", diagnosis::nevus},              {"df", diagnosis::dermatofibroma},
        {"vasc", diagnosis::vascular_lesion},  {"akiec", diagnosis::actinic_keratosis},
        {"bkl", diagnosis::benign_keratosis},  {"AK", diagnosis::actinic_keratosis},
        {" MEL ", diagnosis::melanoma},        {"Seborrheic Keratosis", diagnosis::seborrheic_keratosis},
        {"solar lentigo", diagnosis::benign_keratosis}, {"lentigo NOS", diagnosis::lentigo},
        {"pigmented benign keratosis", diagnosis::benign_keratosis},
        {"Bowen's disease", diagnosis::actinic_keratosis}, {"benign", diagnosis::benign_unspecified},
        {"Reed/Spitz nevus", diagnosis::reed_or_spitz_nevus}, {"Melanoma (0.76 - 1.5 mm)", diagnosis::melanoma_0_76_to_1_5_mm},
        {"basal_cell_carcinoma", diagnosis::basal_cell_carcinoma}};
    for (const auto& [value, dx] : ham) {
        INFO(value);
        CHECK(m.find(value) == dx);
    }
    // Every spelling parse_diagnosis accepts (the vocabulary's names) is in the table.
    for (std::size_t i = 0; i < diagnosis_count; ++i) {
        const auto d = static_cast<diagnosis>(i);
        INFO(to_string(d));
        if (is_skin_lesion(d)) CHECK(m.find(to_string(d)) == d);
        else CHECK_FALSE(m.find(to_string(d)).has_value());
    }
    for (const char* unmapped : {"scc", "squamous cell carcinoma", "unknown", "atypical melanocytic proliferation", ""})
        CHECK_FALSE(m.find(unmapped).has_value());
    CHECK_THROWS_AS(m.at("scc", "HAM10000_metadata.csv:7, column 'dx'"), io_error);
    CHECK_THROWS_WITH(m.at("scc", "HAM10000_metadata.csv:7, column 'dx'"),
                      Contains("HAM10000_metadata.csv:7") && Contains("'scc'") && Contains("dermtl's vocabulary: ") &&
                          Contains("actinic keratosis") && Contains("--diagnosis-map FILE (a CSV value,diagnosis)"));
    CHECK_FALSE(diagnosis_map{}.find("melanoma").has_value());
    CHECK_THROWS_AS(diagnosis_map{}.set("x", diagnosis::not_applicable), config_error);
    CHECK_THROWS_AS(diagnosis_map{}.set("  ", diagnosis::melanoma), config_error);
}

TEST_CASE("diagnosis map: a user's override file replaces and extends the defaults", "[data][diagnosis_map]") {
    scratch_dir dir("dxmap");
    write_text(dir / "map.csv", "value,diagnosis\nunknown,benign (unspecified)\nSCC,actinic keratosis\nnv,clark nevus\n");
    auto m = diagnosis_map::defaults();
    m.read_overrides(dir / "map.csv");
    CHECK(m.find("Unknown") == diagnosis::benign_unspecified);
    CHECK(m.find("scc") == diagnosis::actinic_keratosis);
    CHECK(m.find("nv") == diagnosis::clark_nevus);    // replaced
    CHECK(m.find("mel") == diagnosis::melanoma);      // kept
    write_text(dir / "swapped.csv", "diagnosis,note,value\nmelanoma,x,MM\n");  // any column order
    m.read_overrides(dir / "swapped.csv");
    CHECK(m.find("mm") == diagnosis::melanoma);

    write_text(dir / "bad.csv", "value,diagnosis\nmel,melanoma\nscc,squamous cell carcinoma\n");
    CHECK_THROWS_AS(m.read_overrides(dir / "bad.csv"), io_error);
    CHECK_THROWS_WITH(m.read_overrides(dir / "bad.csv"), Contains("bad.csv:3") && Contains("'squamous cell carcinoma'") &&
                                                             Contains("'scc'") && Contains("benign keratosis"));
    write_text(dir / "na.csv", "value,diagnosis\nx,not applicable\n");
    CHECK_THROWS_WITH(m.read_overrides(dir / "na.csv"), Contains("na.csv:2") && Contains("'not applicable'"));
    write_text(dir / "nohdr.csv", "mel,melanoma\n");
    CHECK_THROWS_WITH(m.read_overrides(dir / "nohdr.csv"),
                      Contains("nohdr.csv:1") && Contains("'mel,melanoma'") && Contains("'value,diagnosis'"));
    write_text(dir / "twice.csv", "value,diagnosis\nMel,melanoma\nmel ,nevus\n");
    CHECK_THROWS_WITH(m.read_overrides(dir / "twice.csv"),
                      Contains("twice.csv:3") && Contains("listed twice") && Contains("line 2"));
    write_text(dir / "blank.csv", "value,diagnosis\n,melanoma\n");
    CHECK_THROWS_WITH(m.read_overrides(dir / "blank.csv"), Contains("blank.csv:2") && Contains("blank value"));
    write_text(dir / "wide.csv", "value,diagnosis\nmel,melanoma,extra\n");
    CHECK_THROWS_WITH(m.read_overrides(dir / "wide.csv"), Contains("wide.csv:2") && Contains("expected 2 columns"));
    CHECK_THROWS_WITH(m.read_overrides(dir / "absent.csv"), Contains("absent.csv") && Contains("not found"));
}
