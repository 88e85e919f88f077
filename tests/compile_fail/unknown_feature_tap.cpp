// Feature taps resolve names at compile time; a misspelt name is caught there.
// expect: net::index_of<Name>: no layer has this name
#include "dermtl/models/vgg.hpp"
using vgg = dermtl::models::vgg_m<2>;
int main() { return int(vgg::tap_index<"fc_7">); }
