"""The names of the published download files and their licence: one place for the files and their page."""

DOWNLOADS = "downloads"
WORKBOOK = "open-wres.xlsx"
DATABASE = "open-wres.sqlite"
CHECKSUMS = "SHA256SUMS"
PACKAGE = "datapackage.json"

LICENCE = {
    "name": "OGL-UK-3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "title": "Open Government Licence v3.0",
}
