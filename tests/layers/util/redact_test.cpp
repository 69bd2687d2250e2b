#include <doctest/doctest.h>

#include "layers/util/redact.hpp"

using namespace bc;

TEST_CASE("redact_secrets hides the values of secret query parameters and nothing else") {
  CHECK(redact_secrets("http://10.0.0.1:7070/announce?bckey=0123456789abcdef0123456789abcdef") ==
        "http://10.0.0.1:7070/announce?bckey=<redacted>");
  // libtorrent appends its own parameters after the key: they stay.
  CHECK(redact_secrets("GET /announce?bckey=s3cr3t&info_hash=%AB&left=100 -> 200") ==
        "GET /announce?bckey=<redacted>&info_hash=%AB&left=100 -> 200");
  CHECK(redact_secrets("/scrape?info_hash=%AB&BCKEY=s3cr3t#frag") == "/scrape?info_hash=%AB&BCKEY=<redacted>#frag");
  CHECK(redact_secrets("url \"http://h/x?token=abc\" and ?key=k&sig=ff") ==
        "url \"http://h/x?token=<redacted>\" and ?key=<redacted>&sig=<redacted>");
  // Names that merely contain a secret word, and text without a query, are left alone.
  CHECK(redact_secrets("/api?monkey=1&keys=2&tokenized=3") == "/api?monkey=1&keys=2&tokenized=3");
  CHECK(redact_secrets("no query here: key=value") == "no query here: key=value");
  CHECK(redact_secrets("?bckey=") == "?bckey=<redacted>");
  CHECK(redact_secrets("") == "");
  CHECK(redact_secrets("a?b&c") == "a?b&c");
}
