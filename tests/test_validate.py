"""The data contract's validation, on the malformed corpus under tests/corpus/bad/.

Each case folder is a whole dataset, broken in one way, with ``expected.txt`` giving the
violation that must be reported (``FILE:LINE:COLUMN: REASON``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import kpgraph
from kpgraph.errors import InvalidDataError, UsageError, Violation
from kpgraph.validate import read_dataset

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in (CORPUS / "bad").iterdir() if p.is_dir())


def test_corpus_is_large_enough():
    assert len(CASES) >= 40


def test_base_is_valid():
    ds = read_dataset(CORPUS / "base")
    assert len(ds.frames["shipments"]) == 5
    assert ds.frames["shipments"]["shipped_on"].dtype == "datetime64[s]"
    assert ds.frames["shipments"]["carats"].tolist() == [1000.5, 900, 50, 300, 120]


@pytest.mark.parametrize("case", CASES)
def test_malformed_case_is_refused_with_location(case):
    folder = CORPUS / "bad" / case
    expected = (folder / "expected.txt").read_text("utf-8").strip()
    with pytest.raises(InvalidDataError) as info:
        read_dataset(folder)
    reported = [str(v) for v in info.value.violations]
    assert expected in reported, f"{case}: expected {expected!r}, got {reported}"


@pytest.mark.parametrize("case", CASES)
def test_cli_exits_1_and_prints_location(cli, case):
    folder = CORPUS / "bad" / case
    expected = (folder / "expected.txt").read_text("utf-8").strip()
    result = cli("validate", str(folder))
    assert result.exit_code == 1
    assert expected in result.stderr
    assert "nothing was loaded" in result.stderr
    assert "Traceback" not in result.stderr


def test_load_of_invalid_data_returns_nothing(cli):
    result = cli("load", str(CORPUS / "bad" / "dangling_reference"))
    assert result.exit_code == 1
    assert result.stdout == ""


def test_every_violation_is_reported_not_just_the_first(base_copy):
    p = base_copy / "shipments.csv"
    text = p.read_text().replace("1000.5,150000", "-1,150000").replace("2021-02-03", "2021-2-3")
    p.write_text(text)
    with pytest.raises(InvalidDataError) as info:
        read_dataset(base_copy)
    assert {(v.line, v.column) for v in info.value.violations} == {(2, 5), (3, 2)}
    assert info.value.total == 2


def test_utf8_bom_is_read_correctly(base_copy):
    for f in base_copy.glob("*.csv"):
        f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes())
    ds = read_dataset(base_copy)
    assert list(ds.frames["countries"]["iso3"]) == ["BWA", "ARE", "IND", "CAF", "USA"]
    assert "iso3" in ds.frames["countries"].columns


def test_crlf_line_endings_are_read(base_copy):
    for f in base_copy.glob("*.csv"):
        f.write_bytes(f.read_bytes().replace(b"\n", b"\r\n"))
    ds = read_dataset(base_copy)
    assert ds.frames["companies"]["last_audit"].isna().sum() == 2


def test_huge_field_is_refused(base_copy):
    p = base_copy / "companies.csv"
    lines = p.read_text().splitlines()
    lines[3] = lines[3].replace("4 Varachha Road", "x" * (2 << 20))
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(InvalidDataError) as info:
        read_dataset(base_copy)
    (v,) = info.value.violations
    assert (v.file, v.line) == ("companies.csv", 4)
    assert "limit" in v.reason


def test_violations_are_capped_but_counted(base_copy):
    p = base_copy / "shipments.csv"
    head, *rows = p.read_text().splitlines()
    many = [f"X{i},2021-01-05,M1,T1,-1,1,7102.31,,BWA" for i in range(50)]
    p.write_text("\n".join([head, *rows, *many]) + "\n")
    with pytest.raises(InvalidDataError) as info:
        read_dataset(base_copy, max_errors=10)
    assert len(info.value.violations) == 10
    assert info.value.total == 50


def test_extra_columns_are_kept(base_copy):
    p = base_copy / "companies.csv"
    lines = p.read_text().splitlines()
    p.write_text("\n".join([lines[0] + ",source"] + [ln + ",registry" for ln in lines[1:]]))
    ds = read_dataset(base_copy)
    assert set(ds.frames["companies"]["source"]) == {"registry"}


def test_every_optional_column_may_be_left_out(base_copy):
    # a file without an optional column reads as if the column were there with every cell
    # empty (a file without value_usd crashed the reader: found by the route oracle)
    from kpgraph.contract import contract

    whole = read_dataset(base_copy).frames
    left_out = 0
    for name, table in contract().tables.items():
        p = base_copy / f"{name}.csv"
        if not p.exists():
            continue
        full = pd.read_csv(p, dtype=str, keep_default_na=False)
        for col in (c for c in table.columns if c not in table.required_columns):
            full.drop(columns=[col]).to_csv(p, index=False)
            got = read_dataset(base_copy).frames[name]
            assert got[col].isna().all(), (name, col)
            assert got[col].dtype == whole[name][col].dtype, (name, col)
            left_out += 1
        full.to_csv(p, index=False)
    assert left_out >= 20


def test_a_missing_required_column_is_reported_once(base_copy):
    p = base_copy / "shipments.csv"
    pd.read_csv(p, dtype=str).drop(columns=["carats"]).to_csv(p, index=False)
    with pytest.raises(InvalidDataError) as info:
        read_dataset(base_copy)
    assert [v.reason for v in info.value.violations] == ["missing required column 'carats'"]


def test_parquet_is_accepted_and_located_like_csv(base_copy):
    frame = pd.read_csv(base_copy / "shipments.csv", dtype=str, keep_default_na=False)
    frame["carats"] = pd.to_numeric(frame["carats"])
    frame.loc[2, "carats"] = -3.0
    (base_copy / "shipments.csv").unlink()
    frame.to_parquet(base_copy / "shipments.parquet", index=False)
    with pytest.raises(InvalidDataError) as info:
        read_dataset(base_copy)
    assert [str(v) for v in info.value.violations] == [
        "shipments.parquet:4:5: carats: -3 must be greater than 0"]
    frame.loc[2, "carats"] = 3.0
    frame.to_parquet(base_copy / "shipments.parquet", index=False)
    assert read_dataset(base_copy).frames["shipments"]["carats"].iloc[2] == 3.0


def test_a_nested_parquet_column_is_a_violation_not_a_crash(base_copy):
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = pd.read_csv(base_copy / "shipments.csv", dtype=str, keep_default_na=False)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.append_column("parts", pa.array([[1, 2]] * len(frame)))
    (base_copy / "shipments.csv").unlink()
    pq.write_table(table, base_copy / "shipments.parquet")
    with pytest.raises(InvalidDataError) as info:
        read_dataset(base_copy)
    assert [str(v) for v in info.value.violations] == [
        f"shipments.parquet:1:{len(frame.columns) + 1}: column 'parts': Parquet type "
        "list<element: int64> is not text, a number, a date or a boolean"]


def test_a_folder_in_the_place_of_a_file_is_a_usage_error(base_copy):
    (base_copy / "companies.csv").unlink()
    (base_copy / "companies.csv").mkdir()
    with pytest.raises(UsageError, match="companies.csv: not a regular file"):
        read_dataset(base_copy)


def test_an_extra_column_may_not_take_a_name_kpgraph_uses(base_copy):
    p = base_copy / "shipments.csv"
    lines = p.read_text().splitlines()
    p.write_text("\n".join([lines[0] + ",_kpgraph_lock"] + [x + ",1" for x in lines[1:]]))
    with pytest.raises(InvalidDataError) as info:
        read_dataset(base_copy)
    (v,) = info.value.violations
    assert v.line == 1 and "_kpgraph_lock" in v.reason and "kpgraph's own" in v.reason


def test_a_parquet_header_is_checked_as_a_csv_one(base_copy):
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = pd.read_csv(base_copy / "companies.csv", dtype=str, keep_default_na=False)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.append_column("name", pa.array(["x"] * len(frame)))
    (base_copy / "companies.csv").unlink()
    pq.write_table(table, base_copy / "companies.parquet")
    with pytest.raises(InvalidDataError) as info:
        read_dataset(base_copy)
    assert [str(v) for v in info.value.violations] == [
        "companies.parquet:1:1: header: column name 'name' appears twice"]


def test_both_csv_and_parquet_is_a_usage_error(base_copy):
    pd.read_csv(base_copy / "countries.csv").to_parquet(base_copy / "countries.parquet")
    with pytest.raises(UsageError):
        read_dataset(base_copy)


def test_missing_folder_is_a_usage_error(cli, tmp_path):
    result = cli("validate", str(tmp_path / "nope"))
    assert result.exit_code == 2


def test_statistics_only_folder_is_valid(tmp_path):
    for name in ("countries.csv", "kp_statistics.csv"):
        shutil.copy(CORPUS / "base" / name, tmp_path / name)
    ds = read_dataset(tmp_path)
    assert set(ds.frames) == {"countries", "kp_statistics"}
    with pytest.raises(InvalidDataError):
        read_dataset(tmp_path, require="trade")


def test_violation_renders_like_a_compiler_error():
    assert str(Violation("a.csv", 3, 2, "bad")) == "a.csv:3:2: bad"


def test_synthetic_data_is_valid(small_synth):
    counts = kpgraph.info(small_synth)
    assert counts["nodes"]["Shipment"] > 2000
