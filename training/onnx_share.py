"""Encode the audio once when every row of a batch has the same audio: an ONNX graph rewrite of the onset model.

The drafter runs the five slots of a song (and refine's conditioned rows) as one batch whose ``features`` rows
are the same song. The audio encoder (conv trunk and multi-scale branches, ``OnsetModel.encode``) does not see the
slot, yet the exported graph runs it once per row: on CPU it is about 40 % of a 5-slot forward. This rewrite keeps
the contract (same inputs, outputs and results) and moves the encoder into an ONNX ``If``:

* *then* (all rows of ``features`` equal, checked exactly: per element, max over the batch == min): encode
  ``features[0:1]`` and expand the encoding to the batch;
* *else*: encode ``features`` as before (the server's batches of different songs, the GPU path's time windows).

The encoder is found, not named: the nodes that depend on ``features`` and on no other graph input, restricted to
the ancestors of the float tensors with a leading batch axis that leave that set (the encoding). Shape
arithmetic on the encoding (that the head needs) stays outside the ``If`` and sees the full batch. Both branches
use the outer graph's initializers, so the weights are not copied. A graph it cannot rewrite safely raises
:class:`ShareError`.

Usage (rewrites the ONNX file and the sha256 in its manifest)::

    python -m training.onnx_share resources/models/onset.manifest.json
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections.abc import Iterable
from pathlib import Path

import onnx
from onnx import TensorProto, helper

FEATURES = "features"
#: Marks a rewritten graph (the If node's name), so a second rewrite is refused rather than nested.
IF_NAME = "shared_audio_encoder"


class ShareError(ValueError):
    """The graph cannot be rewritten (no encoder found, or its outputs are not batch-leading tensors)."""


def _derived(nodes: list[onnx.NodeProto], sources: Iterable[str]) -> set[str]:
    """Values computed (transitively) from ``sources``; ``nodes`` in topological order."""
    seen = set(sources)
    for n in nodes:
        if any(i in seen for i in n.input if i):
            seen.update(o for o in n.output if o)
    return seen


def _batch_leading(model: onnx.ModelProto, batch_dim: str) -> set[str]:
    """Float tensors whose first axis is the graph's symbolic batch dimension (after shape inference)."""
    inferred = onnx.shape_inference.infer_shapes(model)
    out = set()
    for vi in list(inferred.graph.value_info) + list(inferred.graph.output):
        t = vi.type.tensor_type
        if t.elem_type == TensorProto.FLOAT and t.shape.dim and t.shape.dim[0].dim_param == batch_dim:
            out.add(vi.name)
    return out


def encoder_nodes(model: onnx.ModelProto) -> tuple[list[onnx.NodeProto], list[str]]:
    """The audio encoder's nodes (graph order) and its outputs (the encodings the rest of the graph reads)."""
    g = model.graph
    nodes = list(g.node)
    inputs = [i.name for i in g.input]
    if FEATURES not in inputs:
        raise ShareError(f"graph has no '{FEATURES}' input")
    if any(n.name == IF_NAME for n in nodes):
        raise ShareError("graph already shares its audio encoder")
    feat = _derived(nodes, [FEATURES])
    other = _derived(nodes, [i for i in inputs if i != FEATURES])
    audio_only = [n for n in nodes if any(i in feat for i in n.input) and not any(i in other for i in n.input)]
    produced = {o for n in audio_only for o in n.output}
    members = {id(n) for n in audio_only}
    leaving = {i for n in nodes if id(n) not in members for i in n.input if i in produced}
    leaving |= {o.name for o in g.output if o.name in produced}
    dim = g.input[inputs.index(FEATURES)].type.tensor_type.shape.dim
    batch_dim = dim[0].dim_param if dim else ""
    if not batch_dim:
        raise ShareError(f"'{FEATURES}' has no symbolic batch axis")
    encodings = sorted(leaving & _batch_leading(model, batch_dim))
    if not encodings:
        raise ShareError("no batch-leading encoding leaves the audio-only part of the graph")
    # The encoder: ancestors of the encodings inside the audio-only part.
    by_output = {o: n for n in audio_only for o in n.output}
    keep: set[int] = set()
    stack = [by_output[e] for e in encodings]
    while stack:
        n = stack.pop()
        if id(n) in keep:
            continue
        keep.add(id(n))
        stack.extend(by_output[i] for i in n.input if i in by_output)
    encoder = [n for n in audio_only if id(n) in keep]
    enc_out = {o for n in encoder for o in n.output}
    escaping = {i for n in nodes if id(n) not in keep for i in n.input if i in enc_out} - set(encodings)
    if escaping or any(o.name in enc_out and o.name not in encodings for o in g.output):
        raise ShareError(f"encoder values other than the encodings are read outside it: {sorted(escaping)[:3]}")
    return encoder, encodings


def _branch(name: str, encoder: list[onnx.NodeProto], source: str, suffix: str, extra_nodes: list[onnx.NodeProto],
            outputs: list[str]) -> onnx.GraphProto:
    """One If branch: the encoder's nodes fed from ``source``, every value renamed with ``suffix``."""
    local = {o for n in encoder for o in n.output if o}
    rename = {v: v + suffix for v in local}
    rename[FEATURES] = source
    body = []
    for n in encoder:
        c = copy.deepcopy(n)
        c.name = (n.name or n.op_type) + suffix
        c.input[:] = [rename.get(i, i) for i in n.input]
        c.output[:] = [rename.get(o, o) for o in n.output]
        body.append(c)
    body += extra_nodes
    outs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs]
    return helper.make_graph(body, name, [], outs)


def _topological(nodes: list[onnx.NodeProto], available: set[str]) -> list[onnx.NodeProto]:
    """``nodes`` ordered so that every value (also those a subgraph reads from outside) exists before use."""

    def needs(n: onnx.NodeProto) -> set[str]:
        want = {i for i in n.input if i}
        for attr in n.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                inner = {o for m in attr.g.node for o in m.output}
                want |= {i for m in attr.g.node for i in m.input if i and i not in inner}
        return want

    have, order, pending = set(available), [], list(nodes)
    while pending:
        ready = [n for n in pending if needs(n) <= have]
        if not ready:
            raise ShareError("graph has a cycle or a value nobody produces")
        for n in ready:
            order.append(n)
            have.update(n.output)
        pending = [n for n in pending if all(n is not r for r in ready)]
    return order


def share_encoder(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of ``model`` whose audio encoder runs once when all rows of ``features`` are equal."""
    model = copy.deepcopy(model)
    g = model.graph
    encoder, encodings = encoder_nodes(model)
    members = {id(n) for n in encoder}
    p = "/shared_audio/"
    consts = [
        helper.make_node("Constant", [], [p + "zero_i"], value=helper.make_tensor("z", TensorProto.INT64, [1], [0])),
        helper.make_node("Constant", [], [p + "one_i"], value=helper.make_tensor("o", TensorProto.INT64, [1], [1])),
        helper.make_node("Constant", [], [p + "big_i"],
                         value=helper.make_tensor("b", TensorProto.INT64, [1], [2**62])),
        helper.make_node("Constant", [], [p + "zero_f"], value=helper.make_tensor("zf", TensorProto.FLOAT, [], [0.0])),
    ]
    # All rows equal <=> per element, the max over the batch equals the min (inputs are finite: the backends
    # refuse NaN/inf). Two reductions to [T, C] read the input once each and allocate no batch-sized temporary.
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    over_batch = (lambda op, out: helper.make_node(op, [FEATURES, p + "zero_i"], [out], keepdims=0)) \
        if opset >= 18 else (lambda op, out: helper.make_node(op, [FEATURES], [out], axes=[0], keepdims=0))
    check = [
        helper.make_node("Slice", [FEATURES, p + "zero_i", p + "one_i", p + "zero_i"], [p + "first"]),
        over_batch("ReduceMax", p + "batch_max"),
        over_batch("ReduceMin", p + "batch_min"),
        helper.make_node("Sub", [p + "batch_max", p + "batch_min"], [p + "spread"]),
        helper.make_node("ReduceMax", [p + "spread"], [p + "maxdiff"], keepdims=0),
        helper.make_node("Equal", [p + "maxdiff", p + "zero_f"], [p + "same"]),
        helper.make_node("Shape", [FEATURES], [p + "features_shape"]),
        helper.make_node("Slice", [p + "features_shape", p + "zero_i", p + "one_i"], [p + "batch"]),
    ]
    expand = []
    then_outputs = []
    for k, e in enumerate(encodings):  # row 0's encoding, repeated to the batch
        shape, tail, full, out = (f"{p}then/{k}/{s}" for s in ("shape", "tail", "full", "out"))
        expand += [
            helper.make_node("Shape", [e + "__then"], [shape]),
            helper.make_node("Slice", [shape, p + "one_i", p + "big_i"], [tail]),
            helper.make_node("Concat", [p + "batch", tail], [full], axis=0),
            helper.make_node("Expand", [e + "__then", full], [out]),
        ]
        then_outputs.append(out)
    then_g = _branch("shared_audio_then", encoder, p + "first", "__then", expand, then_outputs)
    else_g = _branch("shared_audio_else", encoder, FEATURES, "__else", [], [e + "__else" for e in encodings])
    if_node = helper.make_node("If", [p + "same"], list(encodings), name=IF_NAME, then_branch=then_g,
                               else_branch=else_g)
    rest = [n for n in g.node if id(n) not in members]
    available = {i.name for i in g.input} | {i.name for i in g.initializer}
    ordered = _topological(consts + check + [if_node] + rest, available)
    del g.node[:]
    g.node.extend(ordered)
    # Shapes inferred for the encoder's old values no longer apply to anything in the main graph.
    old = {o for n in encoder for o in n.output}
    kept = [vi for vi in g.value_info if vi.name not in old or vi.name in encodings]
    del g.value_info[:]
    g.value_info.extend(kept)
    onnx.checker.check_model(model)
    return model


def share_encoder_file(path: str | Path) -> Path:
    """Rewrite an ONNX file in place (atomically); returns the path."""
    from chart.fileio import atomic_write_bytes

    path = Path(path)
    model = share_encoder(onnx.load(str(path)))
    atomic_write_bytes(path, model.SerializeToString())
    return path


def main(argv: list[str] | None = None) -> int:
    from inference.manifest import Manifest, ManifestError, file_sha256

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("manifest", type=Path, help="an onset model's manifest; its ONNX file is rewritten")
    args = ap.parse_args(argv)
    try:
        manifest = Manifest.load(args.manifest)
        share_encoder_file(manifest.model_path)
    except (ManifestError, ShareError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    manifest.sha256 = file_sha256(manifest.model_path)
    manifest.save(args.manifest)
    print(f"rewrote {manifest.model_path} (sha256 {manifest.sha256[:12]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
