#!/usr/bin/env python3
"""Writes the golden runner's self-test cases (schema rnnkit-golden/1) without running rnnkit.

extended/: cases for the schema parts the shipped cases in tests/golden/ do not use. They are
derived either from a shipped case by a transformation that leaves the expected values exactly
known (an all-ones mask, masked padding steps, go_backwards on time-reversed inputs, a stateful
layer reset between two calls, unroll, regularizers that do not enter `loss`) or in float64 from
the formulas of the spec (/work/shared/spec/keras-rnn-semantics.md §5-§7).

bad_*/: one case each that the runner must refuse or fail; every one is a shipped case with a
single defect, so the defect is the only reason for the failure.

Run from anywhere: python3 tests/golden_selftest/make_cases.py
"""

import copy
import json
import math
import os
import shutil
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
SHIPPED = os.path.join(HERE, "..", "golden")
EPSILON_K = 1e-7  # Keras backend epsilon (spec §6)
OPTIMIZER_TOLERANCE = {"rtol": 0.00001, "atol": 0.000001}


def load(name):
    with open(os.path.join(SHIPPED, name + ".json")) as f:
        return json.load(f)


def number(x):
    """9 significant digits, plain decimal notation where the shipped files use it."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    if not math.isfinite(x):
        raise ValueError("non-finite value %r" % x)
    text = "%.9g" % x
    value = Decimal(text)
    if value == 0:
        return "0"
    if abs(value) >= Decimal("1e-6"):
        return format(value.normalize(), "f")
    mantissa, exponent = text.split("e")
    return "%se%d" % (mantissa, int(exponent))


def dump(value):
    """Compact JSON in the shipped files' layout (no spaces, 9-digit numbers, keys in order)."""
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(k) + ":" + dump(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dump(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return number(value)


def write(folder, filename, case):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, filename + ".json"), "w") as f:
        f.write(dump(case))


def header(kind, name, note, tolerance):
    return {"schema": "rnnkit-golden/1", "kind": kind, "name": name, "note": note,
            "tolerance": dict(tolerance)}


def rename(case, name, note):
    """A copy of `case` with a new name and note, header fields first."""
    out = header(case["kind"], name, note, case["tolerance"])
    for key, value in case.items():
        if key not in out:
            out[key] = copy.deepcopy(value)
    return out


def tensor(shape, data):
    return {"shape": list(shape), "data": list(data)}


# --- helpers on row-major [B, T, F] tensors -------------------------------------------------

def steps_of(t):
    """[B, T, F] tensor -> per-sample list of per-step lists."""
    b, s, f = t["shape"]
    d = t["data"]
    return [[d[(i * s + j) * f:(i * s + j + 1) * f] for j in range(s)] for i in range(b)]


def from_steps(rows):
    b, s, f = len(rows), len(rows[0]), len(rows[0][0])
    return tensor([b, s, f], [x for row in rows for step in row for x in step])


def reverse_time(t):
    return from_steps([row[::-1] for row in steps_of(t)])


# --- simple_rnn cases derived from shipped ones ---------------------------------------------

def with_all_ones_mask(case):
    """A mask that keeps every step changes nothing (spec §2.5)."""
    out = rename(case, "mask_all_ones", "derived from basic_last_output: an all-ones mask "
                 "changes nothing")
    for call in out["calls"]:
        b, s, _ = call["inputs"]["shape"]
        call["mask"] = tensor([b, s], [1] * (b * s))
    out["calls"] = [reorder_call(c) for c in out["calls"]]
    return out


CALL_ORDER = ["reset_states_before", "inputs", "mask", "initial_state", "training", "outputs",
              "loss_weights", "loss", "gradients", "regularization_loss"]


def reorder_call(call):
    return {k: call[k] for k in CALL_ORDER if k in call}


def with_masked_padding(case, name, pads):
    """Inserts masked steps: pads[i] lists, per sample i, the positions (in the padded sequence)
    of the inserted steps. Masked steps carry state and output (spec §2.5): the state, the last
    output and every gradient are unchanged, a masked step's output in the sequence repeats the
    previous one (zeros before the first kept step), and its input gets a zero gradient. The
    inserted outputs get zero loss weights, so `loss` is unchanged."""
    out = rename(case, name, "derived from %s: masked filler steps inserted at %s" %
                 (case["name"], pads))
    assert not case["config"]["go_backwards"]
    call = out["calls"][0]
    b, s, f = call["inputs"]["shape"]
    units = case["config"]["units"]
    padded = s + len(pads[0])
    assert all(len(p) == len(pads[0]) for p in pads)
    x = steps_of(call["inputs"])
    gx = steps_of(call["gradients"]["inputs"])
    sequence = case["config"]["return_sequences"]
    if sequence:
        y = steps_of(call["outputs"][0])
        w = steps_of(call["loss_weights"][0])
    new_x, new_gx, new_y, new_w, mask = [], [], [], [], []
    for i in range(b):
        kept = iter(range(s))
        row_x, row_gx, row_y, row_w, row_m = [], [], [], [], []
        previous = [0.0] * units
        for t in range(padded):
            if t in pads[i]:
                # filler input: any finite values; it must have no effect
                row_x.append([0.5 - 0.25 * ((t + k + i) % 4) for k in range(f)])
                row_gx.append([0.0] * f)
                row_m.append(0)
                if sequence:
                    row_y.append(list(previous))
                    row_w.append([0.0] * units)
            else:
                j = next(kept)
                row_x.append(x[i][j])
                row_gx.append(gx[i][j])
                row_m.append(1)
                if sequence:
                    previous = y[i][j]
                    row_y.append(y[i][j])
                    row_w.append(w[i][j])
        new_x.append(row_x)
        new_gx.append(row_gx)
        mask.extend(row_m)
        new_y.append(row_y)
        new_w.append(row_w)
    call["inputs"] = from_steps(new_x)
    call["mask"] = tensor([b, padded], mask)
    call["gradients"]["inputs"] = from_steps(new_gx)
    if sequence:
        call["outputs"][0] = from_steps(new_y)
        call["loss_weights"][0] = from_steps(new_w)
    out["calls"][0] = reorder_call(call)
    return out


def with_go_backwards(case, name):
    """go_backwards on time-reversed inputs (and mask) processes the original order; the result
    is not flipped back (spec §2.4), so outputs, states and weight gradients are unchanged and
    the input gradient is reversed in time."""
    out = rename(case, name, "derived from %s: go_backwards on time-reversed inputs" %
                 case["name"])
    out["config"]["go_backwards"] = True
    for call in out["calls"]:
        call["inputs"] = reverse_time(call["inputs"])
        call["gradients"]["inputs"] = reverse_time(call["gradients"]["inputs"])
        if "mask" in call:
            b, s = call["mask"]["shape"]
            m = call["mask"]["data"]
            call["mask"] = tensor([b, s], [m[i * s + s - 1 - j]
                                           for i in range(b) for j in range(s)])
    return out


def with_stateful_reset(case):
    """A stateful layer starts from zeros; reset_states() before the 2nd call restores that, so
    both calls give the shipped values (spec §2.7)."""
    out = rename(case, "stateful_reset_between_calls", "derived from %s: stateful, the same "
                 "call twice with reset_states_before on the second" % case["name"])
    out["config"]["stateful"] = True
    second = copy.deepcopy(out["calls"][0])
    second["reset_states_before"] = True
    out["calls"].append(reorder_call(second))
    return out


def with_unroll(case):
    """unroll=True computes the same values (spec §2.8)."""
    out = rename(case, "unroll_" + case["name"], "derived from %s: unroll=true" % case["name"])
    out["config"]["unroll"] = True
    return out


def l1_term(factor, data):
    return factor * sum(abs(v) for v in data)


def l2_term(factor, data):
    return factor * sum(v * v for v in data)


def with_regularizers(case):
    """Regularizers do not enter `loss`, so outputs and gradients are unchanged; the
    regularization loss is the sum of the weight penalties plus the activity penalty of the
    output divided by the batch size (spec §5), computed here in float64."""
    assert not case["config"]["return_state"]
    out = rename(case, "all_regularizers", "derived from %s: every regularizer slot; "
                 "regularization_loss computed in float64" % case["name"])
    config = out["config"]
    config["kernel_regularizer"] = {"name": "l1", "l1": 0.01}
    config["recurrent_regularizer"] = {"name": "l2", "l1": 0, "l2": 0.02}
    config["bias_regularizer"] = {"name": "l1_l2", "l1": 0.03, "l2": 0.04}
    config["activity_regularizer"] = {"name": "l2", "l2": 0.05}
    weights = out["weights"]
    call = out["calls"][0]
    batch = call["inputs"]["shape"][0]
    call["regularization_loss"] = (
        l1_term(0.01, weights["kernel"]["data"]) +
        l2_term(0.02, weights["recurrent_kernel"]["data"]) +
        l1_term(0.03, weights["bias"]["data"]) + l2_term(0.04, weights["bias"]["data"]) +
        l2_term(0.05, call["outputs"][0]["data"]) / batch)
    return out


# --- regularizer and constraint cases (spec §5, §6) -----------------------------------------

def regularizer_case(source, name, regularizer, l1, l2):
    out = header("regularizer", name, "expected_loss = l1*sum|w| + l2*sum w^2 in float64",
                 source["tolerance"])
    out["regularizer"] = regularizer
    out["input"] = copy.deepcopy(source["input"])
    data = source["input"]["data"]
    out["expected_loss"] = l1_term(l1, data) + l2_term(l2, data)
    return out


def norms(t, axis):
    """L2 norms of a 2-D tensor over `axis`, kept as a function of (row, column)."""
    rows, cols = t["shape"]
    d = t["data"]
    if axis == 0:
        n = [math.sqrt(sum(d[r * cols + c] ** 2 for r in range(rows))) for c in range(cols)]
        return lambda r, c: n[c]
    n = [math.sqrt(sum(d[r * cols + c] ** 2 for c in range(cols))) for r in range(rows)]
    return lambda r, c: n[r]


def constrained(t, scale):
    rows, cols = t["shape"]
    d = t["data"]
    return tensor([rows, cols], [d[r * cols + c] * scale(r, c, d[r * cols + c])
                                 for r in range(rows) for c in range(cols)])


def constraint_case(source, name, constraint, note, expected):
    out = header("constraint", name, note, source["tolerance"])
    out["constraint"] = constraint
    out["input"] = copy.deepcopy(source["input"])
    out["expected"] = expected
    return out


def unit_norm(t, axis):
    n = norms(t, axis)
    return constrained(t, lambda r, c, v: 1.0 / (EPSILON_K + n(r, c)))


def min_max_norm(t, lo, hi, rate, axis):
    n = norms(t, axis)

    def scale(r, c, v):
        norm = n(r, c)
        return (rate * min(max(norm, lo), hi) + (1 - rate) * norm) / (EPSILON_K + norm)
    return constrained(t, scale)


def max_norm(t, hi, axis):
    n = norms(t, axis)
    return constrained(t, lambda r, c, v: min(max(n(r, c), 0.0), hi) / (EPSILON_K + n(r, c)))


def radial(shape, data):
    """Spec §6: each [h, h] slice (over the first two axes of [h, w, channels, filters]) is
    rebuilt as concentric square rings from the centre out; odd h: centre K[s-1][s-1], ring i
    (i = 0..s-1) filled with K[s+i][s+i]; even h: inner 2x2 block K[s-1][s-1], ring i
    (i = 1..s-1) filled with K[s+i][s+i]."""
    h, w, channels, filters = shape
    assert h == w
    s = h // 2
    slices = channels * filters
    at = lambda y, x, k: data[(y * h + x) * slices + k]
    grid = [[None] * h for _ in range(h)]
    if h % 2:
        grid[s][s] = (s - 1, s - 1)
        for i in range(s):
            for y in range(s - i - 1, s + i + 2):
                for x in range(s - i - 1, s + i + 2):
                    if max(abs(y - s), abs(x - s)) == i + 1:
                        grid[y][x] = (s + i, s + i)
    else:
        for y in (s - 1, s):
            for x in (s - 1, s):
                grid[y][x] = (s - 1, s - 1)
        for i in range(1, s):
            for y in range(s - 1 - i, s + 1 + i):
                for x in range(s - 1 - i, s + 1 + i):
                    if grid[y][x] is None:
                        grid[y][x] = (s + i, s + i)
    return tensor(shape, [at(grid[y][x][0], grid[y][x][1], k)
                          for y in range(h) for x in range(h) for k in range(slices)])


# --- optimizer cases (spec §7, optimizer_v2, float64) ---------------------------------------

def clip(grads, o):
    if "clipvalue" in o:
        c = o["clipvalue"]
        grads = [[min(max(g, -c), c) for g in t] for t in grads]
    if "clipnorm" in o:
        c = o["clipnorm"]
        grads = [[g * c / max(math.sqrt(sum(x * x for x in t)), c) for g in t] for t in grads]
    if "global_clipnorm" in o:
        c = o["global_clipnorm"]
        total = math.sqrt(sum(x * x for t in grads for x in t))
        grads = [[g * c / max(total, c) for g in t] for t in grads]
    return grads


def optimizer_step(o, it, w, g, slots):
    """One update of one flat parameter `w` (a list) by gradient `g`; `slots` is a dict."""
    name = o["name"]
    epsilon = o.get("epsilon", 1e-7) or 1e-7
    t = it + 1
    n = len(w)
    if name == "sgd":
        lr = o.get("learning_rate", 0.01)
        mu = o.get("momentum", 0.0)
        if mu == 0:
            return [w[i] - lr * g[i] for i in range(n)]
        v = slots.setdefault("momentum", [0.0] * n)
        for i in range(n):
            v[i] = mu * v[i] - lr * g[i]
        if o.get("nesterov", False):
            return [w[i] + mu * v[i] - lr * g[i] for i in range(n)]
        return [w[i] + v[i] for i in range(n)]
    if name == "adam":
        lr = o.get("learning_rate", 0.001)
        b1, b2 = o.get("beta_1", 0.9), o.get("beta_2", 0.999)
        m = slots.setdefault("m", [0.0] * n)
        v = slots.setdefault("v", [0.0] * n)
        vhat = slots.setdefault("vhat", [0.0] * n)
        alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        out = []
        for i in range(n):
            m[i] += (1 - b1) * (g[i] - m[i])
            v[i] += (1 - b2) * (g[i] * g[i] - v[i])
            denominator = v[i]
            if o.get("amsgrad", False):
                vhat[i] = max(vhat[i], v[i])
                denominator = vhat[i]
            out.append(w[i] - alpha * m[i] / (math.sqrt(denominator) + epsilon))
        return out
    if name == "rmsprop":
        lr = o.get("learning_rate", 0.001)
        rho = o.get("rho", 0.9)
        mu = o.get("momentum", 0.0)
        ms = slots.setdefault("rms", [0.0] * n)
        mg = slots.setdefault("mg", [0.0] * n)
        mom = slots.setdefault("momentum", [0.0] * n)
        out = []
        for i in range(n):
            ms[i] = rho * ms[i] + (1 - rho) * g[i] * g[i]
            d = ms[i]
            if o.get("centered", False):
                mg[i] = rho * mg[i] + (1 - rho) * g[i]
                d = ms[i] - mg[i] * mg[i]
            if mu > 0:
                mom[i] = mu * mom[i] + lr * g[i] / math.sqrt(d + epsilon)
                out.append(w[i] - mom[i])
            else:
                out.append(w[i] - lr * g[i] / (math.sqrt(d) + epsilon))
        return out
    if name == "adagrad":
        lr = o.get("learning_rate", 0.001)
        acc = slots.setdefault("accumulator", [o.get("initial_accumulator_value", 0.1)] * n)
        out = []
        for i in range(n):
            acc[i] += g[i] * g[i]
            out.append(w[i] - lr * g[i] / (math.sqrt(acc[i]) + epsilon))
        return out
    raise ValueError(name)


def optimizer_case(source, name, optimizer, note):
    """Replays `source`'s parameters and gradients through `optimizer` in float64."""
    out = header("optimizer", name, note, OPTIMIZER_TOLERANCE)
    out["optimizer"] = optimizer
    out["initial"] = copy.deepcopy(source["initial"])
    params = [list(t["data"]) for t in source["initial"]]
    slots = [dict() for _ in params]
    steps = []
    for it, step in enumerate(source["steps"]):
        grads = clip([t["data"] for t in step["gradients"]], optimizer)
        params = [optimizer_step(optimizer, it, params[k], grads[k], slots[k])
                  for k in range(len(params))]
        steps.append({"gradients": copy.deepcopy(step["gradients"]),
                      "expected": [tensor(t["shape"], p)
                                   for t, p in zip(step["gradients"], params)]})
    out["steps"] = steps
    return out


# --- main -------------------------------------------------------------------------------------

def check_own_formulas():
    """The float64 formulas above reproduce the shipped cases they overlap with."""
    def close(got, expected, tolerance):
        return abs(got - expected) <= tolerance["atol"] + tolerance["rtol"] * abs(expected)
    reg = load("regularizer_l1_l2")
    got = l1_term(0.01, reg["input"]["data"]) + l2_term(0.02, reg["input"]["data"])
    assert close(got, reg["expected_loss"], reg["tolerance"]), got
    mn = load("constraint_max_norm")
    got = max_norm(mn["input"], mn["constraint"]["max_value"], mn["constraint"]["axis"])["data"]
    assert all(close(a, b, mn["tolerance"]) for a, b in zip(got, mn["expected"]["data"]))
    for shipped in ("optimizer_sgd_plain", "optimizer_adam_default"):
        case = load(shipped)
        mine = optimizer_case(case, "check", case["optimizer"], "")
        for a, b in zip(mine["steps"], case["steps"]):
            for x, y in zip(a["expected"], b["expected"]):
                assert all(close(p, q, case["tolerance"]) for p, q in zip(x["data"], y["data"]))
    rl2 = load("simple_rnn_l2_regularized")
    got = l2_term(rl2["config"]["kernel_regularizer"]["l2"], rl2["weights"]["kernel"]["data"])
    assert close(got, rl2["calls"][0]["regularization_loss"], rl2["tolerance"]), got


def extended_cases():
    basic = load("simple_rnn_basic_last_output")
    sequences = load("simple_rnn_sequences_and_state")
    initial_state = load("simple_rnn_initial_state")
    reg = load("regularizer_l1_l2")
    mn = load("constraint_max_norm")
    sgd = load("optimizer_sgd_plain")
    cases = {}

    def add(case):
        cases[case["kind"] + "_" + case["name"]] = case

    add(with_all_ones_mask(basic))
    # basic: T=5 -> 7; sample 0 padded at the end, 1 around the middle, 2 at the start
    add(with_masked_padding(basic, "mask_padding_last_output", [[5, 6], [2, 4], [0, 1]]))
    # sequences_and_state returns the sequence and the state; T=5 -> 8
    padded = with_masked_padding(sequences, "mask_padding_sequences_and_state",
                                 [[5, 6, 7], [0, 3, 7], [0, 1, 2]])
    add(padded)
    add(with_go_backwards(sequences, "go_backwards_sequences_and_state"))
    add(with_go_backwards(padded, "go_backwards_masked"))
    add(with_go_backwards(initial_state, "go_backwards_initial_state"))
    add(with_stateful_reset(basic))
    add(with_unroll(sequences))
    add(with_regularizers(basic))

    add(regularizer_case(reg, "l2_with_zero_l1", {"name": "l2", "l1": 0, "l2": 0.02}, 0.0, 0.02))
    add(regularizer_case(reg, "l1_with_zero_l2", {"name": "l1", "l1": 0.03, "l2": 0}, 0.03, 0.0))
    add(regularizer_case(reg, "l1_default_factor", {"name": "l1"}, 0.01, 0.0))

    x = mn["input"]
    add(constraint_case(mn, "unit_norm_axis0", {"name": "unit_norm", "axis": 0},
                        "w / (eps + ||w||) per column, float64", unit_norm(x, 0)))
    add(constraint_case(mn, "unit_norm_axis1", {"name": "unit_norm", "axis": 1},
                        "w / (eps + ||w||) per row, float64", unit_norm(x, 1)))
    add(constraint_case(mn, "non_neg", {"name": "non_neg"}, "w * [w >= 0]",
                        constrained(x, lambda r, c, v: 1.0 if v >= 0 else 0.0)))
    add(constraint_case(mn, "min_max_norm_axis0",
                        {"name": "min_max_norm", "min_value": 0.5, "max_value": 2.6,
                         "rate": 0.7, "axis": 0},
                        "w * (rate*clip(n) + (1-rate)*n) / (eps + n) per column, float64",
                        min_max_norm(x, 0.5, 2.6, 0.7, 0)))
    add(constraint_case(mn, "min_max_norm_axis1",
                        {"name": "min_max_norm", "min_value": 2.8, "max_value": 3.0,
                         "rate": 1, "axis": 1},
                        "w * clip(n) / (eps + n) per row, float64",
                        min_max_norm(x, 2.8, 3.0, 1.0, 1)))
    add(constraint_case(mn, "max_norm_axis1", {"name": "max_norm", "max_value": 2.5, "axis": 1},
                        "w * clip(n, 0, max) / (eps + n) per row, float64", max_norm(x, 2.5, 1)))
    pool = reg["input"]["data"] + mn["input"]["data"] + mn["expected"]["data"]
    for shape in ([3, 3, 2, 2], [4, 4, 1, 2], [5, 5, 1, 1]):
        data = pool[:shape[0] * shape[1] * shape[2] * shape[3]]
        case = header("constraint", "radial_%dx%d" % (shape[0], shape[1]),
                      "rings from the centre out (spec section 6)", mn["tolerance"])
        case["constraint"] = {"name": "radial_constraint"}
        case["input"] = tensor(shape, data)
        case["expected"] = radial(shape, data)
        add(case)

    optimizers = [
        ("sgd_defaults", {"name": "sgd"}),
        ("sgd_momentum", {"name": "sgd", "learning_rate": 0.1, "momentum": 0.9}),
        ("sgd_nesterov_clipvalue", {"name": "sgd", "learning_rate": 0.1, "momentum": 0.8,
                                    "nesterov": True, "clipvalue": 1.0}),
        ("sgd_global_clipnorm", {"name": "sgd", "learning_rate": 0.1, "global_clipnorm": 2.0}),
        ("sgd_ignores_other_fields", {"name": "sgd", "learning_rate": 0.1, "rho": 0.5,
                                      "amsgrad": True, "centered": True, "beta_1": 0.5,
                                      "initial_accumulator_value": 3}),
        ("adam_amsgrad_clipnorm", {"name": "adam", "learning_rate": 0.01, "beta_1": 0.8,
                                   "beta_2": 0.99, "epsilon": 0.001, "amsgrad": True,
                                   "clipnorm": 1.5}),
        ("rmsprop_plain", {"name": "rmsprop", "learning_rate": 0.01}),
        ("rmsprop_centered", {"name": "rmsprop", "learning_rate": 0.01, "rho": 0.8,
                              "centered": True, "epsilon": 0.000001}),
        ("rmsprop_momentum", {"name": "rmsprop", "learning_rate": 0.01, "momentum": 0.5}),
        ("rmsprop_centered_momentum_clip", {"name": "rmsprop", "learning_rate": 0.01,
                                            "momentum": 0.7, "centered": True, "clipvalue": 2.0,
                                            "global_clipnorm": 3.0}),
        ("adagrad_defaults", {"name": "adagrad"}),
        ("adagrad_custom", {"name": "adagrad", "learning_rate": 0.1,
                            "initial_accumulator_value": 0.5, "epsilon": 0.0001,
                            "momentum": 0.9}),
    ]
    for name, optimizer in optimizers:
        add(optimizer_case(sgd, name, optimizer,
                           "spec section 7 in float64 on the gradients of sgd_plain"))
    return cases


def bad_cases():
    """folder name -> (file name, case with one defect)."""
    basic = load("simple_rnn_basic_last_output")
    reg = load("regularizer_l1_l2")
    sgd = load("optimizer_sgd_plain")
    out = {}

    case = copy.deepcopy(basic)
    case["config"]["dropout"] = 0
    out["bad_unknown_field"] = [("unknown_config_field", case)]

    case = copy.deepcopy(basic)
    case["kind"] = "lstm"
    out["bad_unknown_kind"] = [("unknown_kind", case)]

    case = copy.deepcopy(reg)
    case["schema"] = "rnnkit-golden/2"
    out["bad_unknown_schema"] = [("unknown_schema", case)]

    case = copy.deepcopy(basic)
    kernel = case["weights"]["kernel"]
    kernel["shape"] = kernel["shape"][::-1]  # same data, transposed shape: set_weights refuses it
    out["bad_cannot_run"] = [("kernel_wrong_shape", case)]

    case = copy.deepcopy(reg)
    case["regularizer"] = {"name": "l2", "l1": 0.01, "l2": 0.02}
    out["bad_contradictory_regularizer"] = [("l2_with_nonzero_l1", case)]

    case = copy.deepcopy(sgd)
    case["optimizer"]["weight_decay"] = 0.004
    out["bad_optimizer_field"] = [("optimizer_weight_decay", case)]

    # one good case beside one whose expected value is off by 1e-3 (100x atol): a single
    # failed comparison fails the run
    case = copy.deepcopy(reg)
    case["expected_loss"] += 0.001
    out["bad_wrong_value"] = [("good_l1_l2", copy.deepcopy(reg)), ("wrong_l1_l2", case)]
    return out


def main():
    check_own_formulas()
    for entry in os.listdir(HERE):
        if entry == "extended" or entry.startswith("bad_"):
            shutil.rmtree(os.path.join(HERE, entry))
    for filename, case in extended_cases().items():
        write(os.path.join(HERE, "extended"), filename, case)
    for folder, files in bad_cases().items():
        for filename, case in files:
            write(os.path.join(HERE, folder), filename, case)


if __name__ == "__main__":
    main()
