#pragma once
// The grids the tool and the table programs compile, as templates of (family, backend): one
// definition, instantiated once per line of apps/cells.list, in the instance files the build
// generates (<build>/apps/cells/<network>_<backend>_<protocol>_cells.cpp; the CUDA ones are host
// code over dermtl::cuda_compiled's kernels).
#include <string>

#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include "dermtl/models/vgg.hpp"
#include "programs/make_model_cells.hpp"
#include "dermtl/protocol/classifier.hpp"
#include "dermtl/protocol/grid.hpp"
#include "dermtl/protocol/training.hpp"

namespace dermtl::apps {

// Every valid Table 1 cell: 7 transfer x fine-tuning columns x 3 designs.
template <class Family, class Backend>
programs::model_cells table1_cells() {
    using namespace protocol;
    return programs::make_model_cells<Family, Backend>(
        grid<Family, Backend, keep_all_valid>(paper_transfers, paper_finetunes, paper_labelings));
}

// Transfer from ImageNet, frozen and fine-tuned, for the three designs and the ISIC label
// (Tables 2 and 3).
template <class Family, class Backend>
programs::model_cells imagenet_cells() {
    using namespace protocol;
    namespace hana = boost::hana;
    return programs::make_model_cells<Family, Backend>(
        grid<Family, Backend, keep_all_valid>(
            hana::tuple_t<transfer::from_imagenet>, paper_finetunes,
            hana::tuple_t<labeling::malignant_vs_benign, labeling::melanoma_vs_benign, labeling::melanoma_carcinoma_benign,
                          labeling::isic_binary>));
}

// The reference code's protocol (protocol/training.hpp, `--protocol reference`): every valid Table 1
// cell of the family's 2x2-pool2 variant, classified by libsvm's SVC. Family is a VGG-M family.
template <class Family, class Backend>
programs::model_cells reference_table1_cells() {
    using namespace protocol;
    return programs::make_model_cells<Family, Backend>(
        grid<Family, Backend, keep_all_valid, classifier::libsvm_svc, training::reference>(paper_transfers, paper_finetunes,
                                                                                           paper_labelings));
}

}  // namespace dermtl::apps
