"""Turn measured profiles into figure panels, choosing the lr of each panel by a rule.

A figure is described by panel specs (plain JSON-able dicts built by the workflow):

``{"kind": "profile", "title": ..., "runs": [i, ...], "named_lr": x | None}``
    one profile; ``runs`` index the figure's measurement records (the lr grid of the
    cell); one is chosen by :func:`deeplaws.separation.selection.select_lr`.
``{"kind": "summary", "title": ..., "of": [panel, ...], "x": [...], "xlabel": ...}``
    rho and |r| of the chosen runs of other panels against a swept quantity.
``{"kind": "emergence", "title": ..., "runs": [i, ...]}``
    the profiles of one run at several epochs.

A run that diverged during training (or whose features were non-finite) has status other
than ``ok``: it is never chosen, the sidecar's grid lists it with its status, and a panel
whose every run diverged is drawn empty and marked as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from deeplaws.separation.fit import no_fit
from deeplaws.separation.selection import select_lr


def _candidate(index: int, profile: dict[str, Any], train: dict[str, Any]) -> dict[str, Any]:
    result = train["train"]
    status = result.get("status", "ok")
    if status == "ok":
        status = profile.get("status", "ok")
    return {
        "index": index,
        "status": status,
        "diverged_at": result.get("diverged_at"),
        "lr": float(train["spec"]["lr"]),
        "final_loss": float(result["final_loss"]),
        "train_loss_eval": float(result["train_loss_eval"]),
        "train_accuracy": float(result["train_accuracy"]),
        "test_accuracy": float(result["test_accuracy"]),
        "r": float(profile["fit"]["r"]),
        "rho": float(profile["fit"]["rho"]),
    }


def _failed_panel(
    spec: dict[str, Any], cands: Sequence[dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A panel (and its record) whose every run diverged: no profile, no fit."""
    fit = no_fit()
    note = "; ".join(
        f"lr {c['lr']:g} {c['status']} at epoch {(c['diverged_at'] or {}).get('epoch')}"
        for c in cands
    )
    first = cands[0]
    panel = {
        "kind": "profile",
        "status": first["status"],
        "title": spec.get("title"),
        "D": [],
        "fit": fit,
        "lr": first["lr"] if len(cands) == 1 else None,
        "diverged_at": first["diverged_at"],
        "note": note,
    }
    record = {
        "kind": "profile",
        "status": first["status"],
        "title": spec.get("title"),
        "chosen_lr": None,
        "reason": f"no run to show: {note}",
        "named_lr": spec.get("named_lr"),
        "D": [],
        "fit": fit,
        "grid": [{k: c[k] for k in c if k != "index"} for c in cands],
    }
    return panel, record


def assemble(
    specs: Sequence[dict[str, Any]],
    profiles: Sequence[dict[str, Any]],
    trains: Sequence[dict[str, Any]],
    lr_rule: str,
    paths: Sequence[str] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(panels to plot, per-panel records for the sidecar)."""
    panels: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    for spec in specs:
        kind = spec.get("kind", "profile")
        if kind == "profile":
            cands = [_candidate(i, profiles[i], trains[i]) for i in spec["runs"]]
            ok = [c for c in cands if c["status"] == "ok"]
            bad = [c for c in cands if c["status"] != "ok"]
            if not ok:
                panel, record = _failed_panel(spec, cands)
                panels.append(panel)
                records.append(record)
                continue
            chosen, reason = select_lr(ok, lr_rule, spec.get("named_lr"))
            if bad:
                reason += "; skipped: " + ", ".join(
                    f"lr {c['lr']:g} {c['status']} at epoch {(c['diverged_at'] or {}).get('epoch')}"
                    for c in bad
                )
            prof = profiles[chosen["index"]]
            taps = prof.get("taps", [])
            panel = {
                "kind": "profile",
                "status": "ok",
                "skipped": [{"lr": c["lr"], "status": c["status"]} for c in bad],
                "title": spec.get("title"),
                "D": prof["D"],
                "fit": prof["fit"],
                "segments": prof.get("segments"),
                "lr": chosen["lr"],
                "final_loss": chosen["final_loss"],
                "train_accuracy": chosen["train_accuracy"],
                "test_accuracy": chosen["test_accuracy"],
                "ill_conditioned": [i for i, row in enumerate(taps) if row.get("ill_conditioned")],
            }
            panels.append(panel)
            records.append(
                {
                    "kind": "profile",
                    "status": "ok",
                    "title": spec.get("title"),
                    "chosen_lr": chosen["lr"],
                    "reason": reason,
                    "named_lr": spec.get("named_lr"),
                    "D": prof["D"],
                    "fit": prof["fit"],
                    "ratios": prof.get("ratios"),
                    "segments": prof.get("segments"),
                    "measure": prof.get("measure"),
                    "lambda_ratio": [row.get("lambda_ratio") for row in taps],
                    "final_loss": chosen["final_loss"],
                    "train_loss_eval": chosen["train_loss_eval"],
                    "train_accuracy": chosen["train_accuracy"],
                    "test_accuracy": chosen["test_accuracy"],
                    "profile": paths[chosen["index"]] if paths else None,
                    "grid": [{k: c[k] for k in c if k != "index"} for c in cands],
                }
            )
        elif kind == "summary":
            of = [panels[i] for i in spec["of"]]
            panel = {
                "kind": "summary",
                "title": spec.get("title"),
                "x": spec["x"],
                "xlabel": spec.get("xlabel", ""),
                "rho": [p["fit"]["rho"] for p in of],
                "r": [p["fit"]["r"] for p in of],
            }
            panels.append(panel)
            records.append({k: v for k, v in panel.items() if k != "kind"} | {"kind": "summary"})
        elif kind == "emergence":
            profs = [
                {
                    "epoch": profiles[i].get("epoch"),
                    "D": profiles[i]["D"],
                    "fit": profiles[i]["fit"],
                }
                for i in spec["runs"]
            ]
            panels.append({"kind": "emergence", "title": spec.get("title"), "profiles": profs})
            records.append({"kind": "emergence", "title": spec.get("title"), "profiles": profs})
        else:
            raise ValueError(f"unknown panel kind {kind!r}")
    return panels, records
