#!/usr/bin/env bash
# A stopped grid resumes, and a damaged checkpoint costs its work item's training, nothing else
# (issue 15, "A task that finds its checkpoint corrupted says which file, and recomputes that work
# item"). One cell (scaled VGG-M from scratch, fine-tuned, one fold, 8 epochs):
#  1. run uninterrupted;
#  2. run again into another folder, stopped by SIGUSR1 once its first checkpoint exists (as
#     Slurm's warning does): dermtl finishes the step, writes a step checkpoint, exits 85;
#  3. that checkpoint is damaged (SECTION: truncated, or a byte flipped);
#  4. the rerun names the checkpoint, sets it aside as .damaged, trains the fold again from the
#     start and stores exactly the uninterrupted run's result (scores compared exactly).
# Usage: resume_test.sh DERMTL_BINARY
set -eu
dermtl=$1
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
grid=(grid --network vgg_m_scaled --synthetic --cells 'vgg_m_64_8/*/none/finetune/malignant_vs_benign' --epochs 8
      --folds 2 --max-folds 1 --no-progress)
same() { /usr/bin/python3 "$(dirname "$0")/../support/same_fold_results.py" "$work/whole" "$1" 1 --fingerprint; }

"$dermtl" "${grid[@]}" --out "$work/whole" > /dev/null 2> "$work/whole.log" || { tail "$work/whole.log"; exit 1; }

for damage in truncate flip; do
  out=$work/$damage
  "$dermtl" "${grid[@]}" --out "$out" > /dev/null 2> "$out.log" &
  pid=$!
  for _ in $(seq 1 1200); do compgen -G "$out/work/checkpoints/*.ckpt" > /dev/null && break; sleep 0.1; done
  compgen -G "$out/work/checkpoints/*.ckpt" > /dev/null || { tail "$out.log"; echo "FAIL: no checkpoint within 120 s"; exit 1; }
  kill -USR1 "$pid"
  rc=0
  wait "$pid" || rc=$?
  pid=
  [ "$rc" -eq 85 ] || { tail "$out.log"; echo "FAIL: a stopped grid exited $rc, expected 85 (checkpointed)"; exit 1; }
  ckpt=$(compgen -G "$out/work/checkpoints/*.ckpt")
  size=$(stat -c %s "$ckpt")
  if [ "$damage" = truncate ]; then
    truncate -s $((size - 64)) "$ckpt"
  else  # one byte inside the payload, inverted
    /usr/bin/python3 -c "import sys; f=open(sys.argv[1],'r+b'); f.seek(int(sys.argv[2])); b=f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0]^0xff]))" "$ckpt" $((size / 2))
  fi
  "$dermtl" "${grid[@]}" --out "$out" > /dev/null 2> "$out.again.log" || { tail "$out.again.log"; echo "FAIL: rerun after $damage"; exit 1; }
  grep -q "warning: .*$(basename "$ckpt").*set it aside as '$ckpt.damaged'" "$out.again.log" ||
    { cat "$out.again.log"; echo "FAIL: the rerun did not name the damaged checkpoint ($damage)"; exit 1; }
  [ -s "$ckpt.damaged" ] || { echo "FAIL: the damaged checkpoint was not kept aside"; exit 1; }
  grep "warning: " "$out.again.log" | head -1
  same "$out" || { echo "FAIL: after a $damage checkpoint the result differs from the uninterrupted run's"; exit 1; }
  echo "ok: $damage checkpoint named, set aside, work item recomputed; result identical"
done
