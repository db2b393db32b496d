"""KP status on a date, per (country, date): the rule every status reason and the
sanctioned-trade rule read."""

import pandas as pd

from kpgraph.graph import GraphModel
from kpgraph.selection import status_on_dates


def _model():
    countries = pd.DataFrame({"iso3": ["COG", "BEL", "SSD"],
                              "kp_member_since": pd.to_datetime(["2003-01-01", "2003-01-01",
                                                                 None])})
    status = pd.DataFrame({
        "iso3": ["COG", "COG"], "status": ["suspended", "embargoed"],
        "start": pd.to_datetime(["2004-07-09", "2005-01-01"]),
        "end": pd.to_datetime(["2007-11-08", "2005-06-30"])})
    return GraphModel({"countries": countries, "kp_status": status})


def test_status_on_dates_by_hand():
    iso3 = pd.Series(["COG", "COG", "COG", "COG", "BEL", "SSD", None, "XXX", "COG"],
                     index=list("abcdefghi"), dtype=object)
    dates = pd.Series(pd.to_datetime(["2004-07-08", "2004-07-09", "2005-03-01",
                                      "2007-11-09", "2005-03-01", "2020-01-01",
                                      "2005-03-01", "2005-03-01", None]),
                      index=iso3.index)
    got = status_on_dates(_model(), iso3, dates)
    assert list(got.index) == list("abcdefghi")
    # before the suspension; its first day; the embargo that began later holds inside
    # the overlap; the day after the suspension ended; a member; never a member; no
    # country; a country the data does not know; no date
    assert [None if pd.isna(v) else v for v in got] == [
        None, "suspended", "embargoed", None, None, "not a participant", None, None, None]


def test_status_on_dates_with_no_country_at_all():
    iso3 = pd.Series([None, None], dtype=object)
    dates = pd.Series(pd.to_datetime(["2005-01-01", "2006-01-01"]))
    assert status_on_dates(_model(), iso3, dates).isna().all()
