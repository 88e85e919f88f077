// ONNX Runtime (npm's onnxruntime-node, the real runtime) on an ONNX file written by dermtl, against
// dermtl's own probabilities and decision values (tests/programs/onnx_export_test.sh).
//
//   node onnxruntime_compare.js MODEL.onnx DIR TOLERANCE
// DIR holds images.f32 (N x 3 x H x W float32), reference.f64 (per image: K probabilities, then m
// decision values) and shape.txt ("N 3 H W K m"), as tests/programs/onnx_reference.cpp writes them.
// Runs the whole batch and then the first image alone (the batch dimension is dynamic); fails
// (exit 1) when an output's shape differs or any value is farther than TOLERANCE (absolute) from
// dermtl's. onnxruntime-node is looked up in $DERMTL_ONNXRUNTIME_NODE (the folder npm installed it
// into), else /opt/dermtl/onnxruntime-node (scripts/setup.sh); exit 77 (skipped) when it is absent.
'use strict';
const fs = require('fs');
const path = require('path');

const [modelFile, dir, tolText] = process.argv.slice(2);
if (!modelFile || !dir || !tolText) {
    console.error('usage: node onnxruntime_compare.js MODEL.onnx DIR TOLERANCE');
    process.exit(2);
}
const root = process.env.DERMTL_ONNXRUNTIME_NODE || '/opt/dermtl/onnxruntime-node';
const modulePath = path.join(root, 'node_modules', 'onnxruntime-node');
let ort;
try {
    ort = require(modulePath);
} catch (e) {
    console.log(`skipped: onnxruntime-node is not installed at ${modulePath} (scripts/setup.sh installs it with ` +
                `npm install --ignore-scripts; or set DERMTL_ONNXRUNTIME_NODE): ${e.message.split('\n')[0]}`);
    process.exit(77);
}

const tolerance = Number(tolText);
const [n, c, h, w, k, m] = fs.readFileSync(path.join(dir, 'shape.txt'), 'utf8').trim().split(/\s+/).map(Number);
const imageBytes = fs.readFileSync(path.join(dir, 'images.f32'));
const images = new Float32Array(imageBytes.buffer, imageBytes.byteOffset, imageBytes.length / 4);
const refBytes = fs.readFileSync(path.join(dir, 'reference.f64'));
const reference = new Float64Array(refBytes.buffer.slice(refBytes.byteOffset, refBytes.byteOffset + refBytes.length));
if (images.length !== n * c * h * w || reference.length !== n * (k + m)) {
    console.error(`onnxruntime_compare: ${dir}: images.f32 holds ${images.length} values (expected ${n * c * h * w}), ` +
                  `reference.f64 ${reference.length} (expected ${n * (k + m)})`);
    process.exit(1);
}

async function main() {
    const session = await ort.InferenceSession.create(modelFile);
    let failed = false;
    const check = (label, tensor, rows, cols, offset, first) => {
        if (!tensor || tensor.dims.length !== 2 || tensor.dims[0] !== rows || tensor.dims[1] !== cols) {
            console.error(`FAIL ${label}: expected shape [${rows}, ${cols}], got ${tensor ? JSON.stringify(tensor.dims) : 'none'}`);
            failed = true;
            return 0;
        }
        let worst = 0;
        for (let i = 0; i < rows; ++i)
            for (let j = 0; j < cols; ++j) {
                const got = tensor.data[i * cols + j], want = reference[(first + i) * (k + m) + offset + j];
                const diff = Math.abs(got - want);
                if (!(diff <= tolerance)) {
                    if (!failed || worst <= tolerance)
                        console.error(`FAIL ${label}: image ${first + i}, column ${j}: ONNX Runtime ${got}, dermtl ${want} ` +
                                      `(|difference| ${diff} > ${tolerance})`);
                    failed = true;
                }
                if (!(diff <= worst)) worst = diff;
            }
        return worst;
    };
    for (const batch of [n, 1]) {
        const input = new ort.Tensor('float32', images.subarray(0, batch * c * h * w), [batch, c, h, w]);
        const out = await session.run({image: input});
        const p = check(`probabilities (batch ${batch})`, out.probabilities, batch, k, 0, 0);
        const f = check(`decision_values (batch ${batch})`, out.decision_values, batch, m, k, 0);
        console.log(`${path.basename(modelFile)}: batch ${batch}: max |ONNX Runtime - dermtl| probabilities ${p.toExponential(3)}, ` +
                    `decision values ${f.toExponential(3)} (tolerance ${tolerance})`);
        if (batch === n) {
            const probs = Array.from(out.probabilities.data.slice(0, Math.min(3, n) * k)).map(v => v.toFixed(6));
            console.log(`  first probabilities: ${probs.join(' ')}`);
        }
    }
    process.exit(failed ? 1 : 0);
}
main().catch(e => {
    console.error(`onnxruntime_compare: ONNX Runtime refused ${modelFile}: ${e.message}`);
    process.exit(1);
});
