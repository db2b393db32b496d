"""The fixed facts the synthetic generator draws from: countries, prices, neighbours, names.

Prices per carat are rough orders of magnitude of published KP averages (Lesotho's large
stones near 1,000 USD/ct, Namibia's marine gems near 500, artisanal DRC near 20); they make
the value-per-carat signals realistic, not exact.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CountrySpec", "COUNTRIES", "NEIGHBOURS", "RISKY", "HUBS", "POLISHING", "MARKETS"]


@dataclass(frozen=True)
class CountrySpec:
    iso3: str
    name: str
    member_since: str | None  # KP participation
    producer: bool
    price: float = 0.0  # typical rough USD per carat at the mine
    city: str = ""


COUNTRIES: tuple[CountrySpec, ...] = (
    # producers
    CountrySpec("BWA", "Botswana", "2003-01-01", True, 150, "Gaborone"),
    CountrySpec("RUS", "Russian Federation", "2003-01-01", True, 100, "Mirny"),
    CountrySpec("CAN", "Canada", "2003-01-01", True, 190, "Yellowknife"),
    CountrySpec("AGO", "Angola", "2003-01-01", True, 130, "Luanda"),
    CountrySpec("ZAF", "South Africa", "2003-01-01", True, 120, "Johannesburg"),
    CountrySpec("COD", "Congo, Democratic Republic of the", "2003-01-01", True, 22, "Kinshasa"),
    CountrySpec("NAM", "Namibia", "2003-01-01", True, 520, "Windhoek"),
    CountrySpec("SLE", "Sierra Leone", "2003-01-01", True, 260, "Freetown"),
    CountrySpec("ZWE", "Zimbabwe", "2003-01-01", True, 55, "Harare"),
    CountrySpec("AUS", "Australia", "2003-01-01", True, 28, "Perth"),
    CountrySpec("LSO", "Lesotho", "2003-01-01", True, 950, "Maseru"),
    CountrySpec("GIN", "Guinea", "2003-01-01", True, 110, "Conakry"),
    CountrySpec("LBR", "Liberia", "2007-05-04", True, 160, "Monrovia"),
    CountrySpec("TZA", "Tanzania", "2003-01-01", True, 210, "Dar es Salaam"),
    CountrySpec("CAF", "Central African Republic", "2003-01-01", True, 175, "Bangui"),
    CountrySpec("COG", "Congo", "2003-01-01", True, 35, "Brazzaville"),
    CountrySpec("CIV", "Cote d'Ivoire", "2003-01-01", True, 115, "Abidjan"),
    CountrySpec("VEN", "Venezuela", "2003-01-01", True, 75, "Ciudad Guayana"),
    CountrySpec("GUY", "Guyana", "2003-01-01", True, 140, "Georgetown"),
    CountrySpec("CMR", "Cameroon", "2012-08-01", True, 85, "Yaounde"),
    CountrySpec("BRA", "Brazil", "2003-01-01", True, 95, "Belo Horizonte"),
    CountrySpec("GHA", "Ghana", "2003-01-01", True, 26, "Accra"),
    CountrySpec("TCD", "Chad", None, True, 90, "N'Djamena"),
    CountrySpec("SSD", "South Sudan", None, True, 100, "Juba"),
    # trading hubs, cutting centres and markets
    CountrySpec("ARE", "United Arab Emirates", "2003-11-01", False, 0, "Dubai"),
    CountrySpec("BEL", "Belgium", "2003-01-01", False, 0, "Antwerp"),
    CountrySpec("ISR", "Israel", "2003-01-01", False, 0, "Ramat Gan"),
    CountrySpec("CHE", "Switzerland", "2003-01-01", False, 0, "Geneva"),
    CountrySpec("IND", "India", "2003-01-01", False, 0, "Surat"),
    CountrySpec("CHN", "China", "2003-01-01", False, 0, "Shanghai"),
    CountrySpec("THA", "Thailand", "2003-01-01", False, 0, "Bangkok"),
    CountrySpec("ARM", "Armenia", "2003-01-01", False, 0, "Yerevan"),
    CountrySpec("HKG", "Hong Kong", "2003-01-01", False, 0, "Hong Kong"),
    CountrySpec("USA", "United States of America", "2003-01-01", False, 0, "New York"),
    CountrySpec("JPN", "Japan", "2003-01-01", False, 0, "Tokyo"),
    CountrySpec("GBR", "United Kingdom", "2003-01-01", False, 0, "London"),
    CountrySpec("SGP", "Singapore", "2004-08-01", False, 0, "Singapore"),
    CountrySpec("LBN", "Lebanon", "2003-07-01", False, 0, "Beirut"),
)

BY_ISO3 = {c.iso3: c for c in COUNTRIES}

# Countries whose rough is most often smuggled, and where it is smuggled to.
NEIGHBOURS = {
    "CAF": ("CMR", "COD", "COG"),
    "COG": ("COD", "CMR"),
    "VEN": ("GUY", "BRA"),
    "CIV": ("GIN", "GHA", "LBR"),
    "LBR": ("SLE", "GIN"),
    "ZWE": ("ZAF", "BWA"),
    "TCD": ("CMR", "CAF"),
    "SSD": ("COD", "CAF"),
}
RISKY = tuple(NEIGHBOURS)

HUBS = {"ARE": "DMCC", "BEL": None, "ISR": None, "CHE": "Geneva Free Port", "HKG": None,
        "LBN": None, "SGP": None}
POLISHING = {"IND": "SEEPZ", "CHN": None, "THA": None, "BEL": None, "ISR": None, "ARM": None}
MARKETS = ("USA", "JPN", "HKG", "CHN", "GBR", "CHE", "SGP")

NAME_FIRST = (
    "Kasai", "Orange", "Limpopo", "Okavango", "Zambezi", "Karoo", "Sahel", "Atlas", "Nile",
    "Congo", "Orinoco", "Kimber", "Jwaneng", "Marange", "Lulo", "Catoca", "Argyle", "Diavik",
    "Ekati", "Letseng", "Koidu", "Tongo", "Mbuji", "Tshikapa", "Bangui", "Berbera", "Sapphire",
    "Aurora", "Polaris", "Meridian", "Summit", "Crown", "Regal", "Imperial", "Prime", "Royal",
    "Star", "Brilliant", "Radiant", "Lustre", "Facet", "Carat", "Solitaire", "Prism", "Zenith",
    "Apex", "Vertex", "Horizon", "Everest", "Oasis", "Falcon", "Phoenix", "Orion", "Vega",
    "Antares", "Sirius", "Nova", "Luxor", "Amber", "Jade", "Onyx", "Topaz", "Emerald", "Opal",
)
NAME_SECOND = (
    "Diamonds", "Gems", "Minerals", "Stones", "Trading", "Resources", "Mining", "Jewels",
    "Brilliants", "Rough", "Exports", "Holdings", "Global", "International", "Enterprises",
)
SUFFIX = {"ARE": "DMCC", "BEL": "BVBA", "ISR": "Ltd", "IND": "Pvt Ltd", "CHE": "SA",
          "USA": "LLC", "GBR": "Ltd", "HKG": "Ltd", "CHN": "Co Ltd", "THA": "Co Ltd",
          "ZAF": "(Pty) Ltd", "BWA": "(Pty) Ltd", "NAM": "(Pty) Ltd", "LSO": "(Pty) Ltd",
          "RUS": "JSC", "CAN": "Inc", "AUS": "Pty Ltd", "SGP": "Pte Ltd", "JPN": "KK"}
STREETS = ("Main", "Market", "Station", "Mine", "River", "Harbour", "Church", "Park", "Mill",
           "Gold", "Diamond", "Kimberley", "Independence", "Central", "Union", "Hoveniers",
           "Pelikaan", "Schupstraat", "Jabotinsky", "Opera House", "Varachha")
