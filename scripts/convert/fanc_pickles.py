"""Make the three FANC v840 premotor -> motor neuron tables of the `fanc-motor` dataset from
the pandas pickles Lesser, Azevedo et al. (2024) published (tuthill-lab/Lesser_Azevedo_2023),
byte for byte as the registry's sha256 says (checked with pandas 3.1).

hexafly reads CSV tables, not pickles, and cannot read pickles itself; `hexafly fetch
fanc-motor` downloads the pickles into the dataset's folder, asks for this script, and
verifies what it writes:

    python scripts/convert/fanc_pickles.py DATA_DIR/fanc-motor
    hexafly fetch fanc-motor

(`cargo xtask test` does both.) Needs pandas (scripts/requirements-analysis.txt).
"""

import csv
import io
import math
import sys
from pathlib import Path

import pandas as pd


def text(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)


def write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(buf.getvalue().encode())
    tmp.replace(path)
    print(f"wrote {path} ({len(rows)} edges)")


def leg_premotor(d: Path) -> None:
    df = pd.read_pickle(d / "pre_to_mn_df_matched_typed_with_nt_v840.pkl")
    rows = []
    for (cell_class, pool, nt, system, cell_type, seg), values in zip(df.index, df.values):
        for col, v in zip(df.columns, values):
            if v > 0:
                side, nerve, segment, function, muscle, rank, mn_seg, module = col
                rows.append([text(x) for x in (seg, mn_seg, int(v), cell_class, cell_type, nt,
                                               system, pool, muscle, module, function, nerve,
                                               side, segment, rank)])
    write(d / "fanc_v840_T1L_leg_preMN_to_MN_edges.csv",
          ["pre_id", "post_id", "syn_count", "pre_class", "pre_cell_type", "pre_nt",
           "pre_classification_system", "pre_preferred_pool", "mn_muscle", "mn_module",
           "mn_function", "mn_nerve", "mn_side", "mn_segment", "mn_rank"], rows)


def leg_all_inputs(d: Path) -> None:
    df = pd.read_pickle(d / "pre_to_mn_df_pre_match_to_pool_w_fragments_v840.pkl")
    rows = []
    for (cell_class, seg), values in zip(df.index, df.values):
        for col, v in zip(df.columns, values):
            if v > 0:
                side, nerve, segment, function, muscle, rank, mn_seg = col
                rows.append([text(x) for x in (seg, mn_seg, int(v), cell_class, muscle, function,
                                               nerve, side, segment, rank)])
    write(d / "fanc_v840_T1L_leg_all_inputs_to_MN_edges_with_fragments.csv",
          ["pre_id", "post_id", "syn_count", "pre_class", "mn_muscle", "mn_function",
           "mn_nerve", "mn_side", "mn_segment", "mn_rank"], rows)


def wing_premotor(d: Path) -> None:
    df = pd.read_pickle(d / "preMN_to_MN_wing_v840.pkl")
    mns = pd.read_pickle(d / "mn_properties_wing_v840.pkl")
    mn_id = {cell_type: str(root) for root, cell_type in zip(mns.pt_root_id, mns.cell_type)}
    columns = [c for c in df.columns if c != "MN_syn_total"]
    rows = []
    for (pre, pref_mn, pref_module, cell_type, system, nt), values in zip(
            df.index, df[columns].values):
        for col, v in zip(columns, values):
            if v > 0:
                rows.append([text(pre), mn_id[col], col, str(int(v)), text(pref_mn),
                             text(pref_module), text(cell_type), text(system), text(nt)])
    write(d / "fanc_v840_wing_preMN_to_MNtype_edges.csv",
          ["pre_id", "post_id", "post_mn_type", "syn_count", "pre_pref_mn", "pre_pref_module",
           "pre_cell_type", "pre_classification_system", "pre_nt"], rows)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    d = Path(sys.argv[1])
    missing = [p for p in ("pre_to_mn_df_matched_typed_with_nt_v840.pkl",
                           "pre_to_mn_df_pre_match_to_pool_w_fragments_v840.pkl",
                           "preMN_to_MN_wing_v840.pkl", "mn_properties_wing_v840.pkl")
               if not (d / p).is_file()]
    if missing:
        print(f"{d}: missing {', '.join(missing)}; `hexafly fetch fanc-motor` downloads them",
              file=sys.stderr)
        return 1
    leg_premotor(d)
    leg_all_inputs(d)
    wing_premotor(d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
