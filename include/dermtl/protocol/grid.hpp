#pragma once
// The experiment grid: the paper's Table 1 is a product of policies.
//
// grid<Model, Backend>(transfers, finetunes, labelings) builds, at compile time, the cartesian
// product of three Hana type lists, keeps the combinations `Keep` accepts (by default the paper's
// Table 1 columns, see validity.hpp), and yields one fully specialized experiment type per cell.
// A registry (registry.hpp) turns the cells into named, runnable entries.
#include <utility>

// Hana by algorithm, not its umbrella header (each TU that builds a grid pays only for these).
#include <boost/hana/at.hpp>
#include <boost/hana/bool.hpp>
#include <boost/hana/cartesian_product.hpp>
#include <boost/hana/filter.hpp>
#include <boost/hana/transform.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include "dermtl/protocol/experiment.hpp"
#include "dermtl/protocol/finetune.hpp"
#include "dermtl/protocol/labeling.hpp"
#include "dermtl/protocol/transfer.hpp"
#include "dermtl/protocol/validity.hpp"

namespace dermtl::protocol {

namespace hana = boost::hana;

// The paper's factors, in its column and row order.
inline constexpr auto paper_transfers =
    hana::tuple_t<transfer::none, transfer::from_retinopathy, transfer::from_imagenet, transfer::double_transfer>;
inline constexpr auto paper_finetunes = hana::tuple_t<finetune::frozen, finetune::full>;
inline constexpr auto paper_labelings = hana::tuple_t<labeling::malignant_vs_benign, labeling::melanoma_vs_benign,
                                                      labeling::melanoma_carcinoma_benign>;

// Which cells a grid keeps.
struct keep_paper_table1 {
    template <class T, class F>
    static constexpr bool keep = in_paper_table1<T, F>;
};
struct keep_all_valid {
    template <class T, class F>
    static constexpr bool keep = valid_combination<T, F>;
};

// A Hana tuple of hana::type<experiment<Model, Backend, T, F, L, Classifier, Training>>, labelings
// outermost (table rows), then transfer and fine-tuning (table columns) in the order given.
template <class Model, class Backend, class Keep = keep_paper_table1, class Classifier = classifier::linear_svm<>,
          class Training = training::paper, class Transfers, class Finetunes, class Labelings>
constexpr auto grid(Transfers transfers, Finetunes finetunes, Labelings labelings) {
    auto cells = hana::cartesian_product(hana::make_tuple(labelings, transfers, finetunes));
    // Only the cells' types are used (an unnamed parameter: nvcc warns about one never read).
    auto kept = hana::filter(cells, []<class Cell>(Cell) {
        using T = typename decltype(+hana::at_c<1>(std::declval<Cell>()))::type;
        using F = typename decltype(+hana::at_c<2>(std::declval<Cell>()))::type;
        return hana::bool_c<Keep::template keep<T, F>>;
    });
    return hana::transform(kept, []<class Cell>(Cell) {
        using L = typename decltype(+hana::at_c<0>(std::declval<Cell>()))::type;
        using T = typename decltype(+hana::at_c<1>(std::declval<Cell>()))::type;
        using F = typename decltype(+hana::at_c<2>(std::declval<Cell>()))::type;
        return hana::type_c<experiment<Model, Backend, T, F, L, Classifier, Training>>;
    });
}

// The paper's Table 1 for one model and backend: 6 columns x 3 designs = 18 experiments.
template <class Model, class Backend>
constexpr auto paper_table1() {
    return grid<Model, Backend>(paper_transfers, paper_finetunes, paper_labelings);
}

}  // namespace dermtl::protocol
