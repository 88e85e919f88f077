# Oracle for dermtl/metrics/delong.hpp and operating_points.hpp: R's pROC (1.18).
#
# usage: Rscript proc_delong.R <cases.csv> <targets.csv> <answers.csv> <points.csv>
# cases.csv:   case,label,a,b          (one row per test image; label 0/1; a, b two scorings)
# targets.csv: case,input,value        (input: specificity or sensitivity)
# answers.csv: per case, pROC's AUCs, var(roc) (DeLong), ci.auc (DeLong) and
#              roc.test(method = "delong", paired = TRUE)'s Z, p-value and conf.int
# points.csv:  per target, coords(roc_a, value, input = input) (sensitivity and specificity)
# Every roc() is built with levels = c(0, 1), direction = "<": label 1 is the positive class and a
# higher score is more positive, without pROC's default flip of AUCs below 0.5.
suppressPackageStartupMessages(library(pROC))

args <- commandArgs(trailingOnly = TRUE)
cases <- read.csv(args[1], colClasses = c("integer", "integer", "numeric", "numeric"))
targets <- read.csv(args[2], colClasses = c("integer", "character", "numeric"))
g <- function(x) sprintf("%.17g", x)

make_roc <- function(d, column) roc(d$label, d[[column]], levels = c(0, 1), direction = "<", quiet = TRUE)

answers <- c("case,auc_a,var_a,ci_lower_a,ci_upper_a,auc_b,var_b,z,p,diff_lower,diff_upper")
for (k in sort(unique(cases$case))) {
  d <- cases[cases$case == k, ]
  ra <- make_roc(d, "a")
  rb <- make_roc(d, "b")
  ci_a <- as.numeric(ci.auc(ra, method = "delong"))
  t <- roc.test(ra, rb, method = "delong", paired = TRUE)
  answers <- c(answers, paste(k, g(as.numeric(auc(ra))), g(var(ra, method = "delong")), g(ci_a[1]), g(ci_a[3]),
                              g(as.numeric(auc(rb))), g(var(rb, method = "delong")), g(unname(t$statistic)),
                              g(t$p.value), g(t$conf.int[1]), g(t$conf.int[2]), sep = ","))
}
writeLines(answers, args[3])

points <- c("case,input,value,sensitivity,specificity")
for (i in seq_len(nrow(targets))) {
  d <- cases[cases$case == targets$case[i], ]
  r <- make_roc(d, "a")
  p <- coords(r, targets$value[i], input = targets$input[i], ret = c("sensitivity", "specificity"),
              transpose = FALSE)
  points <- c(points, paste(targets$case[i], targets$input[i], g(targets$value[i]), g(p$sensitivity[1]),
                            g(p$specificity[1]), sep = ","))
}
writeLines(points, args[4])
